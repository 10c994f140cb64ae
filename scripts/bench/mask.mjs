// Bench section: the mask studio. Opening it the first time (fabric loads on demand, never with the page),
// painting on a 3840×2160 image, and exporting the mask (alpha + PNG encode) at 1024² and 3840×2160.
import sharp from 'sharp';
import { connectBench, median } from './util.mjs';

export const title = 'Mask studio';

const EXPORTS = Number(process.env.BENCH_RUNS ?? 7);
const OPENS = Math.max(3, Math.min(5, EXPORTS));

/** A smooth photo-like PNG (compresses well, so the upload is quick). */
async function photo(width, height) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 255) / width;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = 120;
    }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

/**
 * A fresh context (empty HTTP cache), Edit mode with one image, then the mask studio opened by a click.
 * Returns the page, the time from the click to a usable editor (in the page), and the scripts loaded before
 * and by the click.
 */
async function openStudio(browser, appUrl, image, name) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // A key, so the first-run Settings dialog stays closed (nothing is sent: the studio works offline).
  await connectBench(ctx);
  const page = await ctx.newPage();
  const scripts = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
  await page.goto(appUrl, { waitUntil: 'networkidle' });
  const initial = scripts.length;
  await page.getByRole('tab', { name: 'Edit' }).click();
  const sources = page.getByRole('region', { name: 'Source images' });
  await sources
    .getByRole('button', { name: 'Add images' })
    .setInputFiles({ name, mimeType: 'image/png', buffer: image });
  await sources.getByRole('img', { name }).waitFor();
  const openMs = await page.evaluate(async () => {
    const button = [...document.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === 'Edit mask',
    );
    const start = performance.now();
    button.click();
    await new Promise((resolve) => {
      const ready = () =>
        document.querySelector('dialog[aria-label="Mask editor"] button[aria-pressed="true"]')
          ? resolve()
          : requestAnimationFrame(ready);
      ready();
    });
    return performance.now() - start;
  });
  return {
    ctx,
    page,
    openMs,
    initialScripts: scripts.slice(0, initial),
    lazyScripts: scripts.slice(initial),
  };
}

