/**
 * Responses stream events → the state of one turn. A pure reducer: each call returns a new state, so recorded
 * streams can be replayed in any order the API allows. Rules from wire.md §5d:
 * - The final image is the `result` of the `image_generation_call` item (`response.output_item.done`, or the
 *   final `response.output`); a non-empty result counts as done even when its status still says "generating".
 * - `image_generation_call.completed` carries no image and may come before or after `output_item.done`.
 * - `error` events nest their fields under `error` or put them at the top level.
 * - Unknown events are ignored; events at or below the last `sequence_number` (a replay overlap) too.
 */
import { isBase64Payload, type Base64Payload } from '../api/lift';
import type { StreamEvent } from '../api/sse';

export type ResponseStatus =
  'pending' | 'queued' | 'in_progress' | 'completed' | 'failed' | 'incomplete' | 'cancelled';

export interface ImageCall {
  id: string;
  status: string;
  /** Index of the newest partial image, -1 before the first. */
  partialIndex: number;
  partial: Base64Payload | null;
  result: Base64Payload | null;
  revisedPrompt: string | null;
  /** The action the model chose: generate or edit. */
  action: string | null;
  size: string | null;
  quality: string | null;
  background: string | null;
  outputFormat: string | null;
}

export interface TurnStream {
  responseId: string | null;
  status: ResponseStatus;
  background: boolean;
  /** The last `sequence_number` applied; -1 before any. What a resume asks to start after. */
  lastSeq: number;
  messages: { id: string; text: string }[];
  images: ImageCall[];
  error: { code: string | null; message: string } | null;
  incompleteReason: string | null;
  usage: Record<string, unknown> | null;
  /** The response's `tool_usage` (the image tool's tokens are in its `image_gen`), when reported. */
  toolUsage: Record<string, unknown> | null;
}

export const initialTurnStream = (): TurnStream => ({
  responseId: null,
  status: 'pending',
  background: false,
  lastSeq: -1,
  messages: [],
  images: [],
  error: null,
  incompleteReason: null,
  usage: null,
  toolUsage: null,
});

export const isTerminal = (s: ResponseStatus): boolean =>
  s === 'completed' || s === 'failed' || s === 'incomplete' || s === 'cancelled';

/** The assistant's text so far, all message items joined. */
export const turnText = (s: TurnStream): string => s.messages.map((m) => m.text).join('\n\n');

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const hasPayload = (v: unknown): v is Base64Payload =>
  isBase64Payload(v) && (typeof v !== 'string' || v.length > 0);

const STATUSES: ResponseStatus[] = [
  'queued',
  'in_progress',
  'completed',
  'failed',
  'incomplete',
  'cancelled',
];

function upsertImage(s: TurnStream, id: string, change: (img: ImageCall) => ImageCall): TurnStream {
  const i = s.images.findIndex((m) => m.id === id);
  const base: ImageCall = s.images[i] ?? {
    id,
    status: 'in_progress',
    partialIndex: -1,
    partial: null,
    result: null,
    revisedPrompt: null,
    action: null,
    size: null,
    quality: null,
    background: null,
    outputFormat: null,
  };
  const images = [...s.images];
  if (i < 0) images.push(change(base));
  else images[i] = change(base);
  return { ...s, images };
}

const echoed = (img: ImageCall, from: Rec): ImageCall => ({
  ...img,
  size: str(from.size) ?? img.size,
  quality: str(from.quality) ?? img.quality,
  background: str(from.background) ?? img.background,
  outputFormat: str(from.output_format) ?? img.outputFormat,
});

/** Merges a full `image_generation_call` item (from output_item.done or a Response's output). */
function applyImageItem(s: TurnStream, item: Rec): TurnStream {
  const id = str(item.id);
  if (!id) return s;
  return upsertImage(s, id, (img) => {
    let next = echoed(img, item);
    const status = str(item.status) ?? next.status;
    if (hasPayload(item.result)) next = { ...next, result: item.result, status: 'completed' };
    else if (!next.result) next = { ...next, status };
    return {
      ...next,
      revisedPrompt: str(item.revised_prompt) ?? next.revisedPrompt,
      action: str(item.action) ?? next.action,
    };
  });
}

function applyMessageItem(s: TurnStream, item: Rec): TurnStream {
  const id = str(item.id);
  if (!id || !Array.isArray(item.content)) return s;
  const text = item.content
    .filter((c): c is Rec => isRec(c) && c.type === 'output_text' && typeof c.text === 'string')
    .map((c) => c.text as string)
    .join('');
  return setMessage(s, id, text);
}

