/** The Image API generation call: one request, read as JSON or as an SSE stream, turned into typed events. */
import { imageBlobFromBase64 } from '../images/bytes';
import type { GenerationRequest } from './builders';
import { apiFetch, type Connection, type RequestOptions } from './client';
import { ApiError, StreamError, isAbortError } from './errors';
import { isBase64Payload } from './lift';
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
    }
  | { kind: 'done'; usage: ImageUsage | null; echoed: EchoedParams; created?: number };

export interface GenerateCallOptions {
  signal?: AbortSignal;
  /** No bytes for this long on a stream → StreamError('stalled'). */
  stallMs?: number;
  onRetry?: RequestOptions['onRetry'];
  fetchImpl?: typeof fetch;
}

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
  const res = await apiFetch(conn, '/images/generations', {
    method: 'POST',
    json: req.body,
    signal: opts.signal,
    accept: req.stream ? 'text/event-stream' : 'application/json',
    onRetry: opts.onRetry,
    fetchImpl: opts.fetchImpl,
  });
  yield* readImageResponse(res, opts);
}

/** Reads an Image API answer (generations or edits), JSON or SSE by its content type, as events. */
export async function* readImageResponse(
  res: Response,
  opts: GenerateCallOptions = {},
): AsyncGenerator<GenerationEvent> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream') && res.body) {
    yield* readImageStream(res.body, opts);
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

async function* readImageStream(
  body: ReadableStream<Uint8Array>,
  opts: GenerateCallOptions,
): AsyncGenerator<GenerationEvent> {
  let images = 0;
  let usage: ImageUsage | null = null;
  let echo: EchoedParams = {};
  let created: number | undefined;
  try {
    let lastChunkAt = 0;
    const onBytes = () => (lastChunkAt = performance.now());
    for await (const ev of readJsonEvents(body, { signal: opts.signal, stallMs: opts.stallMs, onBytes })) {
      const out = imageEvent(ev, images);
      if (!out) continue;
      if (out.kind === 'image') {
        // User Timing for `npm run bench` and DevTools: when the last bytes arrived vs when the Blob was ready.
        performance.mark('atelier:image-ready', { detail: { lastChunkAt } });
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
  }
  if (images === 0) throw new StreamError('incomplete', 'The stream ended before the final image arrived.');
  yield { kind: 'done', usage, echoed: echo, created };
}

/** Maps one Image API stream event (generation or edit) to a GenerationEvent; null for events to ignore. */
export function imageEvent(ev: StreamEvent, imagesSoFar: number): GenerationEvent | null {
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
    return {
      kind: 'image',
      index: imagesSoFar,
      image: imageBlobFromBase64(b64, echo.output_format),
      revisedPrompt: revised,
      echoed: echo,
    };
  }
  return null;
}
