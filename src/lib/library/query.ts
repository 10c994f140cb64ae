/** Searching, filtering, lineage and storage figures over the library's records. Pure. */
import { ITEM_KINDS, type ItemKind, type LibraryItem } from './types';

export interface LibraryFilter {
  /** Words that must all appear in the prompt (or the revised prompt), any case. */
  text: string;
  /** '' for any. */
  model: string;
  /** '' for any; else an API path such as "/images/edits". */
  endpoint: string;
  /** Local calendar days "YYYY-MM-DD", inclusive; '' for open-ended. */
  from: string;
  to: string;
  favourites: boolean;
}

export const NO_FILTER: LibraryFilter = {
  text: '',
  model: '',
  endpoint: '',
  from: '',
  to: '',
  favourites: false,
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Local midnight of a "YYYY-MM-DD" day, or null. */
const dayStart = (day: string): number | null =>
  DAY.test(day) ? new Date(`${day}T00:00:00`).getTime() : null;

/** The items that pass the filter, in the order given (the repository lists newest first). */
export function filterItems(items: readonly LibraryItem[], f: LibraryFilter): LibraryItem[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  const from = dayStart(f.from);
  const toStart = dayStart(f.to);
  const to = toStart === null ? null : toStart + 86_400_000;
  return items.filter((i) => {
    const r = i.recipe;
    if (f.favourites && !i.favourite) return false;
    if (f.model && r.model !== f.model) return false;
    if (f.endpoint && r.endpoint !== f.endpoint) return false;
    if (from !== null && i.created < from) return false;
    if (to !== null && i.created >= to) return false;
    if (words.length) {
      const hay = `${r.prompt}\n${r.revisedPrompt ?? ''}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
}

export const isFiltered = (f: LibraryFilter): boolean =>
  Boolean(f.text.trim() || f.model || f.endpoint || f.from || f.to || f.favourites);

/** The models and endpoints present, for the filter menus. */
export function facets(items: readonly LibraryItem[]): { models: string[]; endpoints: string[] } {
  const models = new Set<string>();
  const endpoints = new Set<string>();
  for (const i of items) {
    models.add(i.recipe.model);
    if (i.recipe.endpoint) endpoints.add(i.recipe.endpoint);
  }
  return { models: [...models].sort(), endpoints: [...endpoints].sort() };
}

export interface Lineage {
  /** The item this one was made from, when it is still in the library. */
  parent: LibraryItem | null;
  /** Items made from this one (its image was their first source, or it is their parent). */
  children: LibraryItem[];
  /** Items whose image was one of this item's input images. */
  sourceItems: LibraryItem[];
}

export function lineage(items: readonly LibraryItem[], item: LibraryItem): Lineage {
  const byId = new Map(items.map((i) => [i.id, i]));
  const sourceHashes = new Set(item.recipe.sources.map((s) => s.hash));
  const parent = item.recipe.parent ? (byId.get(item.recipe.parent) ?? null) : null;
  const children = items.filter(
    (i) =>
      i.id !== item.id &&
      (i.recipe.parent === item.id || i.recipe.sources.some((s) => s.hash === item.image.hash)),
  );
  const sourceItems = items.filter((i) => i.id !== item.id && sourceHashes.has(i.image.hash));
  return { parent, children, sourceItems };
}

/** The item whose image is `hash` (the newest if several), e.g. to link an edit to what it edited. */
export function itemWithImage(items: readonly LibraryItem[], hash: string): LibraryItem | null {
  let best: LibraryItem | null = null;
  for (const i of items) if (i.image.hash === hash && (!best || i.created > best.created)) best = i;
  return best;
}

export interface StorageUse {
  images: number;
  thumbnails: number;
  /** Input images and masks. */
  inputs: number;
  /** The records themselves, approximately (their JSON length). */
  records: number;
  total: number;
  /** How many items of each kind. */
  counts: Record<ItemKind, number>;
  /** Bytes of final images and thumbnails per kind of item. */
  bytesByKind: Record<ItemKind, number>;
}

/** Each record's JSON length, worked out once per record object (records are replaced, never changed). */
const recordSizes = new WeakMap<LibraryItem, number>();
function recordSize(item: LibraryItem): number {
  let n = recordSizes.get(item);
  if (n === undefined) recordSizes.set(item, (n = JSON.stringify(item).length));
  return n;
}

/** Bytes stored, counting each blob once however many records refer to it. */
export function storageUse(items: readonly LibraryItem[]): StorageUse {
  const seen = new Set<string>();
  const once = (hash: string, bytes: number) => (seen.has(hash) ? 0 : (seen.add(hash), bytes));
  const zero = () => Object.fromEntries(ITEM_KINDS.map((k) => [k, 0])) as Record<ItemKind, number>;
  const use: StorageUse = {
    images: 0,
    thumbnails: 0,
    inputs: 0,
    records: 0,
    total: 0,
    counts: zero(),
    bytesByKind: zero(),
  };
  for (const i of items) {
    const kind = i.recipe.kind;
    use.counts[kind]++;
    const img = once(i.image.hash, i.image.bytes);
    const thumb = i.thumb ? once(i.thumb.hash, i.thumb.bytes) : 0;
    use.images += img;
    use.thumbnails += thumb;
    use.bytesByKind[kind] += img + thumb;
    use.records += recordSize(i);
  }
  // Inputs after every image: an input that is also a library image is counted as the image.
  for (const i of items) {
    for (const s of i.recipe.sources) use.inputs += once(s.hash, s.bytes);
    if (i.recipe.mask) use.inputs += once(i.recipe.mask.hash, i.recipe.mask.bytes);
  }
  use.total = use.images + use.thumbnails + use.inputs + use.records;
  return use;
}
