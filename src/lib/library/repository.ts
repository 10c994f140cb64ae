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
import { upgradeRecord } from './migrate';
import { blobHashes, type LibraryItem } from './types';

export const META_DB = 'atelier-library-meta-v1';
export const META_STORE = 'items';
export const BLOB_DB = 'atelier-library-blobs-v1';
export const BLOB_STORE = 'blobs';
export const ORDER_DB = 'atelier-library-order-v1';
export const ORDER_STORE = 'order';
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

export class LibraryRepository {
  private metaStore: UseStore | null;
  private blobStore: UseStore | null;
  private orderStore: UseStore | null | undefined;
  private readonly lock: Lock;
  private readonly notify: (msg: LibraryMessage) => void;
  private readonly freeBytes: () => Promise<number | null>;

  constructor(deps: RepositoryDeps = {}) {
    this.metaStore = deps.meta ?? null;
    this.blobStore = deps.blobs ?? null;
    this.orderStore = deps.order !== undefined ? deps.order : deps.meta ? null : undefined;
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
      const present = await this.has(wanted);
      const missing = wanted.filter((h) => !present.has(h));
      const fresh: [string, Blob][] = [];
      for (const h of missing) {
        const b = blobs.get(h);
        if (!b) throw new Error(`The bytes for ${h.slice(0, 12)}… were not given and are not stored.`);
        fresh.push([h, b]);
      }
      const ids = items.map((i) => i.id);
      const previous = (await getMany(ids, this.meta)).map((v) => upgradeRecord(v)?.item ?? null);
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
      if (item) await set(id, { ...item, favourite }, this.meta);
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
