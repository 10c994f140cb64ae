// Delivery of a validated generation: a JSON ImagesResponse, or an SSE stream of
// image_generation.partial_image / image_generation.completed events, with the delivery
// scenarios (cut, stall, error-event, error-event-flat, end-early, slow, paced, crlf, done) applied.
//
// Streaming with n > 1 sends one image_generation.completed event per image and no partials
// (the events carry no image index, so partials could not be told apart).

import { renderImageB64 } from './images.mjs';
import { errorEvent, serverError } from './scenarios.mjs';
import { usageFor } from './usage.mjs';

/** `paced`: the final event's text goes out in pieces this big, this far apart. */
const PACED_CHUNK = 64 * 1024;
const PACED_GAP_MS = 8;
/** How long `stall` keeps a connection open at most. */
export const STALL_MS = 10 * 60 * 1000;

/**
 * @typedef {object} DeliveryContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {AbortSignal} signal aborted when the client goes away
 * @property {string[]} scenarios selected scenario names
 * @property {number} delayMs time between events (or before a JSON response)
 * @property {boolean} done append `data: [DONE]`
 * @property {(status: number, body: unknown, headers?: Record<string, string>) => void} sendJson
 * @property {(o: import('./images.mjs').RenderOptions) => Promise<string>} [render] base64 image bytes;
 *   default: the prompt-hashed picture (edits pass one derived from the input images)
 * @property {'image_generation' | 'image_edit'} [eventPrefix] SSE event names; default image_generation
 */

/** Resolve after `ms`, or early (without error) when `signal` aborts. @param {number} ms @param {AbortSignal} signal */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve(undefined);
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** @param {import('./validate.mjs').GenerationParams} p @param {number} i */
function imagePrompt(p, i) {
  return i === 0 ? p.prompt : `${p.prompt}\u0000${i}`;
}

/**
 * Start rendering, swallowing rejections of renders nobody ends up awaiting.
 * @param {import('./images.mjs').RenderOptions} o
 */
function render(o) {
  const pr = renderImageB64(o);
  pr.catch(() => {});
  return pr;
}

/** @param {import('./validate.mjs').GenerationParams} p @param {number} i */
function renderOptions(p, i) {
  return {
    width: p.width,
    height: p.height,
    format: p.outputFormat,
    prompt: imagePrompt(p, i),
    background: p.background,
    compression: p.compression,
    frames: p.outputFormat === 'gif' ? p.frames : undefined,
    frameDurationMs: p.outputFormat === 'gif' ? p.frameDurationMs : undefined,
  };
}

/** Keep the connection open until the client leaves or STALL_MS pass, then drop it. @param {DeliveryContext} ctx */
async function stall(ctx) {
  await sleep(STALL_MS, ctx.signal);
  ctx.res.socket?.destroy();
}

/**
 * Answer with a JSON ImagesResponse.
 * @param {import('./validate.mjs').GenerationParams} p @param {DeliveryContext} ctx
 */
export async function deliverJson(p, ctx) {
  const draw = ctx.render ?? render;
  const images = Array.from({ length: p.n }, (_, i) => draw(renderOptions(p, i)));
  await sleep(ctx.delayMs, ctx.signal);
  if (ctx.signal.aborted) return;
  if (ctx.scenarios.includes('cut')) return void ctx.req.socket.destroy();
  if (ctx.scenarios.includes('stall')) return stall(ctx);
  if (ctx.scenarios.includes('error-event') || ctx.scenarios.includes('error-event-flat')) {
    const e = serverError();
    return ctx.sendJson(e.status, e.body);
  }
  if (ctx.scenarios.includes('end-early'))
    return ctx.sendJson(200, { created: Math.floor(Date.now() / 1000), data: [] });
  const data = await Promise.all(images);
  if (ctx.signal.aborted) return;
  ctx.sendJson(200, {
    created: Math.floor(Date.now() / 1000),
    data: data.map((b64_json) => ({ b64_json })),
    background: p.background,
    output_format: p.outputFormat,
    size: p.size,
    quality: p.quality,
    usage: usageFor(p),
  });
}

