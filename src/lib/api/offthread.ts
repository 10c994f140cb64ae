/**
 * Reading a streamed image answer in a Web Worker: the two ends of the conversation over a MessagePort.
 *
 * A final image arrives as one ~8 MB SSE event. Reading it (text decoding, lifting and decoding the base64,
 * feeding the PNG decoder) kept the main thread busy for the whole download, and the decode finished ~0.5 s
 * after the last byte. The worker runs the same `readImageStream` and sends back only what the page shows: the
 * events with their Blobs, and each final image's decoded picture as a transferred ImageBitmap.
 *
 * The worker also makes the request (offthread-fetch.ts): the page builds it as for every other call (apiFetch: the
 * same headers, retries and error mapping) and passes the URL, headers and JSON body over; the worker answers with
 * the response's head, then reads the body itself. Reading it on the page and posting each chunk on cost the main
 * thread ~230 ms of tasks per 8 MB and left the worker ~200 ms behind at the last byte; fetched in the worker,
 * the event is ready ~30 ms after it. (Transferring the ReadableStream instead makes Chromium wait for the worker
 * after every chunk: 2–3× slower.) The key travels only inside this page's own same-origin worker, which sends
 * it to the same URL and keeps nothing. A body read on the page can still be handed over chunk by chunk
 * (`pumpBody`). Pure protocol, no Worker here, so it runs in Node over a MessageChannel;
 * api/offthread-client.ts starts the worker, stream-worker.ts is its entry.
 */
import type { DecodedPicture } from '../images/progressive';
import { receivePicture, type DecodePort } from '../images/decode-remote';
import { abortErrorFrom, isAbortError, StreamError } from './errors';
import { sha256WhileArriving } from '../library/hash-stream';
import { fromWire, toWire, type WireError } from './wire-errors';
import {
  readImageStream,
  type EchoedParams,
  type GenerateCallOptions,
  type GenerationEvent,
  type ImageUsage,
} from './images';

/** The part of a MessagePort both ends use (the same as the decode worker's ports). */
export type PortLike = DecodePort;

/** Worker → page. Times (`at`, `lastChunkAt`) are absolute: timeOrigin + now, comparable across threads. */
export type ToPage =
  | { t: 'streaming'; at: number }
  | { t: 'partial'; partialIndex: number; image: Blob; echoed: EchoedParams }
  /**
   * A final image started arriving: its picture will come on `pictureOn`, straight from the decode worker
   * (images/decode-remote.ts), and its image event will name `slot`.
   */
  | { t: 'arriving'; slot: number; pictureOn: MessagePort }
  | {
      t: 'image';
      index: number;
      image: Blob;
      revisedPrompt?: string;
      echoed: EchoedParams;
      raw?: Blob;
      /** A 'decoded' message for this index follows (or the picture comes as announced for `pictureSlot`). */
      decoding: boolean;
      /** The 'arriving' message whose port brings this image's picture. */
      pictureSlot?: number;
      /** A 'hashed' message for this index follows. */
      hashing: boolean;
      lastChunkAt?: number;
    }
  | { t: 'decoded'; index: number; picture: DecodedPicture | null; at: number }
  | { t: 'hashed'; index: number; sha256: string | null }
  | { t: 'done'; usage: ImageUsage | null; echoed: EchoedParams; created?: number }
  | { t: 'error'; error: WireError }
  /** Nothing more will come on this port. */
  | { t: 'end' };

/** Page → worker: the body's bytes as they are read, how it ended, or "stop, the page no longer listens". */
export type ToWorker =
  | { t: 'chunk'; bytes: Uint8Array }
  | { t: 'eof' }
  /** Reading the body failed: the connection dropped (or the request was cancelled, `abort`). */
  | { t: 'failed'; abort: boolean }
  | { t: 'cancel' };

