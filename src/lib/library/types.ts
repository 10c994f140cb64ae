/**
 * What the library stores: one record per image (its recipe and references to its bytes), and the bytes
 * themselves as Blobs keyed by their SHA-256. Pure types and guards; no storage here.
 */
import type { ImageUsage } from '../api/images';

/**
 * The record format written now. Older records are upgraded on read (see migrate.ts).
 *
 * Still 1 after `recipe.estimate` was added: the field is optional on read (a record without it reads as
 * `estimate: null`, so every stored v1 record stays valid as it is) and a reader that does not know it ignores it.
 * Bumping the version would have made an older build still open in another tab (or served by a stale service
 * worker) drop every new record as unreadable, for no gain. A change that alters or removes a field, or makes
 * one required, needs a new version and a step in migrate.ts.
 */
export const LIBRARY_SCHEMA = 1;

export type ItemKind = 'generation' | 'edit' | 'variation' | 'conversation';
export type ItemStatus = 'complete' | 'incomplete' | 'failed';
export const ITEM_KINDS: readonly ItemKind[] = ['generation', 'edit', 'variation', 'conversation'];

/** A Blob held in the blob store, by content: the same bytes are stored once whatever refers to them. */
export interface BlobRef {
  /** Lowercase hex SHA-256 of the bytes: the key in the blob store. */
  hash: string;
  mime: string;
  bytes: number;
}

export interface ImageRef extends BlobRef {
  width: number;
  height: number;
}

export interface Timings {
  /** Epoch ms when the request was sent. */
  startedAt: number;
  /** ms from sending to the first image data (partial or final) arriving, when known. */
  firstImageMs: number | null;
  /** ms from sending to the end of the run, once it ended. */
  totalMs: number | null;
}

/** Low, best guess and high: an estimate is a range (see cost/range.ts). */
export interface StoredRange {
  low: number;
  point: number;
  high: number;
}

/** The estimate shown before the request was sent (for the whole request, like `cost`). Never a bill. */
export interface RecipeEstimate {
  /** USD; null when the model had no price. */
  usd: StoredRange | null;
  /** All tokens of the request, when the estimate counted them (conversation turns keep only dollars). */
  tokens: StoredRange | null;
}

/** Everything needed to understand, repeat or continue the request that made an image. */
export interface Recipe {
  kind: ItemKind;
  /** API path, e.g. "/images/generations". */
  endpoint: string;
  model: string;
  /** The request body as sent (multipart edits: their fields, files described). Never holds a key. */
  body: Record<string, unknown>;
  prompt: string;
  revisedPrompt: string | null;
  /** The parameters the response said it used (size, quality, background, output_format). */
  echoed: Record<string, string>;
  usage: ImageUsage | null;
  /** USD computed from `usage` at the prices in force then; null when unknown. */
  cost: number | null;
  /** What was estimated before sending; null when unknown (and in records saved before it was kept). */
  estimate: RecipeEstimate | null;
  timings: Timings;
  status: ItemStatus;
  /** Input images (edits, variations, conversation turns), in the order sent. */
  sources: BlobRef[];
  mask: BlobRef | null;
  /** The library item this one was made from (the item whose image was the first source, or a previous turn). */
  parent: string | null;
  /** Conversation mode: the thread and the turn within it. */
  thread: string | null;
  turn: number | null;
  /** Which image of the request this is, and how many the request asked for. */
  index: number;
  of: number;
}

