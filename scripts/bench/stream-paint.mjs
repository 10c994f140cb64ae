// Bench section: last byte of a streamed ~8 MB final-image event → image painted.
import { createServer } from 'node:http';
import sharp from 'sharp';
import { connectBench, median } from './util.mjs';

export const title = 'Streamed final image';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
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

/** A minimal API stand-in that streams one partial and one big final event, noting when its last byte left. */
export function startStreamServer(final) {
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
      setTimeout(() => {
        const event = `event: image_generation.completed\ndata: ${JSON.stringify({ type: 'image_generation.completed', b64_json: final.b64, ...meta, usage: { input_tokens: 10, output_tokens: 6000, total_tokens: 6010, input_tokens_details: { text_tokens: 10, image_tokens: 0 } } })}\n\n`;
        res.write(event, () => {
          lastByteAt = Date.now();
          res.end();
        });
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
  const api = await startStreamServer(final);
  try {
    const latencies = [];
    const fromServer = [];
    const busy = [];
    const longest = [];
    const parts = [];
    for (let run = 0; run < RUNS; run++) {
      const ctx = await browser.newContext();
      await connectBench(ctx, {
        baseUrl: `http://127.0.0.1:${api.port}/v1`,
        studio: { model: 'gpt-image-2', size: '1536x1536', stream: true, partialImages: 1 },
      });
      const p = await ctx.newPage();
      await p.goto(appUrl);
      await p.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
      await p.evaluate((prompt) => {
        // Ends two frames after the final pixels are on screen: a canvas the app has painted the picture on
        // (its role="img" wrapper gets data-painted right after the draw), or a visible <img> once decoded.
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
          requestAnimationFrame(() => requestAnimationFrame(() => (window.__paintedAt = Date.now())));
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
      await p.getByRole('button', { name: 'Generate' }).click();
      await p.waitForFunction(() => window.__paintedAt > 0, null, { timeout: 30_000 });
      const t = await p.evaluate(() => {
        const mark = performance.getEntriesByName('atelier:image-ready').at(-1);
        const decoded = performance.getEntriesByName('atelier:image-decoded').at(-1);
        const streaming = performance.getEntriesByName('atelier:image-streaming').at(-1);
        const at = (ms) => performance.timeOrigin + ms;
        return {
          painted: window.__paintedAt,
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
        decoded: t.decoded === null ? null : t.decoded - t.lastChunk,
        // From the later of (event ready, picture decoded) to painted: drawing and compositing.
        browser: t.painted - Math.max(t.ready, t.decoded ?? 0),
        by: t.by,
        arrival: t.streaming === null ? null : t.lastChunk - t.streaming,
      });
      await ctx.close();
    }

    const ms = (xs) => (xs.length ? `${Math.round(median(xs))} ms` : 'n/a');
    const decodedEarly = parts.map((p) => p.decoded).filter((d) => d !== null);
    const by = [...new Set(parts.map((p) => p.by))].join(', ');
    return [
      `last byte → painted           median ${ms(latencies)} (min ${Math.round(Math.min(...latencies))}, max ${Math.round(Math.max(...latencies))}) over ${RUNS} runs   [budget ≤ 100 ms]`,
      `  Atelier: last byte → image event and Blob ready         ${ms(parts.map((p) => p.ours))}`,
      `  in parallel: last byte → picture decoded while streaming ${ms(decodedEarly)} (${decodedEarly.length} of ${RUNS} runs)`,
      `  then: the later of those two → painted (${by})   ${ms(parts.map((p) => p.browser))}`,
      `  (server flush → page reads the last byte, not counted:  ${ms(parts.map((p) => p.flush))})`,
      `  server wrote the last byte → painted                     ${ms(fromServer)}`,
      `  main thread, Generate → painted: long tasks ${ms(busy)} in all, the longest ${ms(longest)}`,
      `  (the final image's bytes reached the page over:          ${ms(parts.map((p) => p.arrival).filter((a) => a !== null))})`,
      `  (event: ${final.mb.toFixed(1)} MB of base64, a ${final.side}×${final.side} PNG)`,
    ];
  } finally {
    api.server.close();
  }
}
