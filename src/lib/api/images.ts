/** The Image API generation call: one request, read as JSON or as an SSE stream, turned into typed events. */
import { imageBlobFromBase64 } from '../images/bytes';
import type { DecodeElsewhere } from '../images/decode-client';
import type { DecodingElsewhere, PaintOn } from '../images/decode-remote';
import {
  browserDecoderApi,
  pictureWhileArriving,
  type DecodedPicture,
  type DecoderApi,
} from '../images/progressive';
import type { GenerationRequest } from './builders';
import { apiFetch, type Connection, type RequestOptions } from './client';
import { ApiError, StreamError, isAbortError } from './errors';
import { eventTypeOf, isBase64Payload, LiftedBase64, type Base64Payload } from './lift';
import { readJsonEvents, type StreamEvent } from './sse';

export interface ImageUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_tokens_details?: { text_tokens?: number; image_tokens?: number };
  output_tokens_details?: { text_tokens?: number; image_tokens?: number };
}

/** Adds two usage reports field by field (a missing report counts as nothing). */
export function addUsage(a: ImageUsage | null, b: ImageUsage | null | undefined): ImageUsage | null {
  if (!b) return a;
  if (!a) return b;
  const n = (x?: number, y?: number) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const details = (x?: ImageUsage['input_tokens_details'], y?: ImageUsage['input_tokens_details']) =>
    x || y
      ? { text_tokens: n(x?.text_tokens, y?.text_tokens), image_tokens: n(x?.image_tokens, y?.image_tokens) }
      : undefined;
  const sum: ImageUsage = {
    input_tokens: n(a.input_tokens, b.input_tokens),
    output_tokens: n(a.output_tokens, b.output_tokens),
    total_tokens: n(a.total_tokens, b.total_tokens),
    input_tokens_details: details(a.input_tokens_details, b.input_tokens_details),
    output_tokens_details: details(a.output_tokens_details, b.output_tokens_details),
  };
  return JSON.parse(JSON.stringify(sum)) as ImageUsage; // drops the undefined fields
}

/** What the API says it actually used. */
export interface EchoedParams {
  size?: string;
  quality?: string;
  background?: string;
  output_format?: string;
}

export type GenerationEvent =
  | { kind: 'partial'; partialIndex: number; image: Blob; echoed: EchoedParams }
  | {
      kind: 'image';
      index: number;
      image: Blob;
      revisedPrompt?: string;
      echoed: EchoedParams;
      /** The image as the API returned it, when `image` is Atelier's reworking of it (keep outside the mask). */
      raw?: Blob;
      /**
       * The same image, decoded while its bytes streamed in (see images/progressive.ts); resolves shortly after
       * the event, to null when it could not be decoded that way. Absent unless `decodeWhileStreaming` was set.
       */
      decoded?: Promise<DecodedPicture | null>;
      /**
       * The SHA-256 (lowercase hex) of `image`'s bytes, computed where they already are (the stream worker), so
       * saving the image need not read them back; null when it could not be computed. Absent elsewhere.
       */
      sha256?: Promise<string | null>;
      /**
       * (The stream worker's, with `decodeElsewhere`.) The slot `onPictureComing` announced this image's picture
       * under, instead of `decoded`: the page already has the port it comes on (see images/decode-remote.ts).
       */
      decodedAs?: number;
    }
  | { kind: 'done'; usage: ImageUsage | null; echoed: EchoedParams; created?: number };

