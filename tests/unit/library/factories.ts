/** Test data for the library: records built from the current types, blobs with known bytes and hashes. */
import { createStore, type UseStore } from 'idb-keyval';
import { sha256Hex } from '../../../src/lib/library/hash';
import { LIBRARY_SCHEMA, type LibraryItem, type Recipe } from '../../../src/lib/library/types';

let dbCounter = 0;

/** A fresh pair of stores (unique database names), as the repository would open them. */
export function freshStores(): { meta: UseStore; blobs: UseStore; metaDb: string; blobDb: string } {
  const n = ++dbCounter;
  const metaDb = `test-meta-${n}-${Math.random().toString(36).slice(2)}`;
  const blobDb = `test-blobs-${n}-${Math.random().toString(36).slice(2)}`;
  return { meta: createStore(metaDb, 'items'), blobs: createStore(blobDb, 'blobs'), metaDb, blobDb };
}

/** Bytes that start like a PNG, then `seed` repeated: distinct seeds give distinct hashes. */
export function pngBytes(seed: string, size = 64): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const text = new TextEncoder().encode(seed);
  for (let i = 8; i < size; i++) out[i] = text[i % text.length]!;
  return out;
}

export interface StoredBlob {
  hash: string;
  blob: Blob;
  bytes: Uint8Array<ArrayBuffer>;
}

export async function blobOf(seed: string, mime = 'image/png', size = 64): Promise<StoredBlob> {
  const bytes = pngBytes(seed, size);
  return { hash: await sha256Hex(bytes), blob: new Blob([bytes], { type: mime }), bytes };
}

export function recipe(patch: Partial<Recipe> = {}): Recipe {
  return {
    kind: 'generation',
    endpoint: '/images/generations',
    model: 'gpt-image-2.6-flare',
    body: { model: 'gpt-image-2.6-flare', prompt: 'A lighthouse at dusk', size: '1024x1024', quality: 'low' },
    prompt: 'A lighthouse at dusk',
    revisedPrompt: null,
    echoed: { size: '1024x1024', quality: 'low' },
    usage: { input_tokens: 12, output_tokens: 272, total_tokens: 284 },
    cost: 0.011,
    estimate: {
      usd: { low: 0.0109, point: 0.011, high: 0.0111 },
      tokens: { low: 272, point: 282, high: 292 },
    },
    timings: { startedAt: 1_760_000_000_000, firstImageMs: 900, totalMs: 4200 },
    status: 'complete',
    sources: [],
    mask: null,
    parent: null,
    thread: null,
    turn: null,
    index: 0,
    of: 1,
    ...patch,
  };
}

/** A record for `image` (and `thumb`), with its blobs in a map ready for `save`. */
export function itemFor(
  id: string,
  image: StoredBlob,
  opts: { thumb?: StoredBlob; created?: number; recipe?: Partial<Recipe>; extra?: StoredBlob[] } = {},
): { item: LibraryItem; blobs: Map<string, Blob> } {
  const blobs = new Map<string, Blob>([[image.hash, image.blob]]);
  if (opts.thumb) blobs.set(opts.thumb.hash, opts.thumb.blob);
  for (const e of opts.extra ?? []) blobs.set(e.hash, e.blob);
  const item: LibraryItem = {
    v: LIBRARY_SCHEMA,
    id,
    created: opts.created ?? 1_760_000_000_000,
    favourite: false,
    recipe: recipe(opts.recipe),
    image: { hash: image.hash, mime: image.blob.type, bytes: image.blob.size, width: 1024, height: 1024 },
    thumb: opts.thumb
      ? { hash: opts.thumb.hash, mime: 'image/webp', bytes: opts.thumb.blob.size, width: 256, height: 256 }
      : null,
    partialIndex: null,
  };
  return { item, blobs };
}

export const bytesOf = async (b: Blob | null): Promise<number[]> =>
  b ? Array.from(new Uint8Array(await b.arrayBuffer())) : [];
