// Bench section: JS and CSS the page loads before any user action (gzip), and whether fabric is among it.
import { gzipSync } from 'node:zlib';
import { connectBench } from './util.mjs';

export const title = 'Initial load';

/**
 * Every script and stylesheet one page load fetches before the first user action (network idle), gzip-9 each.
 * @param {import('@playwright/test').Browser} browser
 * @param {string} appUrl
 * @param {boolean} returning a key is already set (no Settings dialog opens)
 */
async function measure(browser, appUrl, returning) {
  const context = await browser.newContext();
  if (returning) await connectBench(context);
  const page = await context.newPage();
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
  if (process.env.BENCH_VERBOSE) console.log(`    ${returning ? 'returning' : 'first'} visit:`);
  for (const [url, a] of assets) {
    const gz = gzipSync(a.body, { level: 9 }).length;
    if (process.env.BENCH_VERBOSE) console.log(`    ${a.type} ${url.replace(appUrl, '/')} ${gz} B gzip`);
    if (a.type === 'script') js += gz;
    else css += gz;
    if (/fabric/i.test(url) || a.body.includes('fabric.js')) fabricLoaded = true;
  }
  await context.close();
  return { js, css, fabricLoaded };
}

/** @param {{ browser: import('@playwright/test').Browser, appUrl: string }} ctx */
export async function run({ browser, appUrl }) {
  // A first visit opens the Settings dialog (no key yet), so its chunk counts; a returning visit has a key.
  const first = await measure(browser, appUrl, false);
  const returning = await measure(browser, appUrl, true);

  const kb = (n) => (n / 1024).toFixed(1);
  const over = (n) => (n > 60 * 1024 ? '  OVER BUDGET' : '');
  return [
    `initial JS, first visit (gzip)       ${kb(first.js)} KB   [budget ≤ 60 KB]${over(first.js)}`,
    `initial JS, returning visit (gzip)   ${kb(returning.js)} KB   [budget ≤ 60 KB]${over(returning.js)}`,
    `initial CSS, first visit (gzip)      ${kb(first.css)} KB`,
    `fabric in the initial load           ${first.fabricLoaded || returning.fabricLoaded ? 'YES (should be lazy)' : 'no'}`,
  ];
}
