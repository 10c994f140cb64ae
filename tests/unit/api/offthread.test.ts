import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiFetch } from '../../../src/lib/api/client';
import { ApiError, NetworkError, StreamError } from '../../../src/lib/api/errors';
import type { GenerationEvent, StreamMark } from '../../../src/lib/api/images';
import {
  pumpBody,
  receiveImageStream,
  serveImageStream,
  type PortLike,
} from '../../../src/lib/api/offthread';
import { fromWire, toWire } from '../../../src/lib/api/wire-errors';
import { responseFromWorker, serveFetch, workerStreamOf } from '../../../src/lib/api/offthread-fetch';
import type { DecoderApi } from '../../../src/lib/images/progressive';
import { decodeRemotely, serveDecode } from '../../../src/lib/images/decode-remote';

/** PNG-signed bytes, long enough to be lifted out of the stream. */
const png = (n = 3000) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(n)]);

/**
 * Two connected ports that deliver each message in a later task, as a MessagePort does (and hold messages until
 * a handler is set). Objects pass by reference: the fake pictures below are not structured-cloneable.
 */
function channel() {
  const log: { to: 'page' | 'worker'; t: string }[] = [];
  const make = (name: 'page' | 'worker') => {
    const port = {
      closed: false,
      other: null as unknown as { closed: boolean; onmessage: PortLike['onmessage'] },
      onmessage: null as PortLike['onmessage'],
      postMessage(m: unknown) {
        if (port.closed || port.other.closed) return;
        log.push({ to: name === 'page' ? 'worker' : 'page', t: (m as { t: string }).t });
        const deliver = () => {
          if (port.other.closed) return;
          if (!port.other.onmessage) return void setTimeout(deliver, 1);
          port.other.onmessage({ data: m } as MessageEvent);
        };
        setTimeout(deliver, 0);
      },
      close() {
        port.closed = true;
      },
    };
    return port;
  };
  const page = make('page');
  const worker = make('worker');
  page.other = worker;
  worker.other = page;
  return { page, worker, log };
}

/** An SSE body in pieces of `chunk` bytes; `cutAt` errors it there; `hang` never ends it. */
function sseBody(text: string, opts: { chunk?: number; cutAt?: number; hang?: boolean } = {}) {
  const bytes = new TextEncoder().encode(text);
  const end = opts.cutAt ?? bytes.length;
  const step = opts.chunk ?? 4096;
  let at = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 1));
      if (at < end) {
        c.enqueue(bytes.slice(at, Math.min(end, at + step)));
        at += step;
      } else if (opts.cutAt !== undefined) c.error(new TypeError('network error'));
      else if (opts.hang) await new Promise(() => {});
      else c.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