/** What the page asks the worker to read; the body's bytes follow on `port`. */
export interface ReadRequest {
  t: 'read';
  port: MessagePort;
  stallMs?: number;
  decodeWhileStreaming: boolean;
  previewWidth?: number;
}

/** Worker → page besides events: the worker stopped reading the body (the page cancels its reader). */
export interface StopReading {
  t: 'stop';
}

/** How long the page waits for a picture from the decode worker before showing the image without it. */
const PICTURE_WAIT_MS = 20_000;

/** A clock that reads the same on both threads (performance.now() does not: each has its own origin). */
const absoluteNow = (): number => performance.timeOrigin + performance.now();

/**
 * The worker's end: reads `body` with `readImageStream` and posts every event to `port`, then 'end' once each
 * final image's decode has settled. A 'cancel' from the page stops the reading and closes undelivered pictures.
 */
export async function serveImageStream(
  port: PortLike,
  opts: Pick<
    GenerateCallOptions,
    'stallMs' | 'decodeWhileStreaming' | 'decoderApi' | 'previewWidth' | 'decodeElsewhere'
  >,
  /** The body itself, when the worker fetched it; else its chunks come from the page. */
  direct?: ReadableStream<Uint8Array>,
): Promise<void> {
  const controller = new AbortController();
  let source: ReadableStreamDefaultController<Uint8Array> | null = null;
  const body =
    direct ??
    new ReadableStream<Uint8Array>({
      start: (c) => void (source = c),
      cancel: () => {
        source = null;
        if (!controller.signal.aborted) port.postMessage({ t: 'stop' } satisfies StopReading);
      },
    });
  port.onmessage = (e) => {
    const m = e.data as ToWorker;
    if (m.t === 'cancel') return controller.abort();
    if (!source) return;
    if (m.t === 'chunk') return source.enqueue(m.bytes);
    if (m.t === 'eof') source.close();
    else
      source.error(
        m.abort
          ? new DOMException('The request was cancelled.', 'AbortError')
          : new TypeError('network error'),
      );
    source = null;
  };
  const post = (m: ToPage, transfer: Transferable[] = []) => {
    if (!controller.signal.aborted) port.postMessage(m, transfer);
  };
  let lastChunkAt: number | undefined;
  const decodes: Promise<void>[] = [];
  try {
    const events = readImageStream(body, {
      ...opts,
      hashFinal: sha256WhileArriving,
      signal: controller.signal,
      onPictureComing: (slot, pictureOn) => post({ t: 'arriving', slot, pictureOn }, [pictureOn]),
      mark: (name, at) => {
        if (name === 'atelier:image-streaming') post({ t: 'streaming', at: absoluteNow() });
        // Relative to this thread's origin; made absolute for the page.
        if (name === 'atelier:image-ready' && at?.lastChunkAt !== undefined)
          lastChunkAt = performance.timeOrigin + at.lastChunkAt;
      },
    });
    for await (const ev of events) {
      if (ev.kind === 'partial') {
        post({ t: 'partial', partialIndex: ev.partialIndex, image: ev.image, echoed: ev.echoed });
      } else if (ev.kind === 'image') {
        const { decoded, sha256, decodedAs, kind: _, ...image } = ev;
        post({
          t: 'image',
          ...image,
          decoding: decoded !== undefined || decodedAs !== undefined,
          hashing: sha256 !== undefined,
          lastChunkAt,
          ...(decodedAs !== undefined ? { pictureSlot: decodedAs } : {}),
        });
        // The bytes are here: hashing them here spares the page reading 4–8 MB back to save the image.
        if (sha256) decodes.push(sha256.then((hash) => post({ t: 'hashed', index: ev.index, sha256: hash })));
        if (decoded) {
          decodes.push(
            decoded.then((picture) => {
              if (controller.signal.aborted) return picture?.picture.close();
              try {
                post(
                  { t: 'decoded', index: ev.index, picture, at: absoluteNow() },
                  picture ? [picture.picture] : [],
                );
              } catch {
                // A picture that cannot be transferred: the page shows the <img> instead (never leave it waiting).
                picture?.picture.close();
                post({ t: 'decoded', index: ev.index, picture: null, at: absoluteNow() });
              }
            }),
          );
        }
      } else {
        post({ t: 'done', usage: ev.usage, echoed: ev.echoed, created: ev.created });
      }
    }
  } catch (e) {
    post({ t: 'error', error: toWire(e) });
  }
  source = null;
  await Promise.all(decodes);
  post({ t: 'end' });
  port.onmessage = null;
  port.close();
}

