// The library section of `npm run bench` (imported by bench.mjs). With ITEMS stored items, seeded straight
// into IndexedDB from the page in the app's own record format:
//   app start → first gallery row painted            [≤ 300 ms]   (navigation start of a visit to /#library, which
//                                                                 opens the app on the library; median of RUNS)
//   … pressing Library in the studio → painted        (median of RUNS)
//   scrolling top to bottom, long tasks > 50 ms      [none]
//   JS heap after scrolling                          [≤ 150 MB]
//   storage used vs image + thumbnail bytes          [≤ 1.05×]
//   saving a ~4 MB image and its thumbnail           [≤ 100 ms]   (measured by the app: atelier:library-save, from
//                                                                 the final image's Blob to its record stored;
//                                                                 plus the long tasks inside that window)

import { connectBench, median } from './util.mjs';

const ITEMS = Number(process.env.BENCH_LIBRARY_ITEMS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IMAGE_BYTES = Number(process.env.BENCH_LIBRARY_IMAGE_BYTES ?? 64 * 1024);
// BENCH_LIBRARY_NO_ORDER=1 seeds no order store: the first open after upgrading from a version without one.

/** Seeds `count` items: random-byte "PNG" images (never decoded by the gallery) and real WebP thumbnails. */
export async function seed(page, count) {
  return page.evaluate(
    async ({ count, imageBytes, noOrder }) => {
      const open = (name, store) =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open(name);
          req.onupgradeneeded = () => req.result.createObjectStore(store);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      const meta = await open('atelier-library-meta-v1', 'items');
      const blobs = await open('atelier-library-blobs-v1', 'blobs');
      // The order store the app writes with every save ([-created, id] → id), for its newest-page-first read.
      const order = noOrder ? null : await open('atelier-library-order-v1', 'order');
      const hex = async (buf) =>
        Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)), (b) =>
          b.toString(16).padStart(2, '0'),
        ).join('');
      const put = (db, store, pairs) =>
        new Promise((resolve, reject) => {
          const tx = db.transaction(store, 'readwrite');
          for (const [k, v] of pairs) tx.objectStore(store).put(v, k);
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
      const canvas = new OffscreenCanvas(256, 256);
      const ctx = canvas.getContext('2d');
      let imageTotal = 0;
      let thumbTotal = 0;
      const now = Date.now();
      for (let start = 0; start < count; start += 100) {
        const records = [];
        const files = [];
        for (let i = start; i < Math.min(count, start + 100); i++) {
          const img = new Uint8Array(imageBytes);
          crypto.getRandomValues(img.subarray(0, Math.min(65536, imageBytes)));
          for (let o = 65536; o < imageBytes; o += 65536)
            crypto.getRandomValues(img.subarray(o, Math.min(imageBytes, o + 65536)));
          img.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
          ctx.fillStyle = `hsl(${(i * 37) % 360} 60% 50%)`;
          ctx.fillRect(0, 0, 256, 256);
          for (let k = 0; k < 12; k++) {
            ctx.fillStyle = `hsl(${(i * 13 + k * 29) % 360} 70% ${30 + k * 4}%)`;
            ctx.beginPath();
            ctx.arc((i * 7 + k * 53) % 256, (i * 11 + k * 31) % 256, 10 + k * 3, 0, 7);
            ctx.fill();
          }
          const thumb = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
          const imageHash = await hex(img.buffer);
          const thumbHash = await hex(await thumb.arrayBuffer());
          imageTotal += img.length;
          thumbTotal += thumb.size;
          files.push([imageHash, new Blob([img], { type: 'image/png' })], [thumbHash, thumb]);
          const prompt = `Seeded item ${i}: a harbour at night, lanterns, rain, number ${i}`;
          records.push([
            `seed-${i}`,
            {
              v: 1,
              id: `seed-${i}`,
              created: now - (count - i) * 60_000,
              favourite: i % 17 === 0,
              partialIndex: null,
              image: { hash: imageHash, mime: 'image/png', bytes: img.length, width: 1024, height: 1024 },
              thumb: { hash: thumbHash, mime: 'image/webp', bytes: thumb.size, width: 256, height: 256 },
              recipe: {
                kind: i % 5 === 0 ? 'edit' : 'generation',
                endpoint: i % 5 === 0 ? '/images/edits' : '/images/generations',
                model: i % 3 ? 'gpt-image-2' : 'gpt-image-1',
                body: {
                  model: 'gpt-image-2',
                  prompt,
                  size: '1024x1024',
                  quality: 'medium',
                  output_format: 'png',
                },
                prompt,
                revisedPrompt: null,
                echoed: { size: '1024x1024', quality: 'medium' },
                usage: { input_tokens: 20, output_tokens: 1056, total_tokens: 1076 },
                cost: 0.042,
                timings: { startedAt: now, firstImageMs: 1200, totalMs: 9000 },
                status: 'complete',
                sources: [],
                mask: null,
                parent: null,
                thread: null,
                turn: null,
                index: 0,
                of: 1,
              },
            },
          ]);
        }
        await put(blobs, 'blobs', files);
        await put(meta, 'items', records);
        if (order)
          await put(
            order,
            'order',
            records.map(([id, r]) => [[-r.created, id], id]),
          );
      }
      meta.close();
      blobs.close();
      order?.close();
      return { imageTotal, thumbTotal };
    },
    { count, imageBytes: IMAGE_BYTES, noOrder: !!process.env.BENCH_LIBRARY_NO_ORDER },
  );
}

