import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { LibraryRepository, mergeRecent, RECENT_SIZE } from '../../../src/lib/library/repository';
import type { RecentStore } from '../../../src/lib/library/names';
import { RECENT_MAX_CHARS } from '../../../src/lib/library/names';
import type { LibraryItem } from '../../../src/lib/library/types';
import { blobOf, freshStores, itemFor } from './factories';

const uid = () => Math.random().toString(36).slice(2);

/** The record's place in memory, as localStorage would keep it (texts, with an optional limit on their total). */
function memoryRecent(limit = Infinity) {
  const place = { text: null as string | null, thumbs: new Map<string, string>(), thumbWrites: 0 };
  const used = () => (place.text?.length ?? 0) + [...place.thumbs.values()].reduce((n, u) => n + u.length, 0);
  const check = (adding: number) => {
    if (used() + adding > limit) throw new DOMException('full', 'QuotaExceededError');
  };
  const store: RecentStore = {
    read: () => place.text,
    write: (text) => {
      if (text !== null) check(text.length - (place.text?.length ?? 0));
      place.text = text;
    },
    thumb: (hash) => place.thumbs.get(hash) ?? null,
    setThumb: (hash, url) => {
      if (url === null) return void place.thumbs.delete(hash);
      check(url.length);
      place.thumbWrites++;
      place.thumbs.set(hash, url);
    },
    thumbHashes: () => [...place.thumbs.keys()],
  };
  return { place, store };
}

/** A repository with an order store and a recent record (the gallery's first screen). */
function withRecent(opts: { maxChars?: number; storageLimit?: number } = {}) {
  const stores = freshStores();
  const order = createStore(`test-order-${uid()}`, 'order');
  const { place, store: recent } = memoryRecent(opts.storageLimit);
  const repo = new LibraryRepository({
    ...stores,
    order,
    recent,
    recentMaxChars: opts.maxChars,
    notify: () => {},
    freeBytes: async () => null,
  });
  return { repo, place };
}

async function save(repo: LibraryRepository, id: string, created: number) {
  const x = itemFor(id, await blobOf(`image-${id}`), { thumb: await blobOf(`thumb-${id}`), created });
  await repo.save([x.item], x.blobs);
  return x.item;
}

const ids = (items: readonly LibraryItem[]) => items.map((i) => i.id);

describe('the recent record (first screen in one read)', () => {
  it('is built from the library when missing, with the thumbnails as data: URLs', async () => {
    const { repo } = withRecent();
    for (let i = 1; i <= 3; i++) await save(repo, `item-${i}`, i * 1000);
    expect(await repo.recent()).toBeNull(); // nothing built it yet: the reader rebuilds after a read
    await repo.rebuildRecent();
    const r = (await repo.recent())!;
    expect(ids(r.items)).toEqual(['item-3', 'item-2', 'item-1']);
    expect(r.complete).toBe(true);
    const thumb = await blobOf('thumb-item-2');
    const got = r.thumbs.find((t) => t.hash === thumb.hash)!;
    const [head, base64] = got.url.split(',') as [string, string];
    expect(head).toMatch(/^data:image\/[a-z]+;base64$/);
    expect(Array.from(Buffer.from(base64, 'base64'))).toEqual(Array.from(thumb.bytes));
  });

  it('follows saves, replacements, favourites and deletes, writing only the thumbnails it lacks', async () => {
    const { repo, place } = withRecent();
    await save(repo, 'a', 1000);
    await repo.rebuildRecent();
    expect(place.thumbWrites).toBe(1);
    const b = await save(repo, 'b', 2000);
    expect(ids((await repo.recent())!.items)).toEqual(['b', 'a']);
    expect(place.thumbWrites).toBe(2); // the new one only: a's is not written again
    await repo.setFavourite('a', true);
    expect((await repo.recent())!.items.find((i) => i.id === 'a')!.favourite).toBe(true);
    // A final replacing its partial (same id, new image and thumbnail).
    const x = itemFor('b', await blobOf('image-b2'), { thumb: await blobOf('thumb-b2'), created: b.created });
    await repo.save([x.item], x.blobs);
    const r = (await repo.recent())!;
    expect(r.items.find((i) => i.id === 'b')!.thumb!.hash).toBe(x.item.thumb!.hash);
    expect(r.thumbs.map((t) => t.hash)).toContain(x.item.thumb!.hash);
    expect(place.thumbs.has(b.thumb!.hash)).toBe(false); // the partial's thumbnail is gone with it
    const aThumb = r.items.find((i) => i.id === 'a')!.thumb!.hash;
    await repo.remove(['a']);
    expect(ids((await repo.recent())!.items)).toEqual(['b']);
    expect(place.thumbs.has(aThumb)).toBe(false);
    await repo.clearAll();
    expect(await repo.recent()).toBeNull();
    expect(place.thumbs.size).toBe(0);
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
    const { repo, place } = withRecent();
    place.text = JSON.stringify({ v: 2, items: [{ nonsense: true }], thumbs: [], complete: true });
    expect(await repo.recent()).toBeNull();
    place.text = 'garbage{';
    expect(await repo.recent()).toBeNull();
    // A thumbnail whose key is missing: the item is there, the gallery reads that thumbnail itself.
    const ok = withRecent();
    await save(ok.repo, 'a', 1000);
    await ok.repo.rebuildRecent();
    ok.place.thumbs.clear();
    const r = (await ok.repo.recent())!;
    expect(ids(r.items)).toEqual(['a']);
    expect(r.thumbs).toEqual([]);
    // The first version's shape (thumbnail bytes, from IndexedDB) is not read as this one.
    place.text = JSON.stringify({ v: 1, items: [], thumbs: [], complete: true });
    expect(await repo.recent()).toBeNull();
  });

  it('keeps fewer items when it would be too long, and none when storage refuses it', async () => {
    const whole = withRecent();
    for (let i = 1; i <= 8; i++) await save(whole.repo, `item-${i}`, i * 1000);
    await whole.repo.rebuildRecent();
    const used = (p: typeof whole.place) =>
      (p.text?.length ?? 0) + [...p.thumbs.values()].reduce((n, u) => n + u.length, 0);
    const length = used(whole.place);
    expect(length).toBeLessThan(RECENT_MAX_CHARS);
    expect((await whole.repo.recent())!.items).toHaveLength(8);

    // Room for about half of it: a shorter newest-first prefix, no longer "complete".
    const half = withRecent({ maxChars: Math.ceil(length / 2) });
    for (let i = 1; i <= 8; i++) await save(half.repo, `item-${i}`, i * 1000);
    await half.repo.rebuildRecent();
    const r = (await half.repo.recent())!;
    expect(used(half.place)).toBeLessThanOrEqual(Math.ceil(length / 2));
    expect(ids(r.items)).toEqual(['item-8', 'item-7', 'item-6', 'item-5', 'item-4'].slice(0, r.items.length));
    expect(r.items.length).toBeGreaterThan(0);
    expect(r.complete).toBe(false);
    expect(r.thumbs).toHaveLength(r.items.length);

    // Storage refuses it (full): no record is kept, rather than a stale one.
    const full = withRecent({ storageLimit: 100 });
    for (let i = 1; i <= 3; i++) await save(full.repo, `item-${i}`, i * 1000);
    full.place.text = 'an older record';
    await full.repo.rebuildRecent();
    expect(full.place.text).toBeNull();
    expect(full.place.thumbs.size).toBe(0);
    expect(await full.repo.recent()).toBeNull();
  });
});
