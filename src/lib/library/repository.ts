/**
 * The library in IndexedDB, through two idb-keyval stores in two databases: records by item id, and Blobs by
 * the SHA-256 of their bytes. Per-item keys (never one big array), so two tabs saving at once both land.
 *
 * A save writes the new blobs in one transaction first and the record last; if the record cannot be written,
 * the blobs it brought are removed again, so an item is either fully there or not there at all. A blob is
 * removed only when no record refers to it any more (a sweep over the records, under a cross-tab lock, so a
 * tab saving a record that reuses a blob cannot lose it to a delete running in another tab).
 *
 * A third store orders the records by time ([-created, id] → id), so the gallery can show the newest page
 * without reading every record first. It is only a hint: `pages()` checks it against the records at the end of
 * every read, adds what it lacks and drops what no longer exists, so a stale order store (a crash between two
 * writes, a tab running an older version) costs speed, never an item.
 *
 * The recent record (in localStorage, see names.ts) holds the newest RECENT_SIZE items with their thumbnails
 * inline as data: URLs, so the gallery's first screen needs one synchronous read. Every save, delete and
 * favourite change updates it under the write lock, keeping it a true newest-first prefix of the library (it may
 * hold fewer items after deletes, or when it would be too long to keep). It is a preview too: the reader shows
 * it, then replaces it with what `pages()` reads, and rebuilds it when the two disagree.
 */
import {
  clear,
  createStore,
  delMany,
  get,
  getMany,
  keys,
  promisifyRequest,
  set,
  setMany,
  type UseStore,
} from 'idb-keyval';
import { dataUrl } from './data-url';
import { upgradeRecord } from './migrate';
import { blobHashes, type LibraryItem } from './types';

export const META_DB = 'atelier-library-meta-v1';
export const META_STORE = 'items';
export const BLOB_DB = 'atelier-library-blobs-v1';
export const BLOB_STORE = 'blobs';
export const ORDER_DB = 'atelier-library-order-v1';
export const ORDER_STORE = 'order';
import { localRecentStore, RECENT_DB_V1, RECENT_MAX_CHARS, type RecentStore } from './names';
/** Items in the recent record: more than the first screen of the gallery holds at 1280 × 900 (42 with overscan). */
export const RECENT_SIZE = 60;
export const LIBRARY_CHANNEL = 'atelier-library';
const LOCK_NAME = 'atelier-library-write';

/** Storage is full: nothing of the item was kept. */
export class LibraryQuotaError extends Error {
  override readonly name = 'LibraryQuotaError';
  constructor(
    /** Bytes the save needed to write. */
    readonly needed: number,
    /** Bytes the browser said were still free, when it says. */
    readonly available: number | null,
    override readonly cause?: unknown,
  ) {
    super(`Storage is full: saving needed ${needed} bytes`);
  }
}

export const isQuotaError = (e: unknown): boolean => {
  const err = e as { name?: string; code?: number } | null;
  return err?.name === 'QuotaExceededError' || err?.code === 22 || err?.name === 'LibraryQuotaError';
};

/** Runs writers one at a time, across tabs when the browser has Web Locks, else within this page. */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>;

export function writeLock(name = LOCK_NAME): Lock {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks) return locks.request(name, fn) as Promise<T>;
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
}

export type LibraryMessage = { type: 'changed'; ids: string[] };

export interface RepositoryDeps {
  meta?: UseStore;
  blobs?: UseStore;
  /** The order store; when `meta` is given without it, there is none and `pages()` reads everything at once. */
  order?: UseStore | null;
  /** Where the recent record lives (localStorage by default); when `meta` is given without it, there is none. */
  recent?: RecentStore | null;
  /** The recent record's longest text (RECENT_MAX_CHARS by default). */
  recentMaxChars?: number;
  lock?: Lock;
  /** Tells other tabs what changed (BroadcastChannel 'atelier-library' by default). */
  notify?: (msg: LibraryMessage) => void;
  /** Free bytes, for the quota message (navigator.storage.estimate by default). */
  freeBytes?: () => Promise<number | null>;
}

export interface ListResult {
  items: LibraryItem[];
  /** Stored values that could not be read (damaged, or written by a newer version); left untouched. */
  unreadable: number;
}

/** One step of `pages()`: more items, newest first within the page unless `last` says otherwise. */
export interface Page extends ListResult {
  /** The final page: it may hold items the order store lacked, so the caller sorts the whole list. */
  last: boolean;
}

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

