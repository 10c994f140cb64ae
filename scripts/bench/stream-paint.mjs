// Bench section: last byte of a streamed ~8 MB final-image event → image painted.
import { createServer } from 'node:http';
import sharp from 'sharp';
import { connectBench, median } from './util.mjs';

export const title = 'Streamed final image';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BURST_RUNS = Math.max(3, Math.min(5, RUNS));
/**
 * How fast the final event reaches the page: a fast home or office connection. The API sends an 8 MB event
 * over the internet, so its bytes arrive over a good part of a second, and the budget is about what Atelier
 * still has to do once the last one is in. The all-at-once case is printed too.
 */
const NETWORK_MBPS = Number(process.env.BENCH_STREAM_MBPS ?? 100);
const PROMPT = 'Benchmark: a very detailed harbour at night';

/** A real PNG of side × side noisy pixels (so that it does not compress away): 1536 gives about 6 MB. */
export async function makeFinalImage(targetMB, side = 1536) {
  const raw = Buffer.alloc(side * side * 3);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const y = Math.floor(i / 3 / side);
    raw[i] = ((y * 255) / side + (seed >> 16) * 0.6) & 0xff;
  }
  let png = await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const b64 = png.toString('base64');
  return { b64, mb: b64.length / 1e6, side, targetMB };
}

/**
 * Writes `data` at `mbps` megabits per second in 64 KB slices, like a network link of that speed would deliver
 * it (0: all at once, as fast as the loopback takes it). Resolves when the last byte has been handed to the OS.
 */
async function sendPaced(res, data, mbps) {
  const write = (chunk) => new Promise((resolve) => res.write(chunk, resolve));
  if (!mbps) return write(data);
  const bytesPerMs = (mbps * 1e6) / 8 / 1000;
  const start = Date.now();
  for (let at = 0; at < data.length; at += 65536) {
    const end = Math.min(data.length, at + 65536);
    const due = start + end / bytesPerMs;
    await write(data.subarray(at, end));
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * A minimal API stand-in that streams one partial and one big final event, noting when its last byte left.
 * `pace.mbps` sets how fast the final event goes out (changeable between runs).
 */
export function startStreamServer(final, pace = { mbps: 0 }) {
  const small = final.small;
  let lastByteAt = 0;
  const server = createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'authorization, content-type, accept',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
    };
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    if (req.url === '/v1/models') {
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'gpt-image-2', object: 'model', shutdown_date: null }],
        }),
      );
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { ...cors, 'content-type': 'text/event-stream' });
      const meta = {
        created_at: 1,
        size: `${final.side}x${final.side}`,
        quality: 'high',
        background: 'opaque',
        output_format: 'png',
      };
      res.write(
        `event: image_generation.partial_image\ndata: ${JSON.stringify({ type: 'image_generation.partial_image', b64_json: small, partial_image_index: 0, ...meta })}\n\n`,
      );
      setTimeout(async () => {
        const event = Buffer.from(
          `event: image_generation.completed\ndata: ${JSON.stringify({ type: 'image_generation.completed', b64_json: final.b64, ...meta, usage: { input_tokens: 10, output_tokens: 6000, total_tokens: 6010, input_tokens_details: { text_tokens: 10, image_tokens: 0 } } })}\n\n`,
        );
        await sendPaced(res, event, pace.mbps);
        lastByteAt = Date.now();
        res.end();
      }, 300);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: server.address().port, lastByteAt: () => lastByteAt }),
    ),
  );
}

/** @param {{ browser: import('@playwright/test').Browser, appUrl: string }} ctx */
export async function run({ browser, appUrl }) {
  const final = await makeFinalImage(8);
  final.small = (
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } })
      .png()
      .toBuffer()
  ).toString('base64');
  const pace = { mbps: NETWORK_MBPS };
  const api = await startStreamServer(final, pace);
  try {
    const paced = await measure(browser, appUrl, api, RUNS);
    pace.mbps = 0;
    const burst = await measure(browser, appUrl, api, BURST_RUNS);
    return report(paced, burst, final);
  } finally {
    api.server.close();
  }
}

