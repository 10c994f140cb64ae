/**
 * The upgrade chain for stored records. Each record carries its schema version (`v`); a record older than
 * LIBRARY_SCHEMA goes through every step from its version up, then through `asLibraryItem`.
 *
 * v0 is the flat shape that the library's pre-release prototype wrote during development. No released build of
 * Atelier ever stored it (the library ships with v1), so no user has v0 data; it is written down here, with
 * a fixture and a test, so the chain has a real first link and the next format change has a pattern to follow.
 * A new version adds: the new shape in types.ts, one step here, a fixture of the old shape, and a test.
 */
import { LIBRARY_SCHEMA, asLibraryItem, type LibraryItem } from './types';

/** The v0 record (pre-release prototype; see the note above). Sources were bare hashes with type and size. */
export interface LibraryItemV0 {
  id: string;
  createdAt: number;
  prompt: string;
  model: string;
  endpoint: 'generations' | 'edits';
  params: Record<string, unknown>;
  revisedPrompt?: string;
  usage?: Record<string, unknown> | null;
  costUsd?: number | null;
  status?: 'done' | 'partial' | 'error';
  imageHash: string;
  mime: string;
  width: number;
  height: number;
  size: number;
  thumbHash?: string;
  thumbSize?: number;
  sources?: { hash: string; type: string; size: number }[];
  starred?: boolean;
}

const THUMB_EDGE = 256;

function v0ToV1(r: LibraryItemV0): unknown {
  const scale = Math.min(1, THUMB_EDGE / Math.max(r.width || 1, r.height || 1));
  return {
    v: 1,
    id: r.id,
    created: r.createdAt,
    favourite: r.starred === true,
    partialIndex: r.status === 'partial' ? 0 : null,
    image: { hash: r.imageHash, mime: r.mime, bytes: r.size, width: r.width, height: r.height },
    thumb: r.thumbHash
      ? {
          hash: r.thumbHash,
          mime: 'image/webp',
          bytes: r.thumbSize ?? 0,
          width: Math.max(1, Math.round(r.width * scale)),
          height: Math.max(1, Math.round(r.height * scale)),
        }
      : null,
    recipe: {
      kind: r.endpoint === 'edits' ? 'edit' : 'generation',
      endpoint: `/images/${r.endpoint}`,
      model: r.model,
      body: r.params,
      prompt: r.prompt,
      revisedPrompt: r.revisedPrompt ?? null,
      echoed: {},
      usage: r.usage ?? null,
      cost: r.costUsd ?? null,
      timings: { startedAt: r.createdAt, firstImageMs: null, totalMs: null },
      status: r.status === 'done' ? 'complete' : r.status === 'error' ? 'failed' : 'incomplete',
      sources: (r.sources ?? []).map((s) => ({ hash: s.hash, mime: s.type, bytes: s.size })),
      mask: null,
      parent: null,
      thread: null,
      turn: null,
      index: 0,
      of: 1,
    },
  };
}

/** Step `n` turns a version-n record into a version-(n+1) record. */
const UPGRADES: Record<number, (raw: never) => unknown> = {
  0: v0ToV1,
};

/** The schema version a stored value claims: its `v`, or 0 for the unversioned prototype shape. */
export function schemaOf(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const v = (raw as { v?: unknown }).v;
  if (v === undefined) return typeof (raw as { imageHash?: unknown }).imageHash === 'string' ? 0 : null;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

export interface Upgraded {
  item: LibraryItem;
  /** The stored value was older than the current schema (the caller may write the upgrade back). */
  changed: boolean;
}

/**
 * A stored value in the current format, or null when it is unreadable or newer than this build understands
 * (a record from a newer version is left untouched in storage, never overwritten).
 */
export function upgradeRecord(raw: unknown): Upgraded | null {
  let v = schemaOf(raw);
  if (v === null || v > LIBRARY_SCHEMA) return null;
  const from = v;
  let value = raw;
  while (v < LIBRARY_SCHEMA) {
    const step = UPGRADES[v];
    if (!step) return null;
    try {
      value = step(value as never);
    } catch {
      return null;
    }
    v++;
  }
  const item = asLibraryItem(value);
  return item ? { item, changed: from !== LIBRARY_SCHEMA } : null;
}