/** Frames of the open studio left alone for `ms`: what this machine's load alone costs (for comparison). */
async function still(page, ms = 2000) {
  const frames = await page.evaluate(
    (duration) =>
      new Promise((resolve) => {
        const out = [];
        const tick = (t) => {
          out.push(t);
          if (t - out[0] < duration) requestAnimationFrame(tick);
          else resolve(out);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  return {
    fps: (frames.length - 1) / ((frames.at(-1) - frames[0]) / 1000),
    p95: [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.95)],
    worst: Math.max(...gaps),
  };
}

/** Drags across the canvas in a zig-zag; returns rAF frames per second and the longest frame while painting. */
async function paint(page, { strokes = 4, steps = 60 } = {}) {
  const dialog = page.getByRole('dialog', { name: 'Mask editor' });
  const box = await dialog.locator('canvas.upper-canvas').boundingBox();
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    w.__painting = true;
    // For the breakdown only: when each stroke began and ended, and the long animation frames' scripts.
    w.__downs = [];
    w.__ups = [];
    w.__loaf = [];
    addEventListener('pointerdown', () => w.__downs.push(performance.now()), true);
    addEventListener('pointerup', () => w.__ups.push(performance.now()), true);
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          w.__loaf.push({
            start: e.startTime,
            duration: e.duration,
            scripts: (e.scripts ?? []).map((x) => ({
              invoker: x.invoker,
              duration: Math.round(x.duration),
              fn: x.sourceFunctionName,
            })),
          });
      }).observe({ type: 'long-animation-frame', buffered: false });
    } catch {
      // No Long Animation Frames API: the breakdown has no script names.
    }
    const tick = (t) => {
      w.__frames.push(t);
      if (w.__painting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  for (let s = 0; s < strokes; s++) {
    const y = box.y + box.height * (0.15 + (0.7 * s) / Math.max(1, strokes - 1));
    await page.mouse.move(box.x + box.width * 0.05, y);
    await page.mouse.down();
    for (let i = 1; i <= steps; i++) {
      const fx = 0.05 + (0.9 * i) / steps;
      await page.mouse.move(box.x + box.width * fx, y + Math.sin(i / 4) * box.height * 0.05);
    }
    await page.mouse.up();
  }
  const { frames, downs, ups, loaf } = await page.evaluate(() => {
    window.__painting = false;
    return { frames: window.__frames, downs: window.__downs, ups: window.__ups, loaf: window.__loaf };
  });
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  const seconds = (frames.at(-1) - frames[0]) / 1000;
  // Breakdown of the frames over 17 ms by what was going on when they ended: a stroke under way, the 100 ms
  // after a stroke ended, or neither (idle catch-up). Not part of the figures above.
  const phase = (t) => {
    const d = downs.filter((x) => x <= t).at(-1) ?? -Infinity;
    const u = ups.filter((x) => x <= t).at(-1) ?? -Infinity;
    if (d > u) return 'stroke';
    return t - u <= 100 ? 'end' : 'idle';
  };
  const long = { stroke: [], end: [], idle: [] };
  gaps.forEach((g, i) => g > 17 && long[phase(frames[i + 1])].push(Math.round(g)));
  const top = loaf
    .filter((e) => e.start + e.duration > frames[0])
    .sort((a, b) => b.duration - a.duration)
    .slice(0, 3)
    .map(
      (e) =>
        `${Math.round(e.duration)} ms [${phase(e.start + e.duration)}]: ` +
        (e.scripts.map((x) => `${x.invoker}${x.fn ? ` (${x.fn})` : ''} ${x.duration} ms`).join(', ') ||
          'no script (rendering)'),
    );
  return {
    fps: (frames.length - 1) / seconds,
    frames: gaps.length,
    over: gaps.filter((g) => g > 17).length,
    worst: Math.max(...gaps),
    p95: [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.95)],
    long,
    top,
  };
}

/**
 * Clicks "Export mask" `n` times, the first right after the last stroke (so it includes any work the editor
 * still had queued from painting); returns the per-export totals and parts from the editor's User Timing.
 */
async function exportTimes(page, n) {
  const dialog = page.getByRole('dialog', { name: 'Mask editor' });
  const button = dialog.getByRole('button', { name: 'Export mask' });
  const count = () => page.evaluate(() => performance.getEntriesByName('atelier:mask-export:encode').length);
  for (let i = 0; i < n; i++) {
    const before = await count();
    await button.click();
    await page.waitForFunction(
      (b) => performance.getEntriesByName('atelier:mask-export:encode').length > b,
      before,
    );
  }
  return page.evaluate((k) => {
    const last = (name) =>
      performance
        .getEntriesByName(`atelier:mask-export:${name}`)
        .slice(-k)
        .map((e) => e.duration);
    const read = last('read');
    const alpha = last('alpha');
    const encode = last('encode');
    const total = read.map((r, i) => r + alpha[i] + encode[i]);
    return { total, first: total[0], read, alpha, encode };
  }, n);
}

const ms = (x) => `${x.toFixed(0)} ms`;

/**
 * "Painting holds 60 fps": rAF runs at the display's 60 Hz, so fps is frames ÷ seconds and a dropped frame is a
 * gap of two vsyncs (33 ms). Averaged fps hides drops (57 fps is one frame in twenty lost), so both must hold:
 * at least 59.5 frames a second (under one frame in 120 dropped) and 95% of the gaps within one vsync
 * (16.7 ms, ≤ 17 ms allowing for timer jitter).
 */
const holds60 = (f) => f.fps >= 59.5 && f.p95 <= 17;
const flag = (ok) => (ok ? '' : '  OVER BUDGET');

/** @param {{ browser: import('@playwright/test').Browser, appUrl: string }} ctx */
export async function run({ browser, appUrl }) {
  const lines = [];
  const small = await photo(1024, 1024);
  const big = await photo(3840, 2160);

  // Opening the studio the first time, each in a fresh context; and what the page loaded before.
  const opens = [];
  let fabricEarly = false;
  let fabricChunk = null;
  for (let i = 0; i < OPENS; i++) {
    const s = await openStudio(browser, appUrl, small, 'square.png');
    opens.push(s.openMs);
    const lazyBodies = await Promise.all(
      s.lazyScripts
        .filter((url) => url.startsWith(appUrl)) // the app's own chunks only
        .map(async (url) => ({ url, text: await (await fetch(url)).text() })),
    );
    const fabric = lazyBodies.find((b) => b.text.includes('upper-canvas'));
    if (fabric) fabricChunk = fabric.url.split('/').pop();
    if (fabric && s.initialScripts.includes(fabric.url)) fabricEarly = true;
    if (i === 0) {
      const dialog = s.page.getByRole('dialog', { name: 'Mask editor' });
      await dialog.getByRole('slider', { name: 'Brush size' }).fill('60');
      await paint(s.page, { strokes: 3, steps: 20 });
      const t = await exportTimes(s.page, EXPORTS);
      lines.push(
        `mask export 1024×1024        ${ms(median(t.total))}   [budget ≤ 40 ms]${flag(median(t.total) <= 40)}` +
          `   (read ${ms(median(t.read))}, alpha ${ms(median(t.alpha))}, encode ${ms(median(t.encode))}; ${EXPORTS} runs)`,
      );
    }
    await s.ctx.close();
  }
  const open = median(opens);

  // 3840×2160: painting, then exporting.
  const s = await openStudio(browser, appUrl, big, 'uhd.png');
  const dialog = s.page.getByRole('dialog', { name: 'Mask editor' });
  await dialog.getByRole('slider', { name: 'Brush size' }).fill('120');
  const idle = await still(s.page);
  const p = await paint(s.page, { strokes: 4, steps: 60 });
  const t = await exportTimes(s.page, EXPORTS);
  await s.ctx.close();

  lines.push(
    `mask export 3840×2160        ${ms(median(t.total))}   [budget ≤ 400 ms]${flag(median(t.total) <= 400)}` +
      `   (read ${ms(median(t.read))}, alpha ${ms(median(t.alpha))}, encode ${ms(median(t.encode))}; ${EXPORTS} runs)`,
    `… first export right after painting ${ms(t.first)}`,
    `painting on 3840×2160        ${p.fps.toFixed(1)} fps   [budget: holds 60 fps, i.e. ≥ 59.5 fps and p95 frame ≤ 17 ms]${flag(holds60(p))}` +
      `   (p95 frame ${ms(p.p95)}, worst ${ms(p.worst)}, ${p.over} of ${p.frames} frames over 17 ms)`,
    `… the same page left alone    ${idle.fps.toFixed(0)} fps   (p95 frame ${ms(idle.p95)}, worst ${ms(idle.worst)}; the machine's own share)`,
    `… frames over 17 ms: ${Object.entries(p.long)
      .map(([k, v]) => `${k} ${v.length}${v.length ? ` (${v.join(', ')} ms)` : ''}`)
      .join('; ')}`,
    ...p.top.map((x) => `… long frame ${x}`),
    `open mask studio, first time ${ms(open)}   [budget ≤ 300 ms]${flag(open <= 300)}   (click → tools ready, fabric fetched; median of ${OPENS})`,
    `fabric in the initial load    ${fabricEarly ? 'YES (should be lazy)' : 'no'}${fabricChunk ? ` (it arrives with the studio: ${fabricChunk})` : ' (fabric chunk not identified)'}`,
  );
  return lines;
}
