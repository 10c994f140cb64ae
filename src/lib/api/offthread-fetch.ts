/**
 * Fetching a streamed image answer in the stream worker (see offthread.ts): the page builds the request as for
 * every call (apiFetch: headers, retries, error mapping) and hands its URL, headers and JSON body to the worker,
 * whose fetch answers with the response's head (`responseFromWorker` rebuilds it as a Response on the page) and
 * then serves the event stream's events on the same port (serveImageStream). Pure protocol: runs in Node.
 */
import { abortErrorFrom, isAbortError } from './errors';
import type { GenerateCallOptions } from './images';
import { serveImageStream, type PortLike, type ToWorker } from './offthread';

/** What the page asks the worker to fetch, and then read: the request as apiFetch built it. */
export interface FetchRequest {
  t: 'fetch';
  port: MessagePort;
  url: string;
  init: { method: string; headers: [string, string][]; body: string | null };
  stallMs?: number;
  decodeWhileStreaming: boolean;
  previewWidth?: number;
}

/**
 * Worker → page, first on a fetch's port: the response's head. `text` is the whole body for anything but an
 * ok event stream (an error, or JSON); null when the body is an event stream, whose events follow (ToPage).
 */
export type FetchAnswer =
  | { t: 'head'; status: number; statusText: string; headers: [string, string][]; text: string | null }
  /** fetch itself rejected: the network, or a cancellation (`abort`). */
  | { t: 'fetch-failed'; abort: boolean; message: string };

/**
 * The worker's end of a fetch: makes the request, posts its head (with the whole body unless it is an ok event
 * stream), then serves the stream's events on the same port. A 'cancel' before the head aborts the request.
 */
export async function serveFetch(
  port: PortLike,
  req: Omit<FetchRequest, 't' | 'port'>,
  deps: Pick<GenerateCallOptions, 'decoderApi' | 'decodeElsewhere'> & { fetch?: typeof fetch } = {},
): Promise<void> {
  const controller = new AbortController();
  port.onmessage = (e) => {
    if ((e.data as ToWorker)?.t === 'cancel') controller.abort();
  };
  const answer = (m: FetchAnswer) => port.postMessage(m);
  let res: Response;
  try {
    res = await (deps.fetch ?? globalThis.fetch)(req.url, {
      method: req.init.method,
      headers: req.init.headers,
      body: req.init.body,
      signal: controller.signal,
      credentials: 'omit',
    });
  } catch (e) {
    answer({ t: 'fetch-failed', abort: isAbortError(e) || controller.signal.aborted, message: String(e) });
    port.onmessage = null;
    return port.close();
  }
  const head = { status: res.status, statusText: res.statusText, headers: [...res.headers.entries()] };
  const stream = res.ok && res.body && (res.headers.get('content-type') ?? '').includes('text/event-stream');
  if (!stream || controller.signal.aborted) {
    const text = controller.signal.aborted ? '' : await res.text().catch(() => '');
    answer({ t: 'head', ...head, text });
    port.onmessage = null;
    return port.close();
  }
  answer({ t: 'head', ...head, text: null });
  await serveImageStream(
    port,
    {
      stallMs: req.stallMs,
      decodeWhileStreaming: req.decodeWhileStreaming,
      previewWidth: req.previewWidth,
      decoderApi: deps.decoderApi,
      decodeElsewhere: deps.decodeElsewhere,
    },
    res.body!,
  );
}

/** Responses whose event stream the worker is reading: the port its events arrive on. */
const readInWorker = new WeakMap<Response, PortLike>();

/** The port of a response the worker fetched and is reading (see `responseFromWorker`); undefined otherwise. */
export function workerStreamOf(res: Response): PortLike | undefined {
  const port = readInWorker.get(res);
  readInWorker.delete(res);
  return port;
}

/**
 * The page's end of a fetch made by the worker: resolves with a Response as fetch would (rejects with a
 * TypeError for a network failure, an AbortError when `signal` aborts first). An ok event stream comes with no
 * body: `workerStreamOf` gives the port its events arrive on, for `receiveImageStream`.
 */
export function responseFromWorker(port: PortLike, signal?: AbortSignal | null): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const onAbort = () => {
      port.postMessage({ t: 'cancel' } satisfies ToWorker);
      port.onmessage = null;
      port.close();
      reject(signal ? abortErrorFrom(signal) : new DOMException('The operation was aborted.', 'AbortError'));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    port.onmessage = (e) => {
      signal?.removeEventListener('abort', onAbort);
      const m = e.data as FetchAnswer;
      if (m.t === 'fetch-failed') {
        port.onmessage = null;
        port.close();
        return reject(
          m.abort ? new DOMException('The operation was aborted.', 'AbortError') : new TypeError(m.message),
        );
      }
      const nullBody = m.status === 204 || m.status === 205 || m.status === 304;
      const res = new Response(nullBody ? null : m.text, {
        status: m.status,
        statusText: m.statusText,
        headers: m.headers,
      });
      if (m.text === null) readInWorker.set(res, holding(port));
      resolve(res);
    };
  });
}

/**
 * The port as receiveImageStream sees it: messages that arrive before it sets its handler are kept and handed
 * to it then, in order (a started MessagePort drops messages while it has no handler).
 */
function holding(port: PortLike): PortLike {
  const kept: MessageEvent[] = [];
  let handler: PortLike['onmessage'] = null;
  port.onmessage = (e) => (handler ? handler(e) : void kept.push(e));
  return {
    postMessage: (m, transfer) => port.postMessage(m, transfer),
    close: () => port.close(),
    get onmessage() {
      return handler;
    },
    set onmessage(h) {
      handler = h;
      while (handler && kept.length) handler(kept.shift()!);
    },
  };
}