/**
 * The page's reading of the body: each chunk goes to the worker as it arrives, its buffer transferred (no
 * copy). Ends at the body's end or failure, or when the worker says 'stop' (`stopped` resolves).
 */
export async function pumpBody(
  body: ReadableStream<Uint8Array>,
  port: Pick<PortLike, 'postMessage'>,
  stopped: Promise<void>,
): Promise<void> {
  const reader = body.getReader();
  let stop = false;
  void stopped.then(() => {
    stop = true;
    reader.cancel().catch(() => {});
  });
  try {
    for (;;) {
      const r = await reader.read();
      if (stop) return;
      if (r.done) return port.postMessage({ t: 'eof' } satisfies ToWorker);
      const bytes = r.value;
      // A chunk that is a view on part of a bigger buffer is copied, so that nothing else gets detached.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const own = whole ? bytes : bytes.slice();
      port.postMessage({ t: 'chunk', bytes: own } satisfies ToWorker, [own.buffer as ArrayBuffer]);
    }
  } catch (e) {
    if (!stop) port.postMessage({ t: 'failed', abort: isAbortError(e) } satisfies ToWorker);
  }
}

export interface ReceiveOptions extends Pick<GenerateCallOptions, 'signal' | 'mark' | 'onArriving'> {
  /** Aborted when the worker itself failed: the run ends as a cut stream. */
  lost?: AbortSignal;
  /** The worker no longer reads the body, or the page no longer listens: stop reading it (see pumpBody). */
  onStop?: () => void;
}

type Queued = Exclude<ToPage, { t: 'decoded' } | { t: 'hashed' } | { t: 'arriving' }>;

/**
 * The page's end: turns the worker's messages back into GenerationEvents, with the same errors as reading the
 * stream here. Cancelling (`signal`) or leaving early tells the worker to stop. The port stays open after 'done'
 * until the last picture has arrived ('end').
 */
