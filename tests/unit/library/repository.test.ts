import 'fake-indexeddb/auto';
import { entries, keys, type UseStore } from 'idb-keyval';
import { describe, expect, it, vi } from 'vitest';
import {
  LibraryQuotaError,
  LibraryRepository,
  type LibraryMessage,
} from '../../../src/lib/library/repository';
import { blobOf, bytesOf, freshStores, itemFor } from './factories';

function repo(stores = freshStores(), notify: (m: LibraryMessage) => void = () => {}) {
  return { stores, repo: new LibraryRepository({ ...stores, notify, freeBytes: async () => 1234 }) };
}

/** A store whose read-write transactions fail with QuotaExceededError while `full()` says so. */
function fillable(store: UseStore, full: () => boolean): UseStore {
  return (mode, cb) =>
    mode === 'readwrite' && full()
      ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
      : store(mode, cb);
}

describe('LibraryRepository', () => {
  it('keeps records and their bytes, newest first', async () => {
    const { repo: r } = repo();
    const a = itemFor('a', await blobOf('image-a'), { thumb: await blobOf('thumb-a'), created: 1 });
    const b = itemFor('b', await blobOf('image-b'), { created: 2 });
    await r.save([a.item], a.blobs);
    await r.save([b.item], b.blobs);
    const { items, unreadable } = await r.list();
    expect(items.map((i) => i.id)).toEqual(['b', 'a']);
    expect(unreadable).toBe(0);
    expect(items[1]).toEqual(a.item);
    expect(await bytesOf(await r.blob(a.item.image.hash))).toEqual(
      Array.from((await blobOf('image-a')).bytes),
    );
    expect((await r.blob(a.item.thumb!.hash))?.size).toBe(64);
  });

  it('stores a source used by many items once, and keeps it until the last user is deleted', async () => {
    const { repo: r, stores } = repo();
    const source = await blobOf('shared-source');
    const ref = { hash: source.hash, mime: 'image/png', bytes: source.blob.size };
    for (const id of ['e1', 'e2', 'e3']) {
      const x = itemFor(id, await blobOf(`result-${id}`), {
        recipe: { kind: 'edit', sources: [ref] },
        extra: [source],
      });
      await r.save([x.item], x.blobs);
    }
    const stored = await keys(stores.blobs);
    expect(stored.filter((k) => k === source.hash)).toHaveLength(1);
    expect(stored).toHaveLength(4);

    await r.remove(['e1', 'e2']);
    expect(await r.blob(source.hash)).not.toBeNull();
    expect(await r.blob((await blobOf('result-e1')).hash)).toBeNull();
    await r.remove(['e3']);
    expect(await keys(stores.blobs)).toEqual([]);
    expect((await r.list()).items).toEqual([]);
  });

  it('replaces a partial by its final and drops the partial bytes', async () => {
    const { repo: r } = repo();
    const partial = await blobOf('partial-0');
    const first = itemFor('run-1', partial);
    await r.save(
      [{ ...first.item, partialIndex: 0, recipe: { ...first.item.recipe, status: 'incomplete' } }],
      first.blobs,
    );
    const final = itemFor('run-1', await blobOf('final'));
    await r.save([final.item], final.blobs);
    const { items } = await r.list();
    expect(items).toHaveLength(1);
    expect(items[0]!.partialIndex).toBeNull();
    expect(items[0]!.image.hash).toBe(final.item.image.hash);
    expect(await r.blob(partial.hash)).toBeNull();
  });

  it('refuses a record whose bytes are neither given nor stored, writing nothing', async () => {
    const { repo: r, stores } = repo();
    const x = itemFor('x', await blobOf('x'));
    await expect(r.save([x.item], new Map())).rejects.toThrow(/were not given/);
    expect(await keys(stores.meta)).toEqual([]);
    expect(await keys(stores.blobs)).toEqual([]);
  });

  it('writes nothing when the blob store is full, and says how many bytes were needed', async () => {
    const stores = freshStores();
    let full = false;
    const r = new LibraryRepository({
      meta: stores.meta,
      blobs: fillable(stores.blobs, () => full),
      notify: () => {},
      freeBytes: async () => 10,
    });
    const earlier = itemFor('earlier', await blobOf('earlier'));
    await r.save([earlier.item], earlier.blobs);
    full = true;
    const big = itemFor('big', await blobOf('big', 'image/png', 5000));
    const err = await r.save([big.item], big.blobs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibraryQuotaError);
    expect((err as LibraryQuotaError).needed).toBeGreaterThan(5000);
    expect((err as LibraryQuotaError).available).toBe(10);
    full = false;
    expect((await r.list()).items.map((i) => i.id)).toEqual(['earlier']);
    expect(await keys(stores.blobs)).toEqual([earlier.item.image.hash]);
  });

  it('removes the blobs it wrote when the record cannot be written', async () => {
    const stores = freshStores();
    let full = false;
    const r = new LibraryRepository({
      meta: fillable(stores.meta, () => full),
      blobs: stores.blobs,
      notify: () => {},
      freeBytes: async () => null,
    });
    const earlier = itemFor('earlier', await blobOf('earlier'));
    await r.save([earlier.item], earlier.blobs);
    full = true;
    const next = itemFor('next', await blobOf('next'), { thumb: await blobOf('next-thumb') });
    await expect(r.save([next.item], next.blobs)).rejects.toBeInstanceOf(LibraryQuotaError);
    full = false;
    expect(await keys(stores.blobs)).toEqual([earlier.item.image.hash]);
    expect((await r.list()).items.map((i) => i.id)).toEqual(['earlier']);
  });

  it('loses no write when two tabs save at the same time', async () => {
    const stores = freshStores();
    // Two repositories with their own in-page locks stand for two tabs sharing one database.
    const tabA = new LibraryRepository({ ...stores, notify: () => {} });
    const tabB = new LibraryRepository({ ...stores, notify: () => {} });
    const shared = await blobOf('shared');
    const ref = { hash: shared.hash, mime: 'image/png', bytes: shared.blob.size };
    const saves = [];
    for (let i = 0; i < 20; i++) {
      const x = itemFor(`item-${i}`, await blobOf(`img-${i}`), {
        recipe: { sources: [ref] },
        extra: [shared],
        created: i,
      });
      saves.push((i % 2 ? tabA : tabB).save([x.item], x.blobs));
    }
    await Promise.all(saves);
    const { items } = await tabA.list();
    expect(items).toHaveLength(20);
    expect(new Set(items.map((i) => i.id)).size).toBe(20);
    expect((await entries(stores.blobs)).length).toBe(21);
  });

  it('tells other tabs what changed', async () => {
    const notify = vi.fn();
    const { repo: r } = repo(freshStores(), notify);
    const x = itemFor('n1', await blobOf('n1'));
    await r.save([x.item], x.blobs);
    await r.setFavourite('n1', true);
    await r.remove(['n1']);
    expect(notify.mock.calls.map((c) => c[0])).toEqual([
      { type: 'changed', ids: ['n1'] },
      { type: 'changed', ids: ['n1'] },
      { type: 'changed', ids: ['n1'] },
    ]);
  });

  it('keeps the favourite flag and leaves records it cannot read untouched', async () => {
    const { repo: r, stores } = repo();
    const x = itemFor('fav', await blobOf('fav'));
    await r.save([x.item], x.blobs);
    await r.setFavourite('fav', true);
    const { set } = await import('idb-keyval');
    await set('future', { v: 99, id: 'future', somethingNew: true }, stores.meta);
    const { items, unreadable } = await r.list();
    expect(items.map((i) => [i.id, i.favourite])).toEqual([['fav', true]]);
    expect(unreadable).toBe(1);
    const { get } = await import('idb-keyval');
    expect(await get('future', stores.meta)).toEqual({ v: 99, id: 'future', somethingNew: true });
  });
});
