#!/usr/bin/env node
// `npm run bench`: prints Atelier's speed and size figures (budgets in brackets). Not a test: it measures.
//  1. Initial JS and CSS the page loads before any user action, gzip bytes   [JS ≤ 60 KB]
//  2. Last byte of a streamed ~8 MB final-image event → image painted, headless Chromium   [≤ 100 ms]
//  3. The library with 2,000 items: first row, scrolling, heap, storage overhead, saving (scripts/bench-library.mjs)
// BENCH_ONLY=library runs only section 3.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';
import { benchLibrary, printLibrary } from './bench-library.mjs';

const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 4190);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROMPT = 'Benchmark: a very detailed harbour at night';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A real PNG whose base64 is about `targetMB` MB: noisy pixels so that it does not compress away. */
async function makeFinalImage(targetMB) {
  const side = 1536;
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
function startStreamServer(final) {
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

async function main() {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  const preview = spawn('npx', ['vite', 'preview', '--port', String(APP_PORT), '--strictPort'], {
    stdio: 'ignore',
  });
  const appUrl = `http://127.0.0.1:${APP_PORT}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(appUrl)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const final = await makeFinalImage(8);
  final.small = (
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#345' } })
      .png()
      .toBuffer()
  ).toString('base64');
  const api = await startStreamServer(final);
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });

  // 3. The library, with its own API stand-in streaming a ~4 MB PNG (the image the app saves and times).
  const big = await makeFinalImage(5.4);
  big.small = final.small;
  const bigApi = await startStreamServer(big);
  const generateLarge = async (context) => {
    const p = await context.newPage();
    await p.addInitScript(
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
      [`http://127.0.0.1:${bigApi.port}/v1`],
    );
    await p.goto(appUrl);
    await p.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
    await p.getByRole('button', { name: 'Generate' }).click();
    const handle = await p.waitForFunction(
      () => {
        const m = performance.getEntriesByName('atelier:library-save').find((e) => e.detail.bytes > 1e6);
        return m ? { ms: m.duration, bytes: m.detail.bytes, thumbMs: m.detail.thumbMs } : null;
      },
      null,
      { timeout: 60_000 },
    );
    const r = await handle.jsonValue();
    await p.close();
    return r;
  };
  if (process.env.BENCH_ONLY === 'library') {
    try {
      printLibrary(await benchLibrary(browser, appUrl, generateLarge));
    } finally {
      await browser.close();
      api.server.close();
      bigApi.server.close();
      preview.kill();
    }
    return;
  }

  try {
    // 1. Initial load: every script and stylesheet fetched before the first user action.
    const page = await browser.newPage();
    const assets = new Map();
    const pending = [];
    page.on('response', (res) => {
      const type = res.request().resourceType();
      if (type === 'script' || type === 'stylesheet')
        pending.push(res.body().then((body) => assets.set(res.url(), { type, body })));
    });
    await page.goto(appUrl, { waitUntil: 'networkidle' });
    await Promise.all(pending);
    let js = 0;
    let css = 0;
    let fabricLoaded = false;
    for (const [url, a] of assets) {
      const gz = gzipSync(a.body, { level: 9 }).length;
      if (a.type === 'script') js += gz;
      else css += gz;
      if (/fabric/i.test(url) || a.body.includes('fabric.js')) fabricLoaded = true;
    }
    await page.close();

    // 2. Stream → paint latency.
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

    const kb = (n) => (n / 1024).toFixed(1);
    console.log('\nAtelier benchmark (headless Chromium, this machine)');
    console.log(
      `  initial JS (gzip)             ${kb(js)} KB   [budget ≤ 60 KB]${js > 60 * 1024 ? '  OVER BUDGET' : ''}`,
    );
    console.log(`  initial CSS (gzip)            ${kb(css)} KB`);
    console.log(`  fabric in the initial load    ${fabricLoaded ? 'YES (should be lazy)' : 'no'}`);
    const ms = (xs) => `${Math.round(median(xs))} ms`;
    console.log(
      `  last byte → painted           median ${ms(latencies)} (min ${Math.round(Math.min(...latencies))}, max ${Math.round(Math.max(...latencies))}) over ${RUNS} runs   [budget ≤ 100 ms]`,
    );
    console.log(
      `    of which Atelier: last byte → image Blob ready          ${ms(parts.map((p) => p.ours))}`,
    );
    console.log(
      `    of which the browser: Blob → decoded and painted        ${ms(parts.map((p) => p.browser))}`,
    );
    console.log(
      `    (server flush → page reads the last byte, not counted:  ${ms(parts.map((p) => p.flush))})`,
    );
    console.log(`    (event: ${final.mb.toFixed(1)} MB of base64, a ${final.side}×${final.side} PNG)`);
    printLibrary(await benchLibrary(browser, appUrl, generateLarge));
  } finally {
    await browser.close();
    api.server.close();
    bigApi.server.close();
    preview.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