export async function* receiveImageStream(
  port: PortLike,
  opts: ReceiveOptions = {},
): AsyncGenerator<GenerationEvent> {
  const mark =
    opts.mark ??
    ((name, at = {}) =>
      void performance.mark(name, {
        startTime: at.startTime,
        detail: at.lastChunkAt === undefined ? undefined : { lastChunkAt: at.lastChunkAt },
      }));
  const local = (absolute: number) => absolute - performance.timeOrigin;
  const queue: Queued[] = [];
  let wake: (() => void) | null = null;
  const pictures = new Map<number, (picture: DecodedPicture | null) => void>();
  /** Pictures coming from the decode worker on ports of their own: each one's way to give up waiting. */
  const elsewhere = new Set<() => void>();
  /** Those pictures by the slot their 'arriving' message named, until their image event takes them. */
  const arriving = new Map<number, Promise<DecodedPicture | null>>();
  const hashes = new Map<number, (sha256: string | null) => void>();
  let closed = false;
  let ended = false;

  const close = () => {
    if (closed) return;
    closed = true;
    opts.onStop?.();
    port.onmessage = null;
    port.close();
    for (const resolve of pictures.values()) resolve(null);
    pictures.clear();
    for (const resolve of hashes.values()) resolve(null);
    hashes.clear();
    wake?.();
  };
  const push = (m: Queued) => {
    queue.push(m);
    wake?.();
  };
  port.onmessage = (e) => {
    const m = e.data as ToPage | StopReading;
    if (m.t === 'stop') return opts.onStop?.();
    if (m.t === 'arriving') {
      // Listened to at once, not when the consumer next reads: the picture may well come before the event.
      const { picture, paintOn } = pictureOn(m.pictureOn);
      arriving.set(m.slot, picture);
      opts.onArriving?.(m.slot, picture, paintOn);
      return;
    }
    if (m.t === 'hashed') {
      hashes.get(m.index)?.(m.sha256);
      hashes.delete(m.index);
      return;
    }
    if (m.t === 'decoded') {
      const resolve = pictures.get(m.index);
      pictures.delete(m.index);
      if (!resolve) return m.picture?.picture.close();
      if (m.picture) mark('atelier:image-decoded');
      resolve(m.picture);
      return;
    }
    push(m);
    if (m.t === 'end') {
      ended = true;
      close();
    }
  };
  /** Tells the worker to stop (unless it already has), then drops whatever is still to come. */
  const cancel = () => {
    if (!ended && !closed) port.postMessage({ t: 'cancel' } satisfies ToWorker);
    close();
    for (const giveUp of elsewhere) giveUp();
  };
  /** A picture from the decode worker (see receivePicture); cancelling gives up waiting for it. */
  const pictureOn = (on: MessagePort): ReturnType<typeof receivePicture> => {
    const r = receivePicture(on, {
      waitMs: PICTURE_WAIT_MS,
      onPicture: () => mark('atelier:image-decoded'),
      onDone: () => elsewhere.delete(r.giveUp),
    });
    elsewhere.add(r.giveUp);
    return r;
  };
  const { signal, lost } = opts;
  const onAbort = () => cancel();
  const onLost = () =>
    push({
      t: 'error',
      error: {
        name: 'StreamError',
        kind: 'cut',
        message: 'The stream reader stopped unexpectedly.',
        stallMs: null,
      },
    });
  signal?.addEventListener('abort', onAbort, { once: true });
  lost?.addEventListener('abort', onLost, { once: true });
  if (lost?.aborted) onLost();

  let finished = false;
  try {
    for (;;) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      const m = queue.shift();
      if (!m) {
        if (closed) throw new StreamError('cut', 'The connection closed before the final image arrived.');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if (m.t === 'streaming') {
        mark('atelier:image-streaming', { startTime: local(m.at) });
      } else if (m.t === 'partial') {
        yield { kind: 'partial', partialIndex: m.partialIndex, image: m.image, echoed: m.echoed };
      } else if (m.t === 'image') {
        const { t: _, decoding, hashing, lastChunkAt, pictureSlot, ...image } = m;
        let decoded: Promise<DecodedPicture | null> | undefined;
        if (pictureSlot !== undefined) {
          decoded = arriving.get(pictureSlot);
          arriving.delete(pictureSlot);
        } else if (decoding) {
          decoded = new Promise<DecodedPicture | null>((resolve) => pictures.set(m.index, resolve));
        }
        const sha256 = hashing
          ? new Promise<string | null>((resolve) => hashes.set(m.index, resolve))
          : undefined;
        if (lastChunkAt !== undefined) mark('atelier:image-ready', { lastChunkAt: local(lastChunkAt) });
        yield { kind: 'image', ...image, ...(decoded ? { decoded } : {}), ...(sha256 ? { sha256 } : {}) };
      } else if (m.t === 'done') {
        finished = true;
        yield { kind: 'done', usage: m.usage, echoed: m.echoed, created: m.created };
        return;
      } else if (m.t === 'error') {
        throw fromWire(m.error);
      } else {
        throw new StreamError('cut', 'The connection closed before the final image arrived.');
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    lost?.removeEventListener('abort', onLost);
    if (!finished) {
      // An error, a cancellation or the caller leaving: the worker stops, and pictures still to come are dropped.
      cancel();
    } else if (lost) {
      lost.addEventListener('abort', close, { once: true });
    }
  }
}