/**
 * Answer with an SSE stream.
 * @param {import('./validate.mjs').GenerationParams} p @param {DeliveryContext} ctx
 */
export async function deliverStream(p, ctx) {
  const { res, signal, scenarios } = ctx;
  const nl = scenarios.includes('crlf') ? '\r\n' : '\n';
  const fault = ['cut', 'stall', 'error-event', 'error-event-flat'].find((s) => scenarios.includes(s));
  // A clean end of the stream with no completed event, after the partials asked for (at least one).
  const endEarly = !fault && scenarios.includes('end-early');
  // Fault scenarios always send exactly one partial first.
  const partialCount = fault ? 1 : endEarly ? Math.max(1, p.partialImages) : p.n > 1 ? 0 : p.partialImages;
  const draw = ctx.render ?? render;
  const ev = ctx.eventPrefix ?? 'image_generation';
  const partials = Array.from({ length: partialCount }, (_, i) =>
    draw({ ...renderOptions(p, 0), partialIndex: i, partialCount }),
  );
  const finals = Array.from({ length: endEarly ? 0 : fault ? 1 : p.n }, (_, i) => draw(renderOptions(p, i)));

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();

  const common = () => ({
    created_at: Math.floor(Date.now() / 1000),
    size: p.size,
    quality: p.quality,
    background: p.background,
    output_format: p.outputFormat,
  });
  /** @param {string} event @param {unknown} data */
  const send = (event, data) => res.write(`event: ${event}${nl}data: ${JSON.stringify(data)}${nl}${nl}`);
  /** Like `send`, but in 64 KB pieces 8 ms apart (~65 Mbit/s), as a final image comes over a real network. */
  const sendPaced = async (/** @type {string} */ event, /** @type {unknown} */ data) => {
    const text = `event: ${event}${nl}data: ${JSON.stringify(data)}${nl}${nl}`;
    for (let at = 0; at < text.length && !signal.aborted; at += PACED_CHUNK) {
      res.write(text.slice(at, at + PACED_CHUNK));
      await sleep(PACED_GAP_MS, signal);
    }
  };

  for (let i = 0; i < partialCount; i++) {
    await sleep(ctx.delayMs, signal);
    const b64 = await partials[i];
    if (signal.aborted) return;
    send(`${ev}.partial_image`, {
      type: `${ev}.partial_image`,
      b64_json: b64,
      ...common(),
      partial_image_index: i,
    });
  }

  if (endEarly) {
    await sleep(ctx.delayMs, signal);
    if (signal.aborted) return;
    if (ctx.done) res.write(`data: [DONE]${nl}${nl}`);
    return void res.end();
  }

  if (fault) {
    await sleep(ctx.delayMs, signal);
    if (signal.aborted) return;
    if (fault === 'stall') return stall(ctx);
    if (fault === 'cut') {
      const b64 = /** @type {string} */ (await finals[0]);
      const head = `event: ${ev}.completed${nl}data: {"type":"${ev}.completed","b64_json":"`;
      // Write half an event, wait until it is on the wire, then drop the connection.
      res.write(head + b64.slice(0, Math.floor(b64.length / 2)), () => res.socket?.destroy());
      return;
    }
    send('error', errorEvent(fault === 'error-event-flat'));
    return void res.end();
  }

  for (let i = 0; i < finals.length; i++) {
    await sleep(ctx.delayMs, signal);
    const b64 = await finals[i];
    if (signal.aborted) return;
    const completed = {
      type: `${ev}.completed`,
      b64_json: b64,
      ...common(),
      usage: usageFor(p, { images: 1, partials: partialCount }),
    };
    if (scenarios.includes('paced')) await sendPaced(`${ev}.completed`, completed);
    else send(`${ev}.completed`, completed);
  }
  if (ctx.done) res.write(`data: [DONE]${nl}${nl}`);
  res.end();
}
