/**
 * The recent record: the newest RECENT_SIZE items of the library with their thumbnails inline as data: URLs,
 * kept in localStorage (see names.ts) so the gallery's first screen needs one synchronous read. The repository
 * updates it under its write lock after every save, delete and favourite change, keeping it a true newest-first
 * prefix of the library (it may hold fewer items after deletes, or when it would be too long to keep). It is only
 * a preview: the gallery shows it, then what `pages()` reads, and rebuilds it when the two disagree.
 */
import { getMany, promisifyRequest, type UseStore } from 'idb-keyval';
import { dataUrl } from './data-url';
import { upgradeRecord } from './migrate';
import { RECENT_DB_V1, type RecentStore } from './names';
import type { Lock } from './storage-guard';
import type { LibraryItem } from './types';

/** Items in the recent record: more than the first screen of the gallery holds at 1280 × 900 (42 with overscan). */
export const RECENT_SIZE = 60;

/** Newest first; equal times by id (the order store's own order). */
export const newestFirst = (a: LibraryItem, b: LibraryItem): number =>
  b.created - a.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What the recent record must match: the items, their favourites and thumbnails, in order. */
export const recentKey = (items: readonly LibraryItem[]): string =>
  items.map((i) => `${i.id}:${i.created}:${+i.favourite}:${i.thumb?.hash ?? ''}:${i.partialIndex}`).join('|');

/** The order store's key for an item: newest first, then by id. */
export type OrderKey = [number, string];
export const orderKey = (i: Pick<LibraryItem, 'created' | 'id'>): OrderKey => [-i.created, i.id];

/** A thumbnail carried in the recent record, as a data: URL. */
export interface ThumbUrl {
  hash: string;
  url: string;
}

/** The recent record as read: the newest items (a newest-first prefix of the library) and their thumbnails. */
export interface RecentPage {
  items: LibraryItem[];
  thumbs: ThumbUrl[];
  /** These are all the items stored (the library is smaller than RECENT_SIZE). */
  complete: boolean;
}

interface StoredRecent {
  v: 2;
  items: LibraryItem[];
  /** The hashes of the items' thumbnails, each stored under its own key (RecentStore.thumb). */
  thumbs: string[];
  complete: boolean;
}

/**
 * The recent list after saving `saved`: an item joins when it falls inside the prefix the list covers (or the list
 * is the whole library), leaves when it moved out of it, and the list is cut to RECENT_SIZE.
 */
export function mergeRecent(
  r: { items: readonly LibraryItem[]; complete: boolean },
  saved: readonly LibraryItem[],
): { items: LibraryItem[]; complete: boolean } {
  const byId = new Map(r.items.map((i) => [i.id, i]));
  const last = r.items.at(-1);
  for (const s of saved) {
    if (r.complete || (last && newestFirst(s, last) <= 0)) byId.set(s.id, s);
    else byId.delete(s.id);
  }
  const items = [...byId.values()].sort(newestFirst);
  return items.length > RECENT_SIZE
    ? { items: items.slice(0, RECENT_SIZE), complete: false }
    : { items, complete: r.complete };
}

export interface RecentRecordDeps {
  /** Where the record lives (null: nowhere, e.g. storage blocked). */
  store: () => RecentStore | null;
  /** The order store ([-created, id] → id), to rebuild from. */
  order: () => UseStore | null;
  /** The records by id. */
  meta: () => UseStore;
  lock: Lock;
  /** Thumbnail bytes by hash, for thumbnails the record does not hold yet. */
  blobMany: (hashes: readonly string[]) => Promise<(Blob | null)[]>;
  /** The record's longest text, thumbnails included. */
  maxChars: number;
}

export class RecentRecord {
  constructor(private readonly deps: RecentRecordDeps) {}

  /**
   * The recent record (null when there is none, or it cannot be read: then the gallery just waits for `pages()`).
   * `early`: the stored value, when the caller started reading it before this code loaded (readRecentEarly).
   */
  async read(early?: Promise<unknown>): Promise<RecentPage | null> {
    const store = this.deps.store();
    if (!store) return null;
    let raw: Partial<StoredRecent> | null;
    try {
      raw = (early ? await early : JSON.parse(store.read() ?? 'null')) as Partial<StoredRecent> | null;
    } catch {
      return null;
    }
    if (!raw || raw.v !== 2 || !Array.isArray(raw.items) || !Array.isArray(raw.thumbs)) return null;
    const items: LibraryItem[] = [];
    for (const v of raw.items) {
      const item = upgradeRecord(v)?.item;
      if (!item) return null;
      items.push(item);
    }
    const thumbs: ThumbUrl[] = [];
    for (const hash of raw.thumbs) {
      const url = typeof hash === 'string' ? store.thumb(hash) : null;
      if (url?.startsWith('data:image/')) thumbs.push({ hash, url });
    }
    return { items, thumbs, complete: raw.complete === true };
  }

