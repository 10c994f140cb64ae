// Bench section: last byte of a streamed ~8 MB final-image event → image painted.
import { createServer } from 'node:http';
import sharp from 'sharp';
import { median } from './util.mjs';

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
    const parts = [];
    for (let run = 0; run < RUNS; run++) {
      const ctx = await browser.newContext();
      await ctx.addInitScript(
        ([base]) => {
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
          localStorage.setItem(
            'atelier.studio.v1',
            JSON.stringify({ model: 'gpt-image-2', size: '1536x1536', stream: true, partialImages: 1 }),
          );
        },
        [`http://127.0.0.1:${api.port}/v1`],
      );
      const p = await ctx.newPage();
      await p.goto(appUrl);
      await p.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
      await p.evaluate((prompt) => {
        window.__paintedAt = 0;
        const seen = new Set();
        new MutationObserver(() => {
          for (const img of document.querySelectorAll('img')) {
            if (seen.has(img) || !img.alt.startsWith(prompt)) continue;
            seen.add(img);
            img
              .decode()
              .then(() =>
                requestAnimationFrame(() => requestAnimationFrame(() => (window.__paintedAt = Date.now()))),
              );
          }
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      }, PROMPT);
      await p.getByRole('button', { name: 'Generate' }).click();
      await p.waitForFunction(() => window.__paintedAt > 0, null, { timeout: 30_000 });
      const t = await p.evaluate(() => {
        const mark = performance.getEntriesByName('atelier:image-ready').at(-1);
        const at = (ms) => performance.timeOrigin + ms;
        return {
          painted: window.__paintedAt,
          lastChunk: at(mark.detail.lastChunkAt),
          ready: at(mark.startTime),
        };
      });
      latencies.push(t.painted - t.lastChunk);
      parts.push({
        flush: t.lastChunk - api.lastByteAt(),
        ours: t.ready - t.lastChunk,
        browser: t.painted - t.ready,
      });
      await ctx.close();
    }

    const ms = (xs) => `${Math.round(median(xs))} ms`;
    return [
      `last byte → painted           median ${ms(latencies)} (min ${Math.round(Math.min(...latencies))}, max ${Math.round(Math.max(...latencies))}) over ${RUNS} runs   [budget ≤ 100 ms]`,
      `  of which Atelier: last byte → image Blob ready          ${ms(parts.map((p) => p.ours))}`,
      `  of which the browser: Blob → decoded and painted        ${ms(parts.map((p) => p.browser))}`,
      `  (server flush → page reads the last byte, not counted:  ${ms(parts.map((p) => p.flush))})`,
      `  (event: ${final.mb.toFixed(1)} MB of base64, a ${final.side}×${final.side} PNG)`,
    ];
  } finally {
    api.server.close();
  }
}
