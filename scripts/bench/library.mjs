// Bench section: the library with 2,000 seeded items (first row, scrolling, heap, storage overhead), and saving
// a ~4 MB image the app receives from a stand-in API (the app's own 'atelier:library-save' timing).
import sharp from 'sharp';
import { benchLibrary, libraryLines } from './library-run.mjs';
import { makeFinalImage, startStreamServer } from './stream-paint.mjs';
import { connectBench } from './util.mjs';

export const title = 'Library';

const PROMPT = 'Benchmark: a library image';

/** @param {{ browser: import('@playwright/test').Browser, appUrl: string }} ctx */
export async function run({ browser, appUrl }) {
  // 1248² noisy pixels: a PNG of about 4 MB, the size the budget names.
  const big = await makeFinalImage(4, 1248);
  big.small = (
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } })
      .png()
      .toBuffer()
  ).toString('base64');
  const api = await startStreamServer(big);
  const generateLarge = async (context) => {
    const p = await context.newPage();
    await connectBench(p, {
      baseUrl: `http://127.0.0.1:${api.port}/v1`,
      studio: { model: 'gpt-image-2', size: '1248x1248', stream: true, partialImages: 1 },
    });
    await p.addInitScript(() => {
      // Main-thread tasks over 50 ms, to see how much of the save's time blocked the page.
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
      }).observe({ type: 'longtask', buffered: true });
    });
    await p.goto(appUrl);
    await p.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
    // BENCH_TRACE_SAVE=file.json records a Chrome trace of the save (for finding where its time goes).
    const tracing = process.env.BENCH_TRACE_SAVE;
    if (tracing)
      await browser.startTracing(p, {
        path: tracing,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'toplevel',
          'blink.user_timing',
          'v8.execute',
          'disabled-by-default-v8.cpu_profiler',
          'IndexedDB',
        ],
      });
    await p.getByRole('button', { name: 'Generate' }).click();
    await p.waitForFunction(
      () => performance.getEntriesByName('atelier:library-save').some((e) => e.detail.bytes > 1e6),
      null,
      { timeout: 60_000 },
    );
    await p.waitForTimeout(500); // long-task entries arrive a little later
    if (tracing) await browser.stopTracing();
    const r = await p.evaluate(() => {
      const m = performance.getEntriesByName('atelier:library-save').find((e) => e.detail.bytes > 1e6);
      const end = m.startTime + m.duration;
      // Long tasks overlapping the save, counted only for the part inside it.
      const inside = window.__longTasks
        .map(([s, d]) => Math.min(end, s + d) - Math.max(m.startTime, s))
        .filter((d) => d > 0);
      // Where the save's time went: the last of each step's mark before it ended, in ms from its Blob.
      const steps = {};
      for (const e of performance.getEntriesByType('mark'))
        if (/^atelier:(image-|save-|thumb-)/.test(e.name) && e.startTime <= end)
          steps[e.name.slice(8)] = Math.round(e.startTime - m.startTime);
      return {
        steps,
        ms: m.duration,
        bytes: m.detail.bytes,
        thumbMs: m.detail.thumbMs,
        blockedMs: inside.reduce((a, b) => a + b, 0),
        longTasks: inside.length,
      };
    });
    await p.close();
    return r;
  };
  try {
    return libraryLines(await benchLibrary(browser, appUrl, generateLarge));
  } finally {
    api.server.close();
  }
}