const sse = (events: object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
const partial = (b: Buffer) => ({
  type: 'image_generation.partial_image',
  b64_json: b.toString('base64'),
  partial_image_index: 0,
  output_format: 'png',
});
const completed = (b: Buffer, extra: object = {}) => ({
  type: 'image_generation.completed',
  b64_json: b.toString('base64'),
  output_format: 'png',
  size: '1024x1024',
  usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
  ...extra,
});

/** WebCodecs stand-in whose picture is {decoded: the bytes it was given}. */
function fakeDecoderApi(): DecoderApi {
  class FakeDecoder {
    private readonly done: Promise<number[]>;
    constructor(init: ImageDecoderInit) {
      const reader = (init.data as ReadableStream<Uint8Array>).getReader();
      this.done = (async () => {
        const bytes: number[] = [];
        for (let r = await reader.read(); !r.done; r = await reader.read()) bytes.push(...r.value);
        return bytes;
      })();
    }
    async decode() {
      return { image: { bytes: await this.done, close() {} } as unknown as VideoFrame, complete: true };
    }
    close() {}
  }
  return {
    ImageDecoder: FakeDecoder as unknown as DecoderApi['ImageDecoder'],
    createImageBitmap: async (frame) =>
      ({
        decoded: Buffer.from((frame as unknown as { bytes: number[] }).bytes),
        closed: false,
        close() {
          (this as { closed: boolean }).closed = true;
        },
      }) as unknown as ImageBitmap,
  };
}

/** Runs both ends: the worker serves `body`, the page pumps it and receives the events. */
function both(
  body: ReadableStream<Uint8Array>,
  opts: {
    signal?: AbortSignal;
    lost?: AbortSignal;
    decode?: boolean;
    stallMs?: number;
    elsewhere?: Parameters<typeof serveImageStream>[1]['decodeElsewhere'];
    onArriving?: NonNullable<Parameters<typeof receiveImageStream>[1]>['onArriving'];
  } = {},
) {
  const { page, worker, log } = channel();
  const marks: { name: StreamMark; lastChunkAt?: number; startTime?: number }[] = [];
  const served = serveImageStream(worker, {
    stallMs: opts.stallMs,
    decodeWhileStreaming: opts.decode ?? true,
    decoderApi: fakeDecoderApi(),
    decodeElsewhere: opts.elsewhere,
  });
  let stop = () => {};
  const pumped = pumpBody(body, page, new Promise<void>((resolve) => (stop = resolve)));
  const events = receiveImageStream(page, {
    signal: opts.signal,
    lost: opts.lost,
    onStop: stop,
    onArriving: opts.onArriving,
    mark: (name, at) => marks.push({ name, ...at }),
  });
  return { events, served, pumped, marks, log, page };
}

async function collect(events: AsyncGenerator<GenerationEvent>) {
  const out: GenerationEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

describe('reading an image stream in a worker (offthread.ts)', () => {
  it('delivers the same events as reading it here: partial, final with its decoded picture, done', async () => {
    const p = png(800);
    const f = png(40_000);
    const { body } = sseBody(sse([partial(p), completed(f, { revised_prompt: 'a heron' })]));
    const run = both(body);
    const events = await collect(run.events);
    expect(events.map((e) => e.kind)).toEqual(['partial', 'image', 'done']);
    const [first, image, done] = events as [
      Extract<GenerationEvent, { kind: 'partial' }>,
      Extract<GenerationEvent, { kind: 'image' }>,
      Extract<GenerationEvent, { kind: 'done' }>,
    ];
    expect(Buffer.from(await first.image.arrayBuffer()).equals(p)).toBe(true);
    expect(Buffer.from(await image.image.arrayBuffer()).equals(f)).toBe(true);
    expect(image).toMatchObject({ index: 0, revisedPrompt: 'a heron', echoed: { size: '1024x1024' } });
    const picture = (await image.decoded)?.picture as unknown as { decoded: Buffer };
    expect(picture.decoded.equals(f)).toBe(true);
    // Hashed where the bytes are, so saving need not read them back.
    expect(await image.sha256).toBe(createHash('sha256').update(f).digest('hex'));
    expect(done.usage).toEqual({ input_tokens: 1, output_tokens: 2, total_tokens: 3 });
    await run.served;
    // The bench's marks reach the page, the last chunk's time converted to the page's clock.
    const names = run.marks.map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(['atelier:image-streaming', 'atelier:image-ready', 'atelier:image-decoded']),
    );
    const ready = run.marks.find((m) => m.name === 'atelier:image-ready')!;
    expect(ready.lastChunkAt).toBeGreaterThan(0);
    expect(ready.lastChunkAt).toBeLessThanOrEqual(performance.now());
    // The worker says when it has nothing more to send.
    await expect.poll(() => run.log.at(-1)).toEqual({ to: 'page', t: 'end' });
  });

  it('without decoding (no ImageDecoder wanted) the final image carries no picture', async () => {
    const { body } = sseBody(sse([completed(png(5000))]));
    const events = await collect(both(body, { decode: false }).events);
    expect(events.map((e) => e.kind)).toEqual(['image', 'done']);
    expect(events[0]).not.toHaveProperty('decoded');
  });

  it('an error event in the stream is the same ApiError as on the main thread', async () => {
    const error = {
      type: 'error',
      error: {
        type: 'image_generation_user_error',
        code: 'moderation_blocked',
        message: 'Your request was rejected by the safety system.',
        param: null,
      },
    };
    const { body } = sseBody(`${sse([partial(png(600))])}event: error\ndata: ${JSON.stringify(error)}\n\n`);
    const run = both(body);
    const seen: string[] = [];
    const failure = await (async () => {
      try {
        for await (const ev of run.events) seen.push(ev.kind);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toEqual(['partial']);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 0,
      inStream: true,
      code: 'moderation_blocked',
      type: 'image_generation_user_error',
      moderation: {},
      message: 'Your request was rejected by the safety system.',
    });
  });

  it('a connection cut inside the final image is a StreamError "cut"; the partial came first', async () => {
    const text = sse([partial(png(600)), completed(png(30_000))]);
    const { body } = sseBody(text, { cutAt: Math.floor(text.length * 0.7) });
    const run = both(body);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const ev of run.events) seen.push(ev.kind);
      })(),
    ).rejects.toMatchObject({ name: 'StreamError', kind: 'cut' });
    expect(seen).toEqual(['partial']);
  });

  it('a stream that stalls fails as "stalled", with its silence', async () => {
    const { body } = sseBody(sse([partial(png(600))]), { hang: true });
    const run = both(body, { stallMs: 80 });
    const failure = await collect(run.events).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StreamError);
    expect(failure).toMatchObject({ kind: 'stalled', stallMs: 80 });
  });

  it('Cancel ends the run at once as an AbortError, stops the worker and the reading of the body', async () => {
    const stream = sseBody(sse([partial(png(600)), completed(png(200_000))]), { chunk: 1024 });
    const controller = new AbortController();
    const run = both(stream.body, { signal: controller.signal });
    const failure = (async () => {
      for await (const ev of run.events) if (ev.kind === 'partial') controller.abort();
    })();
    await expect(failure).rejects.toMatchObject({ name: 'AbortError' });
    expect(run.log).toContainEqual({ to: 'worker', t: 'cancel' });
    await run.served; // the worker's read ends instead of waiting for the rest of the body
    await run.pumped;
    expect(stream.cancelled()).toBe(true);
    expect(run.log.some((m) => m.to === 'page' && m.t === 'image')).toBe(false);
  });

  it('a worker that dies mid-stream ends the run as a cut stream, not a hang', async () => {
    const { body } = sseBody(sse([partial(png(600))]), { hang: true });
    const lost = new AbortController();
    const run = both(body, { lost: lost.signal });
    const failure = (async () => {
      for await (const ev of run.events) if (ev.kind === 'partial') lost.abort();
    })();
    await expect(failure).rejects.toMatchObject({ name: 'StreamError', kind: 'cut' });
  });

  it('errors survive the trip as the same classes with the same fields', () => {
    const api = new ApiError('Rate limit reached', {
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      param: null,
      requestId: 'req_1',
      retryAfterMs: 2000,
      moderation: null,
      inStream: true,
    });
    const back = fromWire(structuredClone(toWire(api)));
    expect(back).toBeInstanceOf(ApiError);
    expect(back).toMatchObject({
      message: 'Rate limit reached',
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      requestId: 'req_1',
      retryAfterMs: 2000,
      inStream: true,
    });
    const stalled = fromWire(
      structuredClone(toWire(new StreamError('stalled', 'No data', { stallMs: 9000 }))),
    );
    expect(stalled).toBeInstanceOf(StreamError);
    expect(stalled).toMatchObject({ kind: 'stalled', stallMs: 9000, message: 'No data' });
    expect(fromWire(toWire(new DOMException('x', 'AbortError'))).name).toBe('AbortError');
    // Anything else is a cut stream, as readImageStream reports it.
    expect(fromWire(toWire(new TypeError('boom')))).toMatchObject({ name: 'StreamError', kind: 'cut' });
  });
});