/** Marks `window.__firstRow` two frames after the first gallery thumbnail has decoded. */
function watchFirstRow() {
  window.__firstRow = 0;
  window.__thumbPainted = 0;
  window.__livePainted = 0;
  // Element Timing: when the first gallery thumbnail was actually presented: the first-screen picture painted
  // before the app loaded (index.html, #library-boot) or the gallery's own, whichever came first; and, apart,
  // the gallery's own (a thumbnail inside one of its cells).
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.identifier !== 'gallery-thumb') continue;
      const at = e.renderTime || e.loadTime;
      if (!window.__thumbPainted) {
        window.__thumbPainted = at;
        performance.mark('atelier:thumb-presented', { startTime: at });
      }
      if (!window.__livePainted && e.element?.closest('li.cell')) {
        window.__livePainted = at;
        performance.mark('atelier:gallery-thumb-presented', { startTime: at });
      }
    }
  }).observe({ type: 'element', buffered: true });
  new MutationObserver(() => {
    if (window.__firstRow || window.__watching) return;
    const img = document.querySelector('li.cell img');
    if (!img) return;
    window.__watching = true;
    performance.mark('atelier:first-img-in-dom');
    img.decode().then(() => {
      performance.mark('atelier:first-img-decoded');
      requestAnimationFrame(() => requestAnimationFrame(() => (window.__firstRow = performance.now())));
    });
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

/**
 * One visit: `#library` opens the app on the library (as a reload or bookmark of it does), timed from navigation
 * start; otherwise the app opens on the studio and Library is pressed as soon as it exists. Returns the open page.
 */
export async function firstRow(context, appUrl, { press = false, profile = null } = {}) {
  const page = await context.newPage();
  await page.addInitScript(watchFirstRow);
  const profiling = profile ? await context.newCDPSession(page) : null;
  if (profiling) {
    await profiling.send('Profiler.enable');
    await profiling.send('Profiler.setSamplingInterval', { interval: 200 });
    await profiling.send('Profiler.start');
  }
  await page.goto(press ? appUrl : `${appUrl}#library`);
  let clickedAt = 0;
  if (press) {
    const button = page.getByRole('banner').getByRole('button', { name: 'Library', exact: true });
    await button.waitFor();
    clickedAt = await page.evaluate(() => performance.now());
    await button.click();
  }
  await page.waitForFunction(() => window.__firstRow > 0, null, { timeout: 30_000 });
  // When the thumbnail was presented (Element Timing), else two frames after it decoded.
  const painted = await page.evaluate(() => window.__thumbPainted || window.__firstRow);
  if (profiling) {
    const { profile: p } = await profiling.send('Profiler.stop');
    const origin = await page.evaluate(() => performance.timeOrigin);
    (await import('node:fs')).writeFileSync(profile, JSON.stringify({ ...p, timeOrigin: origin }));
  }
  // Where the time went: the app's own 'atelier:' marks (main script run, app mounted, library code loaded, the
  // first-screen record read and shown), in ms from navigation start.
  const marks = await page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('atelier:'))
        .map((m) => [m.name.slice(8), Math.round(m.startTime)]),
    ),
  );
  // The gallery's own first thumbnail on screen (its code loaded and rendered), apart from the early picture.
  const live = await page.evaluate(async () => {
    for (let i = 0; i < 100 && !window.__livePainted; i++) await new Promise((r) => setTimeout(r, 50));
    return window.__livePainted || window.__firstRow;
  });
  return { page, fromStart: painted, live, fromClick: painted - clickedAt, marks };
}