export interface GenerateCallOptions {
  signal?: AbortSignal;
  /** No bytes for this long on a stream → StreamError('stalled'). */
  stallMs?: number;
  onRetry?: RequestOptions['onRetry'];
  fetchImpl?: typeof fetch;
  /**
   * Decode each streamed final image while its bytes arrive, where the browser can (WebCodecs ImageDecoder);
   * the `image` event then carries `decoded`. Tests pass their own `decoderApi`.
   */
  decodeWhileStreaming?: boolean;
  decoderApi?: DecoderApi | null;
  /**
   * How wide (device pixels) the final image is shown: a PNG is then decoded while it streams straight to a
   * picture about that size (images/png-preview.ts) rather than to full size by ImageDecoder.
   */
  previewWidth?: number;
  /**
   * (The stream worker's.) Send each final image's bytes to a decode worker of its own, which posts the picture
   * to the page on the port announced with `onPictureComing`. Null/absent: decode on this thread.
   */
  decodeElsewhere?: DecodeElsewhere | null;
  /**
   * (The stream worker's, with `decodeElsewhere`.) Called as soon as a final image starts arriving, with the
   * port its picture will come on and the slot it is announced under (the n-th final image of the stream, from
   * 0): the stream worker passes the port to the page at once, so that the picture, decoded a few ms after the
   * last byte, need not wait for the event to be parsed and sent.
   */
  onPictureComing?: (slot: number, port: MessagePort) => void;
  /**
   * (The page's, when a worker reads the stream.) A final image's picture is on its way: the result card can
   * paint it as soon as it is decoded, before the image event (its Blob) is here. `decoded` is the same promise
   * the image event of that `index` carries. `paintOn` hands a canvas (transferControlToOffscreen) to the decode
   * worker, which then draws the picture on it itself (the picture comes `painted`).
   */
  onArriving?: (index: number, decoded: Promise<DecodedPicture | null>, paintOn?: PaintOn) => void;
  /**
   * Give each streamed final image event a `sha256`, hashed by this function from its bytes while they arrive
   * (the stream worker does, so that saving the image need not read its Blob back).
   */
  hashFinal?: (bytes: ReadableStream<Uint8Array>) => Promise<string | null>;
  /**
   * Read a streamed answer in a Web Worker (api/offthread-client.ts) where the browser can: the main thread
   * then only receives small messages. Falls back to reading it here.
   */
  offMainThread?: boolean;
  /** Where the User Timing marks go (`npm run bench` reads them); performance.mark by default. */
  mark?: (name: StreamMark, at?: MarkTimes) => void;
}

/** A mark's own time (default: now) and, for 'atelier:image-ready', when the stream's last bytes were read. */
export interface MarkTimes {
  startTime?: number;
  lastChunkAt?: number;
}

/** The User Timing marks of a streamed final image: its bytes start, decoded while streaming, event ready. */
export type StreamMark = 'atelier:image-streaming' | 'atelier:image-decoded' | 'atelier:image-ready';

const defaultMark: NonNullable<GenerateCallOptions['mark']> = (name, at = {}) =>
  void performance.mark(name, {
    startTime: at.startTime,
    detail: at.lastChunkAt === undefined ? undefined : { lastChunkAt: at.lastChunkAt },
  });

/** Final-image events, the only ones worth decoding while they stream. */
const FINAL_TYPES = new Set(['image_generation.completed', 'image_edit.completed']);

const ECHO_KEYS = ['size', 'quality', 'background', 'output_format'] as const;

function echoed(from: Record<string, unknown>): EchoedParams {
  const out: EchoedParams = {};
  for (const k of ECHO_KEYS) if (typeof from[k] === 'string') out[k] = from[k] as string;
  return out;
}

/** Runs `POST /images/generations` and yields partial images, final images, then `done`. */
export async function* generateImages(
  conn: Connection,
  req: GenerationRequest,
  opts: GenerateCallOptions = {},
): AsyncGenerator<GenerationEvent> {
  // A stream read in the worker is fetched there too (see api/offthread.ts).
  const fetchImpl =
    opts.fetchImpl ?? (opts.offMainThread && req.stream ? await workerFetchOrNull(opts) : undefined);
  const res = await apiFetch(conn, '/images/generations', {
    method: 'POST',
    json: req.body,
    signal: opts.signal,
    accept: req.stream ? 'text/event-stream' : 'application/json',
    onRetry: opts.onRetry,
    fetchImpl,
  });
  yield* readImageResponse(res, opts);
}

