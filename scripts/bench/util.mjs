/** Shared by the bench sections. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Makes every page of `target` (a context or a page) start connected to `baseUrl` with a bench key, so the
 * first-run Settings dialog stays closed; `studio` pre-sets the studio's options. Port 9 (the default) refuses
 * every connection: nothing is sent unless a section points it at its own stand-in API.
 */
export async function connectBench(target, { baseUrl = 'http://127.0.0.1:9/v1', studio = null } = {}) {
  await target.addInitScript(
    ([base, options]) => {
      sessionStorage.setItem(
        'atelier.settings.v1',
        JSON.stringify({
          apiKey: 'sk-bench-0000000000',
          baseUrl: base,
          organization: '',
          project: '',
          persistence: 'session',
        }),
      );
      if (options) localStorage.setItem('atelier.studio.v1', JSON.stringify(options));
    },
    [baseUrl, studio],
  );
}