/** Newest first; equal times by id (the order store's own order). */
export const newestFirst = (a: LibraryItem, b: LibraryItem): number =>
  b.created - a.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

type OrderKey = [number, string];
const orderKey = (i: Pick<LibraryItem, 'created' | 'id'>): OrderKey => [-i.created, i.id];

/** Reads stored values in slices: one get per record, so no single task deserializes thousands of them. */
async function readMany(ids: readonly IDBValidKey[], store: UseStore, slice = 200): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let at = 0; at < ids.length; at += slice)
    out.push(...(await getMany(ids.slice(at, at + slice), store)));
  return out;
}

async function browserFreeBytes(): Promise<number | null> {
  try {
    const est = await globalThis.navigator?.storage?.estimate?.();
    return est?.quota != null && est.usage != null ? Math.max(0, est.quota - est.usage) : null;
  } catch {
    return null;
  }
}

function broadcaster(): (msg: LibraryMessage) => void {
  let channel: BroadcastChannel | null = null;
  return (msg) => {
    if (typeof BroadcastChannel === 'undefined') return;
    channel ??= new BroadcastChannel(LIBRARY_CHANNEL);
    channel.postMessage(msg);
  };
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

export class LibraryRepository {
  private metaStore: UseStore | null;
  private blobStore: UseStore | null;
  private orderStore: UseStore | null | undefined;
  private recentStore: RecentStore | null | undefined;
  private readonly recentMaxChars: number;
  private readonly lock: Lock;
  private readonly notify: (msg: LibraryMessage) => void;
  private readonly freeBytes: () => Promise<number | null>;

  constructor(deps: RepositoryDeps = {}) {
    this.metaStore = deps.meta ?? null;
    this.blobStore = deps.blobs ?? null;
    this.orderStore = deps.order !== undefined ? deps.order : deps.meta ? null : undefined;
    this.recentStore = deps.recent !== undefined ? deps.recent : deps.meta ? null : undefined;
    this.recentMaxChars = deps.recentMaxChars ?? RECENT_MAX_CHARS;
    this.lock = deps.lock ?? writeLock();
    this.notify = deps.notify ?? broadcaster();
    this.freeBytes = deps.freeBytes ?? browserFreeBytes;
  }

  /** The databases open on first use, not on import. */
  private get meta(): UseStore {
    return (this.metaStore ??= createStore(META_DB, META_STORE));
  }
  private get blobs(): UseStore {
    return (this.blobStore ??= createStore(BLOB_DB, BLOB_STORE));
  }
  private get order(): UseStore | null {
    if (this.orderStore === undefined) this.orderStore = createStore(ORDER_DB, ORDER_STORE);
    return this.orderStore;
  }
  private get recentDb(): RecentStore | null {
    if (this.recentStore === undefined) this.recentStore = localRecentStore();
    return this.recentStore;
  }

  /**
   * The recent record (null when there is none, or it cannot be read: then the gallery just waits for `pages()`).
   * `early`: the stored value, when the caller started reading it before this code loaded (readRecentEarly).
   */
  async recent(early?: Promise<unknown>): Promise<RecentPage | null> {
    const store = this.recentDb;
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
  async rebuildRecent(): Promise<void> {
    const order = this.order;
    const store = this.recentDb;
    if (!order || !store) return;
    // The record's first version was a database of its own: no longer read, so its space is given back.
    try {
      globalThis.indexedDB?.deleteDatabase(RECENT_DB_V1);
    } catch {
      // Nothing to give back where IndexedDB is unavailable.
    }
    try {
      await this.lock(async () => {
        const top: OrderKey[] = await order('readonly', (s) =>
          promisifyRequest(s.getAllKeys(null, RECENT_SIZE + 1) as unknown as IDBRequest<OrderKey[]>),
        );
        const ids = top.slice(0, RECENT_SIZE).map((k) => k[1]);
        const items = (await getMany(ids, this.meta)).flatMap((v) => {
          const item = upgradeRecord(v)?.item;
          return item ? [item] : [];
        });
        await this.writeRecent(items, top.length <= RECENT_SIZE, [], new Map());
      });
    } catch {
      // Only the first screen's speed is lost; the next read tries again.
    }
  }

  /** Changes the recent record under the lock (`edit` gets it and returns the new list). Never throws. */
  private async editRecent(
    edit: (r: { items: LibraryItem[]; complete: boolean }) => { items: LibraryItem[]; complete: boolean },
    given: ReadonlyMap<string, Blob> = new Map(),
  ): Promise<void> {
    const store = this.recentDb;
    if (!store) return;
    try {
      const now = await this.recent();
      if (!now) return; // none yet: the next read builds it
      const next = edit(now);
      await this.writeRecent(next.items, next.complete, now.thumbs, given);
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
  private async writeRecent(
    items: LibraryItem[],
    complete: boolean,
    had: readonly ThumbUrl[],
    given: ReadonlyMap<string, Blob>,
  ): Promise<void> {
    const store = this.recentDb;
    if (!store) return;
    const known = new Map(had.map((t) => [t.hash, t.url]));
    const hashesOf = (list: readonly LibraryItem[]) => [
      ...new Set(list.flatMap((i) => (i.thumb ? [i.thumb.hash] : []))),
    ];
    const wanted = hashesOf(items);
    const missing = wanted.filter((h) => !known.has(h) && !given.has(h));
    const read = missing.length ? await this.blobMany(missing) : [];
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
      if (total <= this.recentMaxChars || keep === 0) break;
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

  /**
   * Every readable record in pages, newest first: `first` items, then `size` at a time, through the order
   * store; the last page brings whatever the order store lacked (and repairs it). Older-format records are
   * upgraded and written back.
   */
  async *pages(first = 60, size = 250): AsyncGenerator<Page> {
    const order = this.order;
    // Opening a database takes a round trip of its own: open all three at once (the gallery's thumbnails come
    // from the blob store right after the first page).
    for (const store of [this.meta, this.blobs]) void store('readonly', () => null).catch(() => undefined);
    if (!order) {
      yield { ...(await this.list()), last: true };
      return;
    }
    const seen = new Set<string>();
    const dangling: IDBValidKey[] = [];
    const upgraded: LibraryItem[] = [];
    let after: IDBValidKey | null = null;
    let limit = first;
    for (;;) {
      const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
      const page: OrderKey[] = await order('readonly', (s) =>
        promisifyRequest(s.getAllKeys(range, limit) as unknown as IDBRequest<OrderKey[]>),
      );
      if (!page.length) break;
      after = page[page.length - 1]!;
      const raw = await getMany(
        page.map((k) => k[1]),
        this.meta,
      );
      const out: Page = { items: [], unreadable: 0, last: false };
      raw.forEach((value, n) => {
        const key = page[n]!;
        const up = value === undefined ? null : upgradeRecord(value);
        // An entry for a record that is gone, listed twice, or moved in time (then another entry or the final
        // check finds it) is dropped.
        if (value === undefined || seen.has(key[1]) || (up && up.item.created !== -key[0]))
          return void dangling.push(key);
        seen.add(key[1]);
        if (!up) out.unreadable++;
        else {
          out.items.push(up.item);
          if (up.changed) upgraded.push(up.item);
        }
      });
      if (page.length === limit) yield out;
      else {
        // Fewer than asked: the order store is done. Then whatever it lacked, and the repairs.
        const rest = await this.unordered(seen, upgraded);
        yield {
          items: [...out.items, ...rest.items],
          unreadable: out.unreadable + rest.unreadable,
          last: true,
        };
        await this.repairOrder(rest.items, dangling, upgraded);
        return;
      }
      limit = size;
    }
    const rest = await this.unordered(seen, upgraded);
    yield { ...rest, last: true };
    await this.repairOrder(rest.items, dangling, upgraded);
  }

  /** The records the order store did not list (none when the counts agree: the common case). */
  private async unordered(seen: ReadonlySet<string>, upgraded: LibraryItem[]): Promise<ListResult> {
    const total = await this.meta('readonly', (s) => promisifyRequest(s.count()));
    if (total === seen.size) return { items: [], unreadable: 0 };
    const ids = (await keys<string>(this.meta)).filter((id) => !seen.has(id));
    const result: ListResult = { items: [], unreadable: 0 };
    for (const value of await readMany(ids, this.meta)) {
      const up = value === undefined ? null : upgradeRecord(value);
      if (!up) result.unreadable += value === undefined ? 0 : 1;
      else {
        result.items.push(up.item);
        if (up.changed) upgraded.push(up.item);
      }
    }
    return result;
  }

  private async repairOrder(
    missing: readonly LibraryItem[],
    dangling: readonly IDBValidKey[],
    upgraded: readonly LibraryItem[],
  ): Promise<void> {
    const order = this.order;
    try {
      if (order && missing.length)
        await setMany(
          missing.map((i) => [orderKey(i), i.id]),
          order,
        );
      if (order && dangling.length) await delMany([...dangling], order);
      if (upgraded.length)
        await this.lock(() =>
          setMany(
            upgraded.map((i) => [i.id, i] as [string, LibraryItem]),
            this.meta,
          ),
        );
    } catch {
      // Only speed is lost: the next read repairs again.
    }
  }

  /** Writes the order entries of saved records (and drops those of replaced ones that moved). Never throws. */
  private async ordered(items: readonly LibraryItem[], previous: readonly (LibraryItem | null)[]) {
    const order = this.order;
    if (!order) return;
    try {
      const moved = previous.flatMap((p, n) =>
        p && p.created !== items[n]!.created ? [orderKey(p) as IDBValidKey] : [],
      );
      if (moved.length) await delMany(moved, order);
      await setMany(
        items.map((i) => [orderKey(i), i.id]),
        order,
      );
    } catch {
      // The record is stored; the next read finds it without the order entry and adds one.
    }
  }

  /** Every readable record, newest first. Records in an older format are upgraded and written back. */
  async list(): Promise<ListResult> {
    const raw = await readMany(await keys(this.meta), this.meta);
    const items: LibraryItem[] = [];
    const upgraded: LibraryItem[] = [];
    let unreadable = 0;
    for (const value of raw) {
      if (value === undefined) continue; // deleted while reading
      const up = upgradeRecord(value);
      if (!up) unreadable++;
      else {
        items.push(up.item);
        if (up.changed) upgraded.push(up.item);
      }
    }
    if (upgraded.length)
      await this.lock(() =>
        setMany(
          upgraded.map((i) => [i.id, i] as [string, LibraryItem]),
          this.meta,
        ),
      );
    items.sort(newestFirst);
    return { items, unreadable };
  }

  async get(id: string): Promise<LibraryItem | null> {
    return upgradeRecord(await get(id, this.meta))?.item ?? null;
  }

  /** The stored bytes for a hash, or null when they are missing. */
  async blob(hash: string): Promise<Blob | null> {
    const b: unknown = await get(hash, this.blobs);
    return b instanceof Blob ? b : null;
  }

  /** Several blobs at once (one transaction), in the order asked; null where missing. */
  async blobMany(hashes: readonly string[]): Promise<(Blob | null)[]> {
    const got: unknown[] = await getMany([...hashes], this.blobs);
    return got.map((b) => (b instanceof Blob ? b : null));
  }

  /** Which of these hashes are already stored. */
  async has(hashes: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(hashes)];
    const got: unknown[] = unique.length ? await getMany(unique, this.blobs) : [];
    return new Set(unique.filter((_, i) => got[i] !== undefined));
  }

  /**
   * Saves (or replaces) records with the blobs they need. `blobs` maps hash → bytes; hashes already stored are
   * not written again. All or nothing: on failure every blob this call wrote is removed and the error thrown
   * (a full disk as LibraryQuotaError, with the bytes needed).
   */
  async save(
    items: readonly LibraryItem[],
    blobs: ReadonlyMap<string, Blob>,
    /** Called once the records are durably written, before the cleanup of bytes they no longer use. */
    stored?: () => void,
  ): Promise<void> {
    if (!items.length) return;
    await this.lock(async () => {
      const wanted = [...new Set(items.flatMap(blobHashes))];
      const ids = items.map((i) => i.id);
      // Both reads at once: which bytes are stored already, and the records being replaced.
      const [present, replaced] = await Promise.all([this.has(wanted), getMany(ids, this.meta)]);
      const missing = wanted.filter((h) => !present.has(h));
      const fresh: [string, Blob][] = [];
      for (const h of missing) {
        const b = blobs.get(h);
        if (!b) throw new Error(`The bytes for ${h.slice(0, 12)}… were not given and are not stored.`);
        fresh.push([h, b]);
      }
      const previous = replaced.map((v) => upgradeRecord(v)?.item ?? null);
      const needed = fresh.reduce((n, [, b]) => n + b.size, 0) + JSON.stringify(items).length;
      try {
        if (fresh.length) await setMany(fresh, this.blobs);
      } catch (e) {
        throw await this.failure(e, needed);
      }
      try {
        await setMany(
          items.map((i) => [i.id, i] as [string, LibraryItem]),
          this.meta,
        );
      } catch (e) {
        await delMany(
          fresh.map(([h]) => h),
          this.blobs,
        ).catch(() => undefined);
        throw await this.failure(e, needed);
      }
      await this.ordered(items, previous);
      stored?.();
      await this.editRecent((r) => mergeRecent(r, items), blobs);
      // A replaced record (a partial superseded by its final) may leave blobs nobody uses.
      const dropped = previous.flatMap((p) => (p ? blobHashes(p) : [])).filter((h) => !wanted.includes(h));
      if (dropped.length) await this.sweep(dropped);
    });
    this.notify({ type: 'changed', ids: items.map((i) => i.id) });
  }

  /** Changes a record's favourite flag. */
  async setFavourite(id: string, favourite: boolean): Promise<void> {
    await this.lock(async () => {
      const item = await this.get(id);
      if (!item) return;
      const changed = { ...item, favourite };
      await set(id, changed, this.meta);
      await this.editRecent((r) => ({ ...r, items: r.items.map((i) => (i.id === id ? changed : i)) }));
    });
    this.notify({ type: 'changed', ids: [id] });
  }

  /** Deletes records, then the blobs no remaining record refers to. */
  async remove(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.lock(async () => {
      const gone = (await getMany([...ids], this.meta)).map((v) => upgradeRecord(v)?.item ?? null);
      await delMany([...ids], this.meta);
      const order = this.order;
      if (order)
        await delMany(
          gone.flatMap((g) => (g ? [orderKey(g)] : [])),
          order,
        ).catch(() => undefined);
      await this.editRecent((r) => ({ ...r, items: r.items.filter((i) => !ids.includes(i.id)) }));
      await this.sweep(gone.flatMap((g) => (g ? blobHashes(g) : [])));
    });
    this.notify({ type: 'changed', ids: [...ids] });
  }

  /** Removes blobs written without a record (an import that was rolled back) unless a record uses them. */
  async dropOrphans(hashes: readonly string[]): Promise<void> {
    await this.lock(() => this.sweep(hashes));
  }

  /** Adds blobs without records (an import writes bytes first, records last). Returns the hashes it wrote. */
  async putBlobs(entries: readonly [string, Blob][]): Promise<string[]> {
    return this.lock(async () => {
      const present = await this.has(entries.map(([h]) => h));
      const fresh = entries.filter(([h]) => !present.has(h));
      try {
        if (fresh.length) await setMany([...fresh], this.blobs);
      } catch (e) {
        throw await this.failure(
          e,
          fresh.reduce((n, [, b]) => n + b.size, 0),
        );
      }
      return fresh.map(([h]) => h);
    });
  }

  /** Everything, both stores (the storage panel's "Delete everything" and tests). */
  async clearAll(): Promise<void> {
    await this.lock(async () => {
      await clear(this.meta);
      await clear(this.blobs);
      const order = this.order;
      if (order) await clear(order);
      try {
        const recent = this.recentDb;
        recent?.write(null);
        for (const hash of recent?.thumbHashes() ?? []) recent?.setThumb(hash, null);
      } catch {
        // A record left behind is checked against the (now empty) library and rebuilt.
      }
    });
    this.notify({ type: 'changed', ids: [] });
  }

  /** Deletes those candidate blobs that no record refers to. Call under the lock. */
  private async sweep(candidates: readonly string[]): Promise<void> {
    if (!candidates.length) return;
    const used = new Set<string>();
    for (const v of await readMany(await keys(this.meta), this.meta)) {
      const item = upgradeRecord(v)?.item;
      if (item) for (const h of blobHashes(item)) used.add(h);
      else if (v && typeof v === 'object')
        for (const h of JSON.stringify(v).match(/[0-9a-f]{64}/g) ?? []) used.add(h);
    }
    const orphans = [...new Set(candidates)].filter((h) => !used.has(h));
    if (orphans.length) await delMany(orphans, this.blobs);
  }

  private async failure(e: unknown, needed: number): Promise<unknown> {
    if (!isQuotaError(e)) return e;
    return new LibraryQuotaError(needed, await this.freeBytes(), e);
  }
}