describe('the worker makes the request itself (serveFetch / responseFromWorker)', () => {
  const conn = { apiKey: 'sk-test-worker', baseUrl: 'http://127.0.0.1:9/v1', organization: 'org-1' };

  /** apiFetch's fetch through the worker: each call is one request over a fresh channel, as in the browser. */
  function throughWorker(fake: typeof fetch) {
    const logs: { to: 'page' | 'worker'; t: string }[][] = [];
    const served: Promise<void>[] = [];
    const fetchImpl: typeof fetch = (input, init = {}) => {
      const { page, worker, log } = channel();
      logs.push(log);
      served.push(
        serveFetch(
          worker,
          {
            url: String(input),
            init: {
              method: init.method ?? 'GET',
              headers: [...new Headers(init.headers).entries()],
              body: (init.body as string | null | undefined) ?? null,
            },
            decodeWhileStreaming: true,
          },
          { fetch: fake, decoderApi: fakeDecoderApi() },
        ),
      );
      return responseFromWorker(page, init.signal);
    };
    return { fetchImpl, logs, served };
  }

  it('sends what apiFetch built, and the stream it answers is read in the worker', async () => {
    const f = png(20_000);
    const seen: { url: string; init: RequestInit }[] = [];
    const fake: typeof fetch = async (url, init = {}) => {
      seen.push({ url: String(url), init });
      return new Response(sseBody(sse([partial(png(700)), completed(f)])).body, {
        headers: { 'content-type': 'text/event-stream' },
      });
    };
    const { fetchImpl, served } = throughWorker(fake);
    const res = await apiFetch(conn, '/images/generations', {
      json: { model: 'gpt-image-2', prompt: 'a heron', stream: true },
      accept: 'text/event-stream',
      fetchImpl,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('http://127.0.0.1:9/v1/images/generations');
    expect(seen[0]!.init).toMatchObject({ method: 'POST', credentials: 'omit' });
    const headers = new Headers(seen[0]!.init.headers);
    expect(headers.get('authorization')).toBe('Bearer sk-test-worker');
    expect(headers.get('openai-organization')).toBe('org-1');
    expect(JSON.parse(seen[0]!.init.body as string)).toEqual({
      model: 'gpt-image-2',
      prompt: 'a heron',
      stream: true,
    });
    // The page's Response has the head only; the events come from the worker's reading.
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    const port = workerStreamOf(res)!;
    expect(port).toBeDefined();
    expect(workerStreamOf(res)).toBeUndefined(); // handed out once
    const events = await collect(receiveImageStream(port, { mark: () => {} }));
    expect(events.map((e) => e.kind)).toEqual(['partial', 'image', 'done']);
    const image = events[1] as Extract<GenerationEvent, { kind: 'image' }>;
    expect(Buffer.from(await image.image.arrayBuffer()).equals(f)).toBe(true);
    expect(((await image.decoded)?.picture as unknown as { decoded: Buffer }).decoded.equals(f)).toBe(true);
    await Promise.all(served);
  });

  it('an error answer comes back whole, so apiFetch maps it and retries as for any request', async () => {
    let calls = 0;
    const fake: typeof fetch = async () => {
      calls++;
      if (calls === 1)
        return new Response(JSON.stringify({ error: { message: 'Slow down', type: 'requests' } }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after-ms': '5' },
        });
      return new Response(JSON.stringify({ error: { message: 'Incorrect API key provided' } }), {
        status: 401,
        headers: { 'content-type': 'application/json', 'x-request-id': 'req_42' },
      });
    };
    const { fetchImpl } = throughWorker(fake);
    const retries: number[] = [];
    const failure = await apiFetch(conn, '/images/generations', {
      json: {},
      fetchImpl,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 10 },
      onRetry: (r) => retries.push(r.error.status),
    }).catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect(retries).toEqual([429]);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 401,
      message: 'Incorrect API key provided',
      requestId: 'req_42',
    });
  });

  it('a network failure in the worker is a NetworkError on the page', async () => {
    const { fetchImpl } = throughWorker(async () => {
      throw new TypeError('Failed to fetch');
    });
    const failure = await apiFetch(conn, '/images/generations', { json: {}, fetchImpl, retry: false }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(NetworkError);
  });

  it('Cancel before the answer aborts the worker’s request', async () => {
    let workerSignal: AbortSignal | null = null;
    const fake: typeof fetch = (_url, init = {}) =>
      new Promise((_, reject) => {
        workerSignal = init.signal ?? null;
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    const { fetchImpl, logs, served } = throughWorker(fake);
    const controller = new AbortController();
    const pending = apiFetch(conn, '/images/generations', { json: {}, fetchImpl, signal: controller.signal });
    await expect.poll(() => workerSignal).not.toBeNull();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(logs[0]).toContainEqual({ to: 'worker', t: 'cancel' });
    await Promise.all(served);
    expect(workerSignal!.aborted).toBe(true);
  });

  it('with a decode worker, the picture reaches the page on a port of its own; the hash is made while the bytes arrive', async () => {
    const f = png(40_000);
    const { body } = sseBody(sse([completed(f)]), { chunk: 3000 });
    // The decode worker's end, served here over real MessageChannels; its "picture" is the bytes it got (an
    // ArrayBuffer transfers as an ImageBitmap would).
    let release = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const decodeApi: DecoderApi = {
      ...fakeDecoderApi(),
      createImageBitmap: async (frame) => {
        await hold;
        return Uint8Array.from((frame as unknown as { bytes: number[] }).bytes)
          .buffer as unknown as ImageBitmap;
      },
    };
    // The page hears of the image's picture as soon as its bytes start, before the image event.
    const arriving: { index: number; decoded: Promise<unknown>; imageSeen: boolean }[] = [];
    let imageSeen = false;
    const run = both(body, {
      onArriving: (index, decoded) => arriving.push({ index, decoded, imageSeen }),
      elsewhere: (bytes, width) =>
        decodeRemotely(
          (r) =>
            void serveDecode(r.bytes, r.picture, r.width, decodeApi, {
              scale: () => ({ small: true }),
              encode: async () => ({ blob: new Blob(['thumb']), width: 2, height: 1 }),
            }),
          bytes,
          width,
        ),
    });
    const events: GenerationEvent[] = [];
    for await (const ev of run.events) {
      if (ev.kind === 'image') imageSeen = true;
      events.push(ev);
    }
    const image = events[0] as Extract<GenerationEvent, { kind: 'image' }>;
    expect(image).not.toHaveProperty('decodedAs');
    expect(arriving).toHaveLength(1);
    expect(arriving[0]).toMatchObject({ index: 0, imageSeen: false });
    // The very promise the image event carries: the card that showed the picture early needs no second one.
    expect(arriving[0]!.decoded).toBe(image.decoded);
    // Hashed while the bytes arrived: ready with the image, while the decode still holds its picture.
    let hashed = false;
    void image.sha256!.then(() => (hashed = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(hashed).toBe(true);
    expect(await image.sha256).toBe(createHash('sha256').update(f).digest('hex'));
    release();
    const shown = await image.decoded;
    expect(Buffer.from(shown!.picture as unknown as ArrayBuffer).equals(f)).toBe(true);
    // Its thumbnail follows on the same port, for the library.
    const thumb = await shown!.thumb;
    expect(thumb).toMatchObject({ width: 2, height: 1 });
    expect(await thumb!.blob.text()).toBe('thumb');
    expect(await image.sha256).toBe(createHash('sha256').update(f).digest('hex'));
    // The worker posted no 'decoded' message of its own: the picture bypassed it.
    expect(run.log.filter((m) => m.t === 'decoded')).toEqual([]);
    expect(run.marks.map((m) => m.name)).toContain('atelier:image-decoded');
    await run.served;
  });
});