function setMessage(s: TurnStream, id: string, text: string): TurnStream {
  const i = s.messages.findIndex((m) => m.id === id);
  const messages = [...s.messages];
  if (i < 0) messages.push({ id, text });
  else messages[i] = { id, text };
  return { ...s, messages };
}

/** Merges a Response object (from created/in_progress/completed/failed events, a JSON answer, or a poll). */
export function applyResponse(s: TurnStream, r: Rec): TurnStream {
  let next: TurnStream = { ...s, responseId: str(r.id) ?? s.responseId };
  const status = str(r.status) as ResponseStatus | null;
  if (status && STATUSES.includes(status)) next.status = status;
  if (typeof r.background === 'boolean') next.background = r.background;
  if (isRec(r.error))
    next.error = { code: str(r.error.code), message: str(r.error.message) ?? 'The response failed.' };
  if (isRec(r.incomplete_details)) next.incompleteReason = str(r.incomplete_details.reason) ?? 'unknown';
  if (isRec(r.usage)) next.usage = r.usage;
  if (isRec(r.tool_usage)) next.toolUsage = r.tool_usage;
  if (Array.isArray(r.output))
    for (const item of r.output) {
      if (!isRec(item)) continue;
      if (item.type === 'image_generation_call') next = applyImageItem(next, item);
      else if (item.type === 'message') next = applyMessageItem(next, item);
    }
  return next;
}

/** The error of an `error` event, nested or flat, field by field. */
export function errorOf(ev: Rec): { code: string | null; message: string } {
  const inner = isRec(ev.error) ? ev.error : ev;
  return {
    code: str(inner.code) ?? str(ev.code),
    message: str(inner.message) ?? str(ev.message) ?? 'The server reported an error.',
  };
}

export function reduceTurn(s: TurnStream, ev: StreamEvent): TurnStream {
  const seq = typeof ev.sequence_number === 'number' ? ev.sequence_number : null;
  if (seq !== null && seq <= s.lastSeq) return s;
  let next: TurnStream = seq !== null ? { ...s, lastSeq: seq } : s;
  const itemId = str(ev.item_id);
  switch (ev.type) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete':
    case 'response.cancelled':
      if (isRec(ev.response)) next = applyResponse(next, ev.response);
      if (ev.type === 'response.failed') {
        next = { ...next, status: 'failed' };
        if (!next.error) next.error = { code: null, message: 'The response failed.' };
      }
      if (ev.type === 'response.incomplete')
        next = { ...next, status: 'incomplete', incompleteReason: next.incompleteReason ?? 'unknown' };
      if (ev.type === 'response.completed') next = { ...next, status: 'completed' };
      return next;
    case 'response.output_item.added':
    case 'response.output_item.done': {
      const item = isRec(ev.item) ? ev.item : null;
      if (item?.type === 'image_generation_call') return applyImageItem(next, item);
      if (item?.type === 'message' && ev.type === 'response.output_item.done')
        return applyMessageItem(next, item);
      return next;
    }
    case 'response.image_generation_call.in_progress':
    case 'response.image_generation_call.generating':
      if (!itemId) return next;
      return upsertImage(next, itemId, (img) =>
        img.result ? img : { ...img, status: ev.type.endsWith('generating') ? 'generating' : 'in_progress' },
      );
    case 'response.image_generation_call.partial_image': {
      const payload = ev.partial_image_b64;
      if (!itemId || !hasPayload(payload)) return next;
      const index = typeof ev.partial_image_index === 'number' ? ev.partial_image_index : 0;
      return upsertImage(next, itemId, (img) =>
        index < img.partialIndex ? img : { ...echoed(img, ev), partial: payload, partialIndex: index },
      );
    }
    case 'response.image_generation_call.completed':
      // No image data here: the result comes with output_item.done, before or after this event.
      if (!itemId) return next;
      return upsertImage(next, itemId, (img) => (img.result ? img : { ...img, status: 'completed' }));
    case 'response.output_text.delta': {
      if (!itemId || typeof ev.delta !== 'string') return next;
      const prev = next.messages.find((m) => m.id === itemId)?.text ?? '';
      return setMessage(next, itemId, prev + ev.delta);
    }
    case 'response.output_text.done':
      if (!itemId || typeof ev.text !== 'string') return next;
      return setMessage(next, itemId, ev.text);
    case 'error':
      return { ...next, status: 'failed', error: errorOf(ev) };
    default:
      return next;
  }
}

/** The final image of each call that has one (a non-empty result), in order. */
export const finishedImages = (s: TurnStream): ImageCall[] => s.images.filter((m) => m.result !== null);
