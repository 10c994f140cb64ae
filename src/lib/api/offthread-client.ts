/**
 * Starts the stream-reading worker (once, on the first streamed run) and hands it a response body. Loaded by
 * import() from images.ts, so neither this nor the worker is part of the initial JavaScript.
 */
import type { GenerateCallOptions, GenerationEvent } from './images';
import { pumpBody, receiveImageStream, type ReadRequest } from './offthread';
import { responseFromWorker, workerStreamOf, type FetchRequest } from './offthread-fetch';
import { browserDecoderApi } from '../images/progressive';

/** How long a starting worker may take to say it is ready before the page reads the stream itself. */
const READY_TIMEOUT_MS = 5000;

let starting: Promise<Worker | null> | null = null;
/** Aborted when the running worker fails: its runs end as cut streams, and the next run starts a new one. */
let lost = new AbortController();

function startWorker(): Promise<Worker | null> {
  return new Promise((resolve) => {
    if (typeof Worker !== 'function') return resolve(null);
    let worker: Worker;
    try {
      worker = new Worker(new URL('./stream-worker.ts', import.meta.url), {
        type: 'module',
        name: 'atelier-stream',
      });
    } catch {
      return resolve(null);
    }
    const timer = setTimeout(() => fail(), READY_TIMEOUT_MS);
    let ready = false;
    // Before 'ready': no module workers, or the script did not load. After: a crash takes its runs with it.
    const fail = () => {
      clearTimeout(timer);
      worker.terminate();
      if (!ready) return resolve(null);
      lost.abort();
      lost = new AbortController();
      starting = null;
    };
    worker.onerror = fail;
    worker.onmessage = ({ data }: MessageEvent<{ t?: string }>) => {
      if (data?.t !== 'ready' || ready) return;
      ready = true;
      clearTimeout(timer);
      resolve(worker);
    };
  });
}

/** Decode only where the page itself has WebCodecs: the same rule as reading the stream here. */
const decodes = (opts: GenerateCallOptions) =>
  opts.decodeWhileStreaming === true && browserDecoderApi() !== null;

/**
 * A fetch for apiFetch that the worker makes (see offthread.ts): the answer's head comes back as a Response, and
 * an ok event stream stays in the worker, read there (`readImageStreamInWorker` then receives its events).
 * Null where the browser has no module workers: the page fetches as usual. Requests with a body other than
 * text (multipart forms) are fetched by the page.
 */
export async function workerFetch(opts: GenerateCallOptions): Promise<typeof fetch | null> {
  starting ??= startWorker();
  const worker = await starting;
  if (!worker) return null;
  return (input, init = {}) => {
    if (init.body != null && typeof init.body !== 'string') return globalThis.fetch(input, init);
    const { port1, port2 } = new MessageChannel();
    const request: FetchRequest = {
      t: 'fetch',
      port: port2,
      url: String(input),
      init: {
        method: init.method ?? 'GET',
        headers: [...new Headers(init.headers).entries()],
        body: (init.body as string | null | undefined) ?? null,
      },
      stallMs: opts.stallMs,
      decodeWhileStreaming: decodes(opts),
      previewWidth: opts.previewWidth,
    };
    worker.postMessage(request, [port2]);
    return responseFromWorker(port1, init.signal);
  };
}

/**
 * Reads `res`'s SSE image stream in the worker: the one it is already reading when it fetched it
 * (`workerFetch`), else the body is passed over chunk by chunk. Null where the browser has no module workers;
 * the body is then untouched, for the caller to read itself.
 */
export async function readImageStreamInWorker(
  res: Response,
  opts: GenerateCallOptions,
): Promise<AsyncGenerator<GenerationEvent> | null> {
  const receive = { signal: opts.signal, mark: opts.mark, onArriving: opts.onArriving, lost: lost.signal };
  const fetched = workerStreamOf(res);
  if (fetched) return receiveImageStream(fetched, receive);
  if (!res.body) return null;
  const body = res.body;
  starting ??= startWorker();
  const worker = await starting;
  if (!worker) return null;
  const { port1, port2 } = new MessageChannel();
  const request: ReadRequest = {
    t: 'read',
    port: port2,
    stallMs: opts.stallMs,
    decodeWhileStreaming: decodes(opts),
    previewWidth: opts.previewWidth,
  };
  worker.postMessage(request, [port2]);
  let stop = () => {};
  void pumpBody(body, port1, new Promise<void>((resolve) => (stop = resolve)));
  return receiveImageStream(port1, { ...receive, onStop: stop });
}