  /**
   * Rewrites the recent record from the order store and the records (after a read found it missing or stale: the
   * first open after an upgrade, an import, a crash between writes). Never throws.
   */
  async rebuild(): Promise<void> {
    const order = this.deps.order();
    const store = this.deps.store();
    if (!order || !store) return;
    // The record's first version was a database of its own: no longer read, so its space is given back.
    try {
      globalThis.indexedDB?.deleteDatabase(RECENT_DB_V1);
    } catch {
      // Nothing to give back where IndexedDB is unavailable.
    }
    try {
      await this.deps.lock(async () => {
        const top: OrderKey[] = await order('readonly', (s) =>
          promisifyRequest(s.getAllKeys(null, RECENT_SIZE + 1) as unknown as IDBRequest<OrderKey[]>),
        );
        const ids = top.slice(0, RECENT_SIZE).map((k) => k[1]);
        const items = (await getMany(ids, this.deps.meta())).flatMap((v) => {
          const item = upgradeRecord(v)?.item;
          return item ? [item] : [];
        });
        await this.write(items, top.length <= RECENT_SIZE, [], new Map());
      });
    } catch {
      // Only the first screen's speed is lost; the next read tries again.
    }
  }

  /** Changes the recent record under the lock (`edit` gets it and returns the new list). Never throws. */
  async edit(
    edit: (r: { items: LibraryItem[]; complete: boolean }) => { items: LibraryItem[]; complete: boolean },
    given: ReadonlyMap<string, Blob> = new Map(),
  ): Promise<void> {
    const store = this.deps.store();
    if (!store) return;
    try {
      const now = await this.read();
      if (!now) return; // none yet: the next read builds it
      const next = edit(now);
      await this.write(next.items, next.complete, now.thumbs, given);
    } catch {
      // The record may now be stale; the next read sees that and rebuilds it.
      try {
        store.write(null);
      } catch {
        // Storage refuses even that: the reader checks the record against the library anyway.
      }
    }
  }

  /**
   * Writes the recent record, reusing thumbnails it already has and reading the others. A record too long to
   * keep holds fewer items (still a newest-first prefix); one that storage refuses is removed.
   */
  private async write(
    items: LibraryItem[],
    complete: boolean,
    had: readonly ThumbUrl[],
    given: ReadonlyMap<string, Blob>,
  ): Promise<void> {
    const store = this.deps.store();
    if (!store) return;
    const known = new Map(had.map((t) => [t.hash, t.url]));
    const hashesOf = (list: readonly LibraryItem[]) => [
      ...new Set(list.flatMap((i) => (i.thumb ? [i.thumb.hash] : []))),
    ];
    const wanted = hashesOf(items);
    const missing = wanted.filter((h) => !known.has(h) && !given.has(h));
    const read = missing.length ? await this.deps.blobMany(missing) : [];
    const blobs = new Map(given);
    missing.forEach((h, n) => read[n] && blobs.set(h, read[n]));
    // Only thumbnails the record does not hold yet are written: a save adds one, not all of them.
    const fresh = new Map<string, string>();
    for (const h of wanted) {
      const blob = known.has(h) ? undefined : blobs.get(h);
      if (blob) fresh.set(h, await dataUrl(blob));
    }
    const urlLength = (h: string) => known.get(h)?.length ?? fresh.get(h)?.length ?? 0;
    let text = '';
    let keptHashes: string[] = [];
    for (let keep = items.length; ; keep = Math.floor(keep * 0.75)) {
      const kept = items.slice(0, keep);
      keptHashes = hashesOf(kept).filter((h) => known.has(h) || fresh.has(h));
      const record: StoredRecent = {
        v: 2,
        items: kept,
        thumbs: keptHashes,
        complete: complete && keep === items.length,
      };
      text = JSON.stringify(record);
      const total = keptHashes.reduce((n, h) => n + urlLength(h), text.length);
      if (total <= this.deps.maxChars || keep === 0) break;
    }
    const keep = new Set(keptHashes);
    try {
      for (const [hash, url] of fresh) if (keep.has(hash)) store.setThumb(hash, url);
      store.write(text);
    } catch {
      keep.clear(); // full or refused: no record, rather than a stale one
      try {
        store.write(null);
      } catch {
        // Storage is unusable: the reader then reads the library itself.
      }
    }
    // Thumbnails the list no longer names (or left by an interrupted write) go.
    try {
      for (const hash of store.thumbHashes()) if (!keep.has(hash)) store.setThumb(hash, null);
    } catch {
      // Left for the next write.
    }
  }

  /** Removes the record and its thumbnails (Delete everything). */
  clear(): void {
    const store = this.deps.store();
    store?.write(null);
    for (const hash of store?.thumbHashes() ?? []) store?.setThumb(hash, null);
  }
}
