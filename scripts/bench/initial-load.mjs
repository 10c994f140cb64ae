// Bench section: JS and CSS the page loads before any user action (gzip), and whether fabric is among it.
import { gzipSync } from 'node:zlib';

export const title = 'Initial load';

/** @param {{ browser: import('@playwright/test').Browser, appUrl: string }} ctx */
export async function run({ browser, appUrl }) {
  // Initial load: every script and stylesheet fetched before the first user action.
  const page = await browser.newPage();
  const assets = new Map();
  const pending = [];
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (type === 'script' || type === 'stylesheet')
      pending.push(
        res.body().then(
          (body) => assets.set(res.url(), { type, body }),
          () => {}, // a response the page dropped (e.g. a navigation preload): nothing to count
        ),
      );
  });
  await page.goto(appUrl, { waitUntil: 'networkidle' });
  await Promise.all(pending);
  let js = 0;
  let css = 0;
  let fabricLoaded = false;
  for (const [url, a] of assets) {
    const gz = gzipSync(a.body, { level: 9 }).length;
    if (process.env.BENCH_VERBOSE) console.log(`    ${a.type} ${url.replace(appUrl, '/')} ${gz} B gzip`);
    if (a.type === 'script') js += gz;
    else css += gz;
    if (/fabric/i.test(url) || a.body.includes('fabric.js')) fabricLoaded = true;
  }
  await page.close();

  const kb = (n) => (n / 1024).toFixed(1);
  return [
    `initial JS (gzip)             ${kb(js)} KB   [budget ≤ 60 KB]${js > 60 * 1024 ? '  OVER BUDGET' : ''}`,
    `initial CSS (gzip)            ${kb(css)} KB`,
    `fabric in the initial load    ${fabricLoaded ? 'YES (should be lazy)' : 'no'}`,
  ];
}