/** Generates `runs` times against the stand-in and times each final image from its last byte to painted. */
async function measure(browser, appUrl, api, runs) {
  const latencies = [];
  const fromServer = [];
  const busy = [];
  const longest = [];
  const parts = [];
  for (let run = 0; run < runs; run++) {
    const ctx = await browser.newContext();
    await connectBench(ctx, {
      baseUrl: `http://127.0.0.1:${api.port}/v1`,
      studio: { model: 'gpt-image-2', size: '1536x1536', stream: true, partialImages: 1 },
    });
    const p = await ctx.newPage();
    await p.goto(appUrl);
    // Each run is a fresh profile, so the service worker installs and precaches the app during it; a person
    // takes longer than that to write a prompt, so the run starts once it is ready (at most 10 s).
    await p.evaluate(() =>
      Promise.race([navigator.serviceWorker?.ready, new Promise((r) => setTimeout(r, 10_000))]),
    );
    await p.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
    await p.evaluate((prompt) => {
      // Ends two frames after the final pixels are drawn: on the card's canvas (its role="img" wrapper gets
      // data-painted once the picture is on it: drawn by the decode worker, which has the canvas, or by the
      // page), or a visible <img> once decoded.
      window.__paintedAt = 0;
      window.__paintedBy = '';
      // The main thread's long tasks (over 50 ms) until painted: how busy the page was while the image came.
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!window.__paintedAt) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
      const seen = new Set();
      const painted = (by) => {
        if (window.__paintedBy) return;
        window.__paintedBy = by;
        window.__drawnAt = Date.now();
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            window.__paintedAt = Date.now();
            performance.mark('bench:painted');
          }),
        );
      };
      const whenVisible = (el) =>
        el.checkVisibility() ? painted('img') : requestAnimationFrame(() => whenVisible(el));
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[role="img"][data-painted]')) {
          if (el.getAttribute('aria-label')?.startsWith(prompt)) painted('canvas');
        }
        for (const img of document.querySelectorAll('img')) {
          if (seen.has(img) || !img.alt.startsWith(prompt)) continue;
          seen.add(img);
          img.decode().then(() => whenVisible(img));
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    }, PROMPT);
    // BENCH_TRACE=file.json records a Chrome trace of the first run (for finding where the time goes).
    const tracing = process.env.BENCH_TRACE && run === 0;
    if (tracing)
      await browser.startTracing(p, {
        path: process.env.BENCH_TRACE,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'toplevel',
          'cc',
          'blink',
          'blink.user_timing',
          'disabled-by-default-v8.cpu_profiler',
        ],
      });
    await p.getByRole('button', { name: 'Generate' }).click();
    await p.waitForFunction(() => window.__paintedAt > 0, null, { timeout: 30_000 });
    // The image event (its Blob, and the last-byte time) now comes after the picture's frame.
    await p.waitForFunction(() => performance.getEntriesByName('atelier:image-ready').length > 0, null, {
      timeout: 30_000,
    });
    if (tracing) await browser.stopTracing();
    const t = await p.evaluate(() => {
      const mark = performance.getEntriesByName('atelier:image-ready').at(-1);
      const decoded = performance.getEntriesByName('atelier:image-decoded').at(-1);
      const streaming = performance.getEntriesByName('atelier:image-streaming').at(-1);
      const at = (ms) => performance.timeOrigin + ms;
      return {
        painted: window.__paintedAt,
        drawn: window.__drawnAt,
        by: window.__paintedBy,
        lastChunk: at(mark.detail.lastChunkAt),
        ready: at(mark.startTime),
        decoded: decoded ? at(decoded.startTime) : null,
        streaming: streaming ? at(streaming.startTime) : null,
        longTasks: window.__longTasks,
      };
    });
    latencies.push(t.painted - t.lastChunk);
    fromServer.push(t.painted - api.lastByteAt());
    busy.push(t.longTasks.reduce((a, b) => a + b, 0));
    longest.push(Math.max(0, ...t.longTasks));
    parts.push({
      flush: t.lastChunk - api.lastByteAt(),
      ours: t.ready - t.lastChunk,
      // The page told that the picture is drawn (by the decode worker on the card's canvas) or decoded.
      decoded: t.decoded === null ? null : t.decoded - t.lastChunk,
      // From then to the card saying it is painted (the page's own draw, when it draws)…
      draw: t.drawn - (t.decoded ?? t.drawn),
      // …and from there, two frames.
      frames: t.painted - t.drawn,
      by: t.by,
      arrival: t.streaming === null ? null : t.lastChunk - t.streaming,
    });
    await ctx.close();
  }

  return { latencies, fromServer, busy, longest, parts, runs };
}

function report(paced, burst, final) {
  const ms = (xs) => (xs.length ? `${Math.round(median(xs))} ms` : 'n/a');
  const { latencies, fromServer, busy, longest, parts, runs } = paced;
  const decodedEarly = parts.map((p) => p.decoded).filter((d) => d !== null);
  const by = [...new Set(parts.map((p) => p.by))].join(', ');
  const range = (xs) => `(min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
  return [
    `last byte → painted, the event arriving at ${NETWORK_MBPS} Mbit/s   median ${ms(latencies)} ${range(latencies)} over ${runs} runs   [budget ≤ 100 ms]`,
    `  last byte → picture decoded and drawn, the page told       ${ms(decodedEarly)} (${decodedEarly.length} of ${runs} runs)`,
    `  then the card marked painted (${by})                    ${ms(parts.map((p) => p.draw))}`,
    `  then two frames to the screen                            ${ms(parts.map((p) => p.frames))}`,
    `  (the image event and its Blob reach the page after that frame: ${ms(parts.map((p) => p.ours))} after the last byte)`,
    `  server wrote the last byte → painted                     ${ms(fromServer)}`,
    `  main thread, Generate → painted: long tasks ${ms(busy)} in all, the longest ${ms(longest)}`,
    `  (the final image's bytes reached the page over:          ${ms(parts.map((p) => p.arrival).filter((a) => a !== null))})`,
    `all 8 MB at once over loopback (no network pacing): last byte → painted   median ${ms(burst.latencies)} ${range(burst.latencies)} over ${burst.runs} runs`,
    `  (there the PNG decode, ${ms(burst.parts.map((p) => p.decoded).filter((d) => d !== null))} after the last byte, cannot overlap the arrival)`,
    `  (event: ${final.mb.toFixed(1)} MB of base64, a ${final.side}×${final.side} PNG)`,
  ];
}
