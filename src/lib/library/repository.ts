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
 * without reading every record first (pages.ts; it is only a hint, checked and repaired by every read).
 *
 * The recent record (recent-record.ts: the newest items with their thumbnails, in localStorage) is updated under
 * the same write lock by every save, delete and favourite change.
 */
import { clear, createStore, delMany, get, getMany, keys, set, setMany, type UseStore } from 'idb-keyval';
import { upgradeRecord } from './migrate';
import { blobHashes, type LibraryItem } from './types';

export const META_DB = 'atelier-library-meta-v1';
export const META_STORE = 'items';
export const BLOB_DB = 'atelier-library-blobs-v1';
export const BLOB_STORE = 'blobs';
export const ORDER_DB = 'atelier-library-order-v1';
export const ORDER_STORE = 'order';
import { localRecentStore, RECENT_MAX_CHARS, type RecentStore } from './names';
import { readMany, readPages, type ListResult, type Page } from './pages';
import { isQuotaError, LibraryQuotaError, writeLock, type Lock } from './storage-guard';
import { mergeRecent, newestFirst, orderKey, RecentRecord, type RecentPage } from './recent-record';

export {
  mergeRecent,
  newestFirst,
  RECENT_SIZE,
  recentKey,
  type RecentPage,
  type ThumbUrl,
} from './recent-record';
export type { ListResult, Page } from './pages';
export { isQuotaError, LibraryQuotaError, writeLock, type Lock } from './storage-guard';
export const LIBRARY_CHANNEL = 'atelier-library';
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

export class LibraryRepository {
  private metaStore: UseStore | null;
  private blobStore: UseStore | null;
  private orderStore: UseStore | null | undefined;
  private recentStore: RecentStore | null | undefined;
  private readonly recentRecord: RecentRecord;
  private readonly lock: Lock;
  private readonly notify: (msg: LibraryMessage) => void;
  private readonly freeBytes: () => Promise<number | null>;
  /** Resolves when no save is under way (a paged read lets saves go first). */
  private saving: Promise<void> = Promise.resolve();
  private savers = 0;
  private savedAll: () => void = () => undefined;

  constructor(deps: RepositoryDeps = {}) {
    this.metaStore = deps.meta ?? null;
    this.blobStore = deps.blobs ?? null;
    this.orderStore = deps.order !== undefined ? deps.order : deps.meta ? null : undefined;
    this.recentStore = deps.recent !== undefined ? deps.recent : deps.meta ? null : undefined;
    this.lock = deps.lock ?? writeLock();
    this.notify = deps.notify ?? broadcaster();
    this.freeBytes = deps.freeBytes ?? browserFreeBytes;
    this.recentRecord = new RecentRecord({
      store: () => this.recentDb,
      order: () => this.order,
      meta: () => this.meta,
      lock: this.lock,
      blobMany: (hashes) => this.blobMany(hashes),
      maxChars: deps.recentMaxChars ?? RECENT_MAX_CHARS,
    });
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
  recent(early?: Promise<unknown>): Promise<RecentPage | null> {
    return this.recentRecord.read(early);
  }

  /** Rewrites the recent record from the order store and the records (after a read found it missing or stale). */
  rebuildRecent(): Promise<void> {
    return this.recentRecord.rebuild();
  }

  /**
   * Every readable record in pages, newest first: `first` items, then `size` at a time, through the order
   * store (see pages.ts). Older-format records are upgraded and written back.
   */
  pages(first = 60, size = 250): AsyncGenerator<Page> {
    // Opening a database takes a round trip of its own: open all three at once (the gallery's thumbnails come
    // from the blob store right after the first page).
    for (const store of [this.meta, this.blobs]) void store('readonly', () => null).catch(() => undefined);
    const order = this.order;
    const writesDone = () => this.saving;
    return order
      ? readPages({ order, meta: this.meta, lock: this.lock, writesDone }, first, size)
      : this.listOnce();
  }

  /** Without an order store: everything in one page. */
  private async *listOnce(): AsyncGenerator<Page> {
    yield { ...(await this.list()), last: true };
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
    const done = this.startSaving();
    try {
      await this.saveLocked(items, blobs, stored);
    } finally {
      done();
    }
    this.notify({ type: 'changed', ids: items.map((i) => i.id) });
  }

  /** Counts a save in; the function returned counts it out. */
  private startSaving(): () => void {
    if (this.savers++ === 0) this.saving = new Promise((resolve) => (this.savedAll = resolve));
    return () => {
      if (--this.savers === 0) this.savedAll();
    };
  }

  private async saveLocked(
    items: readonly LibraryItem[],
    blobs: ReadonlyMap<string, Blob>,
    stored?: () => void,
  ): Promise<void> {
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
      await this.recentRecord.edit((r) => mergeRecent(r, items), blobs);
      // A replaced record (a partial superseded by its final) may leave blobs nobody uses.
      const dropped = previous.flatMap((p) => (p ? blobHashes(p) : [])).filter((h) => !wanted.includes(h));
      if (dropped.length) await this.sweep(dropped);
    });
  }

  /** Changes a record's favourite flag. */
  async setFavourite(id: string, favourite: boolean): Promise<void> {
    await this.lock(async () => {
      const item = await this.get(id);
      if (!item) return;
      const changed = { ...item, favourite };
      await set(id, changed, this.meta);
      await this.recentRecord.edit((r) => ({ ...r, items: r.items.map((i) => (i.id === id ? changed : i)) }));
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
      await this.recentRecord.edit((r) => ({ ...r, items: r.items.filter((i) => !ids.includes(i.id)) }));
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
        this.recentRecord.clear();
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