/**
 * The visit before the measured ones: the app reads the whole library once and writes its first-screen record, as
 * it does for anyone who has opened the library before (the seed writes the records, not that record).
 */
async function warmUp(context, appUrl) {
  const page = await context.newPage();
  await page.goto(`${appUrl}#library`);
  await page.waitForFunction(
    () => (JSON.parse(localStorage.getItem('atelier.library.recent.v2') ?? 'null')?.items?.length ?? 0) > 0,
    null,
    { timeout: 120_000, polling: 500 },
  );
  // The app may still be finishing its own writes after the record first appears; closing the page at once was
  // seen to leave no record for the next visit (measured visits then read the whole library instead).
  await new Promise((r) => setTimeout(r, 3000));
  await page.close();
}

export async function scrollThrough(page) {
  return page.evaluate(async () => {
    const long = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) long.push(e.duration);
    });
    obs.observe({ type: 'longtask', buffered: false });
    const scroller = document.querySelector('.scroller');
    const started = performance.now();
    await new Promise((resolve) => {
      const step = () => {
        scroller.scrollTop += 400;
        if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) resolve();
        else requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    await new Promise((r) => setTimeout(r, 500));
    obs.disconnect();
    return {
      ms: performance.now() - started,
      longTasks: long.length,
      worst: long.length ? Math.max(...long) : 0,
      cellsInDom: document.querySelectorAll('li.cell').length,
    };
  });
}

