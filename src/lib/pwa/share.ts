/**
 * The page's end of the share target: public/share-target.js (in the service worker) keeps what the system's
 * Share sheet sent in a cache of its own and opens /?shared=ID; `takeShared` takes it out again, once. Loaded
 * only when the page opens with `?shared=` (App.svelte), so not part of the first load.
 */

/** The names public/share-target.js uses (tests/unit/pwa/share-target.test.ts runs both together). */
export const SHARED_CACHE = 'atelier-shared-v1';
export const SHARED_PREFIX = '/__shared/';
/** The share's id when the service worker could not keep it. */
export const SHARE_FAILED = 'failed';

export type SharedResult = { ok: true; files: File[]; text: string } | { ok: false; message: string };

const GONE =
  'The images shared with Atelier are no longer here (a share opens once). Share them again, or open them with Add images.';

/** What was shared under `id`, removed from the cache as it is taken; a message when it cannot be had. */
export async function takeShared(
  id: string,
  storage: Pick<CacheStorage, 'open'> | undefined = globalThis.caches,
): Promise<SharedResult> {
  if (id === SHARE_FAILED)
    return {
      ok: false,
      message:
        'Atelier could not keep the shared images (the browser refused to store them, perhaps for lack of space). Free some space, then share them again.',
    };
  if (!storage || !/^[\w-]{1,64}$/.test(id)) return { ok: false, message: GONE };
  try {
    const cache = await storage.open(SHARED_CACHE);
    const base = `${SHARED_PREFIX}${id}/`;
    const meta = await cache.match(`${base}meta`);
    if (!meta) return { ok: false, message: GONE };
    const { files: count, text } = (await meta.json()) as { files: number; text: string };
    const files: File[] = [];
    for (let n = 0; n < count; n++) {
      const res = await cache.match(`${base}${n}`);
      if (!res) continue;
      const name = decodeURIComponent(res.headers.get('x-file-name') ?? 'shared%20image');
      const blob = await res.blob();
      files.push(new File([blob], name, { type: res.headers.get('content-type') ?? blob.type }));
    }
    const parts = Array.from({ length: count }, (_, n) => `${base}${n}`);
    await Promise.all([`${base}meta`, ...parts].map((key) => cache.delete(key)));
    return { ok: true, files, text: typeof text === 'string' ? text : '' };
  } catch {
    return { ok: false, message: GONE };
  }
}
