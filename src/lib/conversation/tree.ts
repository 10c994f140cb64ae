/**
 * The conversation as a tree: every turn has a parent (null for a first turn), so continuing from an earlier
 * turn starts a branch. Pure functions over plain records; what a new turn sends to refer to its parent.
 */
import { ApiError } from '../api/errors';
import type { ImageAction, TurnContext } from './request';

export type TurnStatus =
  'sending' | 'streaming' | 'done' | 'failed' | 'incomplete' | 'cancelled' | 'interrupted';

export interface TurnImage {
  /** The `image_generation_call` id (ig_…). */
  itemId: string;
  /** The final image; null while only a partial exists. */
  blob: Blob | null;
  partial: Blob | null;
  partialIndex: number;
  revisedPrompt: string | null;
  action: string | null;
  size: string | null;
  quality: string | null;
}

export interface TurnInputImage {
  name: string;
  blob: Blob;
}

/** One turn as kept (IndexedDB) and shown: the user's message and the assistant's answer. */
export interface TurnRecord {
  id: string;
  parentId: string | null;
  createdAt: number;
  text: string;
  inputs: TurnInputImage[];
  mask: Blob | null;
  mainline: string;
  toolModel: string;
  requestedAction: ImageAction;
  store: boolean;
  background: boolean;
  /** How this turn referred to its parent. */
  contextKind: TurnContext['kind'];
  responseId: string | null;
  lastSeq: number;
  status: TurnStatus;
  /** The assistant's message items (id and text), as streamed. */
  messages: { id: string; text: string }[];
  images: TurnImage[];
  /** The response's `usage` (ResponseUsage) once it arrived: for the cost ledger. */
  usage?: Record<string, unknown> | null;
  /** The response's `tool_usage` (image tool tokens in `image_gen`), when the server reported it. */
  toolUsage?: Record<string, unknown> | null;
  /** The estimate shown when the turn was sent (dollars), to compare the actual cost with. */
  estimate?: { low: number; point: number; high: number } | null;
  /** Something Atelier did that the user should know (e.g. the fallback to sending the earlier image). */
  note: string | null;
  error: { title: string; detail: string; next: string } | null;
}

type Node = Pick<TurnRecord, 'id' | 'parentId' | 'createdAt'>;

export function childrenOf<T extends Node>(turns: readonly T[], parentId: string | null): T[] {
  return turns.filter((t) => t.parentId === parentId).sort((a, b) => a.createdAt - b.createdAt);
}

/** The turns from the first one down to `id`, in order (empty when `id` is unknown). */
export function pathTo<T extends Node>(turns: readonly T[], id: string | null): T[] {
  const byId = new Map(turns.map((t) => [t.id, t]));
  const out: T[] = [];
  const seen = new Set<string>();
  for (
    let cur = id ? byId.get(id) : undefined;
    cur && !seen.has(cur.id);
    cur = cur.parentId ? byId.get(cur.parentId) : undefined
  ) {
    seen.add(cur.id);
    out.unshift(cur);
  }
  return out;
}

/** The newest leaf under `id` (following the newest child at each step); `id` itself when it has none. */
export function leafOf<T extends Node>(turns: readonly T[], id: string): string {
  let cur = id;
  for (;;) {
    const kids = childrenOf(turns, cur);
    const last = kids[kids.length - 1];
    if (!last) return cur;
    cur = last.id;
  }
}

export interface BranchInfo {
  /** 1-based position among the turns that share this turn's parent. */
  index: number;
  count: number;
  siblings: string[];
}

export function branchInfo<T extends Node>(turns: readonly T[], id: string): BranchInfo {
  const t = turns.find((x) => x.id === id);
  const siblings = t ? childrenOf(turns, t.parentId).map((s) => s.id) : [];
  return { index: siblings.indexOf(id) + 1, count: siblings.length, siblings };
}

/** The newest final image in a turn, or null. */
export const lastImage = (t: TurnRecord): TurnImage | null =>
  [...t.images].reverse().find((i) => i.blob !== null) ?? null;

/** Whether the conversation up to and including `id` holds any image (sent or made). */
export function pathHasImage(turns: readonly TurnRecord[], id: string | null): boolean {
  return pathTo(turns, id).some((t) => t.inputs.length > 0 || t.images.some((i) => i.blob));
}

/** The turn a new turn under `parentId` continues for context: the nearest finished turn on the path. */
export function contextTurnOf(turns: readonly TurnRecord[], parentId: string | null): TurnRecord | null {
  return (
    pathTo(turns, parentId)
      .reverse()
      .find((t) => t.status === 'done') ?? null
  );
}

export type ReferenceMode = 'previous' | 'item';

export type ContextPlan =
  | { kind: 'none' }
  | { kind: 'previous'; responseId: string }
  | { kind: 'item'; itemId: string }
  /** The earlier image, to be sent as an input_image, with a note saying why. */
  | { kind: 'image'; blob: Blob; note: string };

/**
 * How a new turn refers to `parent`: `previous_response_id` by default (or the image call's id), or — when the
 * server cannot have the earlier response (it was sent with store: false, or never finished) — the earlier image
 * itself.
 */
export function planContext(parent: TurnRecord | null, mode: ReferenceMode): ContextPlan {
  if (!parent) return { kind: 'none' };
  const image = lastImage(parent);
  const stored = parent.store && parent.responseId !== null && parent.status === 'done';
  if (stored && mode === 'item' && image) return { kind: 'item', itemId: image.itemId };
  if (stored) return { kind: 'previous', responseId: parent.responseId! };
  if (image?.blob) {
    const why = !parent.store
      ? 'that turn was sent with “Don’t store conversations on the server” (store: false)'
      : 'the server does not have that turn’s response';
    return {
      kind: 'image',
      blob: image.blob,
      note: `The earlier image was sent again as an input image, because ${why}.`,
    };
  }
  return { kind: 'none' };
}

/** The fallback after the server said the earlier response (or image call) is gone. */
export function fallbackAfterGone(parent: TurnRecord | null): ContextPlan {
  const image = parent ? lastImage(parent) : null;
  if (!image?.blob) return { kind: 'none' };
  return {
    kind: 'image',
    blob: image.blob,
    note: 'The server no longer has the earlier response (deleted or expired), so the earlier image was sent again as an input image.',
  };
}

/** The API's answer when `previous_response_id` or a referenced item no longer exists. */
export function isGoneError(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  if (e.code === 'previous_response_not_found') return true;
  const param = e.param ?? '';
  return (
    (e.status === 404 || e.status === 400) &&
    /not found/i.test(e.message) &&
    (param === 'previous_response_id' || /^input(\[\d+\])?$/.test(param))
  );
}