/** Runs the library benchmark in a fresh context; `generateLarge` makes the app save one ~4 MB image. */
export async function benchLibrary(browser, appUrl, generateLarge) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A key is set, so the Settings dialog does not open over the app (no request is made without Generate).
  await connectBench(context);
  try {
    const setup = await context.newPage();
    await setup.goto(appUrl);
    const before = await setup.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const sums = await seed(setup, ITEMS);
    const after = await setup.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await setup.close();

    await warmUp(context, appUrl);
    const opened = [];
    const liveOpened = [];
    const breakdowns = [];
    const pressed = [];
    for (let n = 0; n < RUNS; n++) {
      const visit = await firstRow(context, appUrl);
      opened.push(visit.fromStart);
      liveOpened.push(visit.live);
      breakdowns.push({ ...visit.marks, 'first row painted': Math.round(visit.fromStart) });
      await visit.page.close();
      const click = await firstRow(context, appUrl, { press: true });
      pressed.push(click.fromClick);
      await click.page.close();
    }
    const fromStart = median(opened);
    const fromClick = median(pressed);
    // BENCH_TRACE=file.json records a Chrome trace of one more /#library visit (for finding where the time goes).
    if (process.env.BENCH_TRACE) {
      await browser.startTracing(undefined, {
        path: process.env.BENCH_TRACE,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'toplevel',
          'blink',
          'blink.user_timing',
          'v8.execute',
          'IndexedDB',
          'loading',
          'disabled-by-default-v8.cpu_profiler',
        ],
      });
      const traced = await firstRow(context, appUrl);
      await browser.stopTracing();
      await traced.page.close();
    }
    // BENCH_PROFILE=file.json records a JS CPU profile of one more /#library visit.
    if (process.env.BENCH_PROFILE) {
      const traced = await firstRow(context, appUrl, { profile: process.env.BENCH_PROFILE });
      await traced.page.close();
    }
    const { page } = await firstRow(context, appUrl);
    const scroll = await scrollThrough(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    await page.close();

    const save = await generateLarge(context);
    const stored = sums.imageTotal + sums.thumbTotal;
    return {
      items: ITEMS,
      imageBytes: IMAGE_BYTES,
      fromStart,
      live: median(liveOpened),
      fromClick,
      breakdown: breakdowns.find((b) => b['first row painted'] === Math.round(fromStart)),
      scroll,
      heap,
      used: after - before,
      stored,
      save,
    };
  } finally {
    await context.close();
  }
}

/** The figures as lines for scripts/bench.mjs. */
export function libraryLines(r) {
  const mb = (n) => (n / 1024 / 1024).toFixed(1);
  const flag = (ok) => (ok ? '' : '  OVER BUDGET');
  const ratio = r.used / r.stored;
  return [
    `(${r.items} items of ${(r.imageBytes / 1024).toFixed(0)} KB + a WebP thumbnail each)`,
    `app start (navigation to /#library) → first gallery row painted   ${Math.round(r.fromStart)} ms (median of ${RUNS})   [budget ≤ 300 ms]${flag(r.fromStart <= 300)}`,
    ...(r.breakdown
      ? [
          `  (that run, ms from navigation start: ${Object.entries(r.breakdown)
            .sort((a, b) => a[1] - b[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(' → ')})`,
        ]
      : []),
    `  of which the gallery's own thumbnails (its code loaded, the grid rendered)   ${Math.round(r.live)} ms (median); before that, the first screen painted from localStorage by public/library-boot.js`,
    `Library pressed in the studio → first row painted                ${Math.round(r.fromClick)} ms (median of ${RUNS})`,
    `scroll top → bottom                     ${Math.round(r.scroll.ms)} ms, ${r.scroll.longTasks} long task(s) > 50 ms (worst ${Math.round(r.scroll.worst)} ms), ${r.scroll.cellsInDom} cells in the DOM   [no long tasks]${flag(r.scroll.longTasks === 0)}`,
    `JS heap after scrolling                 ${mb(r.heap.usedSize)} MB   [budget ≤ 150 MB]${flag(r.heap.usedSize <= 150 * 1024 * 1024)}`,
    `storage used / image + thumbnail bytes  ${ratio.toFixed(3)}× (${mb(r.used)} MB for ${mb(r.stored)} MB)   [budget ≤ 1.05×]${flag(ratio <= 1.05)}`,
    r.save
      ? `saving a ${mb(r.save.bytes)} MB image + thumbnail         ${Math.round(r.save.ms)} ms from its Blob to stored (thumbnail ready at ${Math.round(r.save.thumbMs)} ms); main thread blocked ${Math.round(r.save.blockedMs)} ms in ${r.save.longTasks} long task(s)   [budget ≤ 100 ms]${flag(r.save.ms <= 100)}`
      : 'saving a large image                    not measured (the save did not report)',
    ...(r.save?.steps
      ? [
          `  (steps, ms from the Blob: ${Object.entries(r.save.steps)
            .sort((a, b) => a[1] - b[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(' → ')} → stored ${Math.round(r.save.ms)})`,
        ]
      : []),
  ];
}
