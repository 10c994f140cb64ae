/**
 * Reading the library in pages, newest first, through the order store ([-created, id] → id): the gallery shows
 * the first page without reading every record. The order store is only a hint: the last page brings whatever
 * it lacked, entries for records that are gone or moved are dropped, and both are repaired after the read, so a
 * stale order store (a crash between two writes, a tab running an older version) costs speed, never an item.
 */
import { delMany, getMany, keys, promisifyRequest, setMany, type UseStore } from 'idb-keyval';
import { upgradeRecord } from './migrate';
import { orderKey, type OrderKey } from './recent-record';
import type { Lock } from './storage-guard';
import type { LibraryItem } from './types';

export interface ListResult {
  items: LibraryItem[];
  /** Stored values that could not be read (damaged, or written by a newer version); left untouched. */
  unreadable: number;
}

/** One step of `readPages()`: more items, newest first within the page unless `last` says otherwise. */
export interface Page extends ListResult {
  /** The final page: it may hold items the order store lacked, so the caller sorts the whole list. */
  last: boolean;
}

export interface PagedStores {
  order: UseStore;
  meta: UseStore;
  /** The repository's write lock, for writing upgraded records back. */
  lock: Lock;
  /**
   * Resolves when no save is under way. Read before each page after the first: a save (a result arriving) then
   * waits for one page at most, not for the whole read, which on a slow disk takes most of a second for
   * thousands of items and shares the browser's IndexedDB task queue with the save.
   */
  writesDone?: () => Promise<void>;
}

/** Reads stored values in slices: one get per record, so no single task deserializes thousands of them. */
export async function readMany(
  ids: readonly IDBValidKey[],
  store: UseStore,
  slice = 200,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let at = 0; at < ids.length; at += slice)
    out.push(...(await getMany(ids.slice(at, at + slice), store)));
  return out;
}

/** Every readable record: `first` items, then `size` at a time; older-format records are upgraded and written back. */
export async function* readPages(stores: PagedStores, first: number, size: number): AsyncGenerator<Page> {
  const { order, meta } = stores;
  const seen = new Set<string>();
  const dangling: IDBValidKey[] = [];
  const upgraded: LibraryItem[] = [];
  let after: IDBValidKey | null = null;
  let limit = first;
  for (;;) {
    if (after !== null) await stores.writesDone?.();
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const page: OrderKey[] = await order('readonly', (s) =>
      promisifyRequest(s.getAllKeys(range, limit) as unknown as IDBRequest<OrderKey[]>),
    );
    if (!page.length) break;
    after = page[page.length - 1]!;
    const raw = await getMany(
      page.map((k) => k[1]),
      meta,
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
      const rest = await unordered(meta, seen, upgraded);
      yield {
        items: [...out.items, ...rest.items],
        unreadable: out.unreadable + rest.unreadable,
        last: true,
      };
      await repairOrder(stores, rest.items, dangling, upgraded);
      return;
    }
    limit = size;
  }
  const rest = await unordered(meta, seen, upgraded);
  yield { ...rest, last: true };
  await repairOrder(stores, rest.items, dangling, upgraded);
}

/** The records the order store did not list (none when the counts agree: the common case). */
async function unordered(
  meta: UseStore,
  seen: ReadonlySet<string>,
  upgraded: LibraryItem[],
): Promise<ListResult> {
  const total = await meta('readonly', (s) => promisifyRequest(s.count()));
  if (total === seen.size) return { items: [], unreadable: 0 };
  const ids = (await keys<string>(meta)).filter((id) => !seen.has(id));
  const result: ListResult = { items: [], unreadable: 0 };
  for (const value of await readMany(ids, meta)) {
    const up = value === undefined ? null : upgradeRecord(value);
    if (!up) result.unreadable += value === undefined ? 0 : 1;
    else {
      result.items.push(up.item);
      if (up.changed) upgraded.push(up.item);
    }
  }
  return result;
}

async function repairOrder(
  { order, meta, lock }: PagedStores,
  missing: readonly LibraryItem[],
  dangling: readonly IDBValidKey[],
  upgraded: readonly LibraryItem[],
): Promise<void> {
  try {
    if (missing.length)
      await setMany(
        missing.map((i) => [orderKey(i), i.id]),
        order,
      );
    if (dangling.length) await delMany([...dangling], order);
    if (upgraded.length)
      await lock(() =>
        setMany(
          upgraded.map((i) => [i.id, i] as [string, LibraryItem]),
          meta,
        ),
      );
  } catch {
    // Only speed is lost: the next read repairs again.
  }
}