export interface LibraryItem {
  v: typeof LIBRARY_SCHEMA;
  id: string;
  /** Epoch ms when the item was first saved. */
  created: number;
  favourite: boolean;
  recipe: Recipe;
  image: ImageRef;
  thumb: ImageRef | null;
  /** Non-null while the stored image is a partial; the final replaces it. */
  partialIndex: number | null;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const HASH = /^[0-9a-f]{64}$/;

export const isHash = (v: unknown): v is string => isStr(v) && HASH.test(v);

function asBlobRef(v: unknown): BlobRef | null {
  if (!isObj(v) || !isHash(v.hash) || !isStr(v.mime) || !isNum(v.bytes) || v.bytes < 0) return null;
  return { hash: v.hash, mime: v.mime, bytes: v.bytes };
}

function asImageRef(v: unknown): ImageRef | null {
  const ref = asBlobRef(v);
  if (!ref || !isObj(v) || !isNum(v.width) || !isNum(v.height)) return null;
  return { ...ref, width: v.width, height: v.height };
}

const strOrNull = (v: unknown): string | null => (isStr(v) ? v : null);

function asRange(v: unknown): StoredRange | null {
  if (!isObj(v) || !isNum(v.low) || !isNum(v.point) || !isNum(v.high)) return null;
  if (v.low < 0 || v.low > v.point || v.point > v.high) return null;
  return { low: v.low, point: v.point, high: v.high };
}

/** A stored estimate, or null when missing or malformed (it is a detail: never a reason to drop the item). */
export function asRecipeEstimate(v: unknown): RecipeEstimate | null {
  if (!isObj(v)) return null;
  const usd = asRange(v.usd);
  const tokens = asRange(v.tokens);
  return usd || tokens ? { usd, tokens } : null;
}
const numOrNull = (v: unknown): number | null => (isNum(v) ? v : null);

/**
 * A current-format record read from storage or a manifest, or null when it is not one. Optional details that are
 * missing or malformed fall back to empty values; the parts that identify the image must be right.
 */
export function asLibraryItem(v: unknown): LibraryItem | null {
  if (!isObj(v) || v.v !== LIBRARY_SCHEMA || !isStr(v.id) || !v.id || !isNum(v.created)) return null;
  const image = asImageRef(v.image);
  const r = v.recipe;
  if (!image || !isObj(r)) return null;
  const kind = ITEM_KINDS.includes(r.kind as ItemKind) ? (r.kind as ItemKind) : null;
  if (!kind || !isStr(r.model)) return null;
  const t = isObj(r.timings) ? r.timings : {};
  const echoed: Record<string, string> = {};
  if (isObj(r.echoed)) for (const [k, val] of Object.entries(r.echoed)) if (isStr(val)) echoed[k] = val;
  const status: ItemStatus = r.status === 'complete' || r.status === 'failed' ? r.status : 'incomplete';
  return {
    v: LIBRARY_SCHEMA,
    id: v.id,
    created: v.created,
    favourite: v.favourite === true,
    image,
    thumb: v.thumb == null ? null : asImageRef(v.thumb),
    partialIndex: numOrNull(v.partialIndex),
    recipe: {
      kind,
      endpoint: isStr(r.endpoint) ? r.endpoint : '',
      model: r.model,
      body: isObj(r.body) ? r.body : {},
      prompt: isStr(r.prompt) ? r.prompt : '',
      revisedPrompt: strOrNull(r.revisedPrompt),
      echoed,
      usage: isObj(r.usage) ? (r.usage as ImageUsage) : null,
      cost: isNum(r.cost) && r.cost >= 0 ? r.cost : null,
      estimate: asRecipeEstimate(r.estimate),
      timings: {
        startedAt: isNum(t.startedAt) ? t.startedAt : v.created,
        firstImageMs: numOrNull(t.firstImageMs),
        totalMs: numOrNull(t.totalMs),
      },
      status,
      sources: Array.isArray(r.sources)
        ? r.sources.map(asBlobRef).filter((x): x is BlobRef => x !== null)
        : [],
      mask: r.mask == null ? null : asBlobRef(r.mask),
      parent: strOrNull(r.parent),
      thread: strOrNull(r.thread),
      turn: numOrNull(r.turn),
      index: isNum(r.index) ? r.index : 0,
      of: isNum(r.of) ? r.of : 1,
    },
  };
}

/** Every blob hash a record refers to (image, thumbnail, sources, mask). */
export function blobHashes(item: LibraryItem): string[] {
  const out = [item.image.hash];
  if (item.thumb) out.push(item.thumb.hash);
  for (const s of item.recipe.sources) out.push(s.hash);
  if (item.recipe.mask) out.push(item.recipe.mask.hash);
  return out;
}

/** The key names a request body could carry a secret under; stripped before anything is stored or exported. */
const SECRET_KEYS = /^(api[_-]?key|authorization|bearer|password|secret|token)$/i;

/** A deep copy of a request body without secret-looking keys (the key is sent as a header, never in the body). */
export function scrubBody(body: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObj(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) if (!SECRET_KEYS.test(k)) out[k] = walk(val);
    return out;
  };
  return walk(body) as Record<string, unknown>;
}