/** Reads an Image API answer (generations or edits), JSON or SSE by its content type, as events. */
export async function* readImageResponse(
  res: Response,
  opts: GenerateCallOptions = {},
): AsyncGenerator<GenerationEvent> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream') && (res.body || opts.offMainThread)) {
    const elsewhere = opts.offMainThread ? await offThreadReader(res, opts) : null;
    if (elsewhere) yield* elsewhere;
    else if (res.body) yield* readImageStream(res.body, opts);
    else throw new StreamError('cut', 'The stream reader stopped unexpectedly.');
  } else {
    yield* readImageJson(res, opts.signal);
  }
}

async function* readImageJson(res: Response, signal?: AbortSignal): AsyncGenerator<GenerationEvent> {
  let json: Record<string, unknown>;
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch (e) {
    if (isAbortError(e) || signal?.aborted) throw e;
    throw new StreamError('cut', 'The response ended before it was complete.');
  }
  const data = Array.isArray(json.data) ? (json.data as Record<string, unknown>[]) : [];
  const echo = echoed(json);
  let index = 0;
  for (const item of data) {
    if (typeof item.b64_json !== 'string') continue;
    const revised = typeof item.revised_prompt === 'string' ? item.revised_prompt : undefined;
    yield {
      kind: 'image',
      index: index++,
      image: imageBlobFromBase64(item.b64_json, echo.output_format),
      revisedPrompt: revised,
      echoed: echo,
    };
  }
  if (index === 0) throw new StreamError('incomplete', 'The response contained no image.');
  yield {
    kind: 'done',
    usage: (json.usage as ImageUsage | undefined) ?? null,
    echoed: echo,
    created: typeof json.created === 'number' ? json.created : undefined,
  };
}

/** The worker's reading of `res`'s stream, or null (its body untouched) where there is no worker to read it. */
async function offThreadReader(
  res: Response,
  opts: GenerateCallOptions,
): Promise<AsyncGenerator<GenerationEvent> | null> {
  try {
    // Loaded on the first streamed run, so neither this nor the worker is part of the initial JavaScript.
    const { readImageStreamInWorker } = await import('./offthread-client');
    return await readImageStreamInWorker(res, opts);
  } catch {
    return null; // offline before the chunk was cached, or no module workers: read it here
  }
}

