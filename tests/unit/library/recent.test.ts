import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { LibraryRepository, mergeRecent, RECENT_SIZE } from '../../../src/lib/library/repository';
import type { LibraryItem } from '../../../src/lib/library/types';
import { blobOf, freshStores, itemFor } from './factories';

const uid = () => Math.random().toString(36).slice(2);

/** A repository with order and recent stores (the gallery's first-screen record). */
function withRecent() {
  const stores = freshStores();
  const order = createStore(`test-order-${uid()}`, 'order');
  const recent = createStore(`test-recent-${uid()}`, 'recent');
  const repo = new LibraryRepository({
    ...stores,
    order,
    recent,
    notify: () => {},
    freeBytes: async () => null,
  });
  return { repo, recent };
}

async function save(repo: LibraryRepository, id: string, created: number) {
  const x = itemFor(id, await blobOf(`image-${id}`), { thumb: await blobOf(`thumb-${id}`), created });
  await repo.save([x.item], x.blobs);
  return x.item;
}

const ids = (items: readonly LibraryItem[]) => items.map((i) => i.id);

describe('the recent record (first screen in one read)', () => {
  it('is built from the library when missing, with the thumbnails’ bytes inline', async () => {
    const { repo } = withRecent();
    for (let i = 1; i <= 3; i++) await save(repo, `item-${i}`, i * 1000);
    expect(await repo.recent()).toBeNull(); // nothing built it yet: the reader rebuilds after a read
    await repo.rebuildRecent();
    const r = (await repo.recent())!;
    expect(ids(r.items)).toEqual(['item-3', 'item-2', 'item-1']);
    expect(r.complete).toBe(true);
    const thumb = await blobOf('thumb-item-2');
    const got = r.thumbs.find((t) => t.hash === thumb.hash)!;
    expect(Array.from(got.bytes)).toEqual(Array.from(thumb.bytes));
  });

  it('follows saves, replacements, favourites and deletes', async () => {
    const { repo } = withRecent();
    await save(repo, 'a', 1000);
    await repo.rebuildRecent();
    const b = await save(repo, 'b', 2000);
    expect(ids((await repo.recent())!.items)).toEqual(['b', 'a']);
    await repo.setFavourite('a', true);
    expect((await repo.recent())!.items.find((i) => i.id === 'a')!.favourite).toBe(true);
    // A final replacing its partial (same id, new image and thumbnail).
    const x = itemFor('b', await blobOf('image-b2'), { thumb: await blobOf('thumb-b2'), created: b.created });
    await repo.save([x.item], x.blobs);
    const r = (await repo.recent())!;
    expect(r.items.find((i) => i.id === 'b')!.thumb!.hash).toBe(x.item.thumb!.hash);
    expect(r.thumbs.map((t) => t.hash)).toContain(x.item.thumb!.hash);
    await repo.remove(['a']);
    expect(ids((await repo.recent())!.items)).toEqual(['b']);
    await repo.clearAll();
    expect(await repo.recent()).toBeNull();
  });

  it('keeps at most RECENT_SIZE items and stays a newest-first prefix', () => {
    const item = (id: string, created: number) => ({ id, created }) as LibraryItem;
    const full = Array.from({ length: RECENT_SIZE }, (_, n) => item(`n${n}`, 10_000 - n));
    const r = mergeRecent({ items: full, complete: true }, [item('new', 20_000)]);
    expect(r.items).toHaveLength(RECENT_SIZE);
    expect(r.items[0]!.id).toBe('new');
    expect(r.complete).toBe(false);
    // Older than everything it covers, and it does not cover the whole library: not added.
    expect(ids(mergeRecent(r, [item('old', 1)]).items)).not.toContain('old');
    // When it is the whole library, an older item joins at the end.
    expect(ids(mergeRecent({ items: [item('x', 5)], complete: true }, [item('old', 1)]).items)).toEqual([
      'x',
      'old',
    ]);
  });

  it('is ignored when it cannot be read (the reader then waits for the pages)', async () => {
    const { repo, recent } = withRecent();
    await set('page', { v: 1, items: [{ nonsense: true }], thumbs: [], complete: true }, recent);
    expect(await repo.recent()).toBeNull();
    await set('page', 'garbage', recent);
    expect(await repo.recent()).toBeNull();
  });
});