/** The worker's fetch (see offthread-client.ts); null where there is no worker, so the page fetches. */
async function workerFetchOrNull(opts: GenerateCallOptions): Promise<typeof fetch | undefined> {
  try {
    const { workerFetch } = await import('./offthread-client');
    return (await workerFetch(opts)) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Reads an SSE image stream on the current thread (the worker runs this too). */
export async function* readImageStream(
  body: ReadableStream<Uint8Array>,
  opts: GenerateCallOptions,
): AsyncGenerator<GenerationEvent> {
  let images = 0;
  let usage: ImageUsage | null = null;
  let echo: EchoedParams = {};
  let created: number | undefined;
  const api = opts.decodeWhileStreaming ? (opts.decoderApi ?? browserDecoderApi()) : null;
  const mark = opts.mark ?? defaultMark;
  const decoding = new Map<LiftedBase64, Promise<DecodedPicture | null>>();
  const elsewhere = new Map<LiftedBase64, DecodingElsewhere & { slot: number }>();
  const hashing = new Map<LiftedBase64, Promise<string | null>>();
  let slots = 0;
  const hashFinal = opts.hashFinal;
  const onLift =
    api || hashFinal
      ? (value: LiftedBase64, head: string) => {
          if (!FINAL_TYPES.has(eventTypeOf(head) ?? '')) return;
          // Hashed after the decode is handed its bytes (its reader comes first), so the picture never waits.
          if (hashFinal) queueMicrotask(() => hashing.set(value, hashFinal(value.stream())));
          if (!api) return;
          mark('atelier:image-streaming');
          if (opts.decodeElsewhere) {
            const remote = { ...opts.decodeElsewhere(value.stream(), opts.previewWidth), slot: slots++ };
            elsewhere.set(value, remote);
            opts.onPictureComing?.(remote.slot, remote.port);
            return;
          }
          const decoded = pictureWhileArriving(value, api, opts.previewWidth).then((picture) => {
            if (picture) mark('atelier:image-decoded');
            return picture;
          });
          decoding.set(value, decoded);
        }
      : undefined;
  try {
    let lastChunkAt = 0;
    const onBytes = () => (lastChunkAt = performance.now());
    const events = readJsonEvents(body, { signal: opts.signal, stallMs: opts.stallMs, onBytes, onLift });
    for await (const ev of events) {
      const out = imageEvent(ev, images, (b64) => {
        const decoded = typeof b64 === 'string' ? undefined : decoding.get(b64);
        if (decoded) decoding.delete(b64 as LiftedBase64);
        return decoded;
      });
      if (!out) continue;
      const remote =
        out.kind === 'image' && ev.b64_json instanceof LiftedBase64 ? elsewhere.get(ev.b64_json) : null;
      if (out.kind === 'image' && remote) {
        elsewhere.delete(ev.b64_json as LiftedBase64);
        out.decodedAs = remote.slot;
      }
      if (out.kind === 'image' && ev.b64_json instanceof LiftedBase64) {
        const sha256 = hashing.get(ev.b64_json);
        hashing.delete(ev.b64_json);
        if (sha256) out.sha256 = sha256;
      }
      if (out.kind === 'image') {
        // User Timing for `npm run bench` and DevTools: when the last bytes arrived vs when the Blob was ready.
        mark('atelier:image-ready', { lastChunkAt });
        images++;
        // Each completed event reports its own image's usage; with n>1 (forced through extra fields) add them.
        usage = addUsage(usage, ev.usage as ImageUsage | undefined);
        echo = out.echoed;
        created = typeof ev.created_at === 'number' ? ev.created_at : created;
      }
      yield out;
    }
  } catch (e) {
    if (isAbortError(e) || opts.signal?.aborted) throw e;
    if (e instanceof ApiError || e instanceof StreamError) throw e;
    throw new StreamError('cut', 'The connection closed before the final image arrived.');
  } finally {
    // Decodes no event took (a cut stream, an event that turned out not to be an image): free their pictures.
    for (const decoded of decoding.values()) void decoded.then((d) => d?.picture.close());
    for (const remote of elsewhere.values()) remote.port.close();
  }
  if (images === 0) throw new StreamError('incomplete', 'The stream ended before the final image arrived.');
  yield { kind: 'done', usage, echoed: echo, created };
}

/**
 * Maps one Image API stream event (generation or edit) to a GenerationEvent; null for events to ignore.
 * `decodedOf` hands over the picture decoded while a final image's bytes streamed, if there is one.
 */
export function imageEvent(
  ev: StreamEvent,
  imagesSoFar: number,
  decodedOf?: (b64: Base64Payload) => Promise<DecodedPicture | null> | undefined,
): GenerationEvent | null {
  const b64 = isBase64Payload(ev.b64_json) ? ev.b64_json : null;
  if (!b64) return null;
  const echo = echoed(ev);
  if (ev.type === 'image_generation.partial_image' || ev.type === 'image_edit.partial_image') {
    const partialIndex = typeof ev.partial_image_index === 'number' ? ev.partial_image_index : 0;
    return {
      kind: 'partial',
      partialIndex,
      image: imageBlobFromBase64(b64, echo.output_format),
      echoed: echo,
    };
  }
  if (ev.type === 'image_generation.completed' || ev.type === 'image_edit.completed') {
    const revised = typeof ev.revised_prompt === 'string' ? ev.revised_prompt : undefined;
    const decoded = decodedOf?.(b64);
    return {
      kind: 'image',
      index: imagesSoFar,
      image: imageBlobFromBase64(b64, echo.output_format),
      revisedPrompt: revised,
      echoed: echo,
      ...(decoded ? { decoded } : {}),
    };
  }
  return null;
}
