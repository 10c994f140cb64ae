import 'fake-indexeddb/auto';
import { createStore, delMany, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { LibraryRepository, type Page } from '../../../src/lib/library/repository';
import { blobOf, freshStores, itemFor } from './factories';

/** A repository with its own order store (the newest-page index). */
function ordered() {
  const stores = freshStores();
  const order = createStore(`test-order-${Math.random().toString(36).slice(2)}`, 'order');
  const repo = new LibraryRepository({ ...stores, order, notify: () => {}, freeBytes: async () => null });
  return { repo, order, stores };
}

async function saveItems(repo: LibraryRepository, n: number) {
  for (let i = 1; i <= n; i++) {
    const x = itemFor(`item-${i}`, await blobOf(`image-${i}`), { created: i * 1000 });
    await repo.save([x.item], x.blobs);
  }
}

async function allPages(repo: LibraryRepository, first: number, size: number): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of repo.pages(first, size)) out.push(page);
  return out;
}

const ids = (p: Page) => p.items.map((i) => i.id);

describe('LibraryRepository.pages (newest page first)', () => {
  it('brings the newest items first, then older ones page by page, each once', async () => {
    const { repo } = ordered();
    await saveItems(repo, 5);
    const pages = await allPages(repo, 2, 2);
    expect(pages.map(ids)).toEqual([['item-5', 'item-4'], ['item-3', 'item-2'], ['item-1']]);
    expect(pages.map((p) => p.last)).toEqual([false, false, true]);
  });

  it('lets a save go first: the next page is read only once the save under way has finished', async () => {
    const stores = freshStores();
    const order = createStore(`test-order-${Math.random().toString(36).slice(2)}`, 'order');
    let gate: Promise<void> = Promise.resolve();
    const lock = <T>(fn: () => Promise<T>) => gate.then(fn);
    const repo = new LibraryRepository({
      ...stores,
      order,
      lock,
      notify: () => {},
      freeBytes: async () => null,
    });
    await saveItems(repo, 5);
    const reading = repo.pages(2, 2)[Symbol.asyncIterator]();
    expect(ids((await reading.next()).value as Page)).toEqual(['item-5', 'item-4']);

    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const x = itemFor('item-6', await blobOf('image-6'), { created: 6000 });
    const saving = repo.save([x.item], x.blobs);
    let read = false;
    const next = reading.next().then((r) => ((read = true), r));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(read).toBe(false);

    release();
    await saving;
    expect(ids((await next).value as Page)).toEqual(['item-3', 'item-2']);
  });

  it('still finds every item when the order store is stale, and repairs it', async () => {
    const { repo, order } = ordered();
    await saveItems(repo, 4);
    // An entry lost (as after a crash between the two writes) and one left for a record that is gone.
    await delMany([[-3000, 'item-3']], order);
    await set([-9000, 'gone'], 'gone', order);
    const pages = await allPages(repo, 2, 2);
    const all = pages.flatMap(ids);
    expect([...all].sort()).toEqual(['item-1', 'item-2', 'item-3', 'item-4']);
    expect(pages.at(-1)!.last).toBe(true);
    expect(pages.at(-1)!.items.map((i) => i.id)).toContain('item-3');
    expect((await keys(order)).length).toBe(4);
    expect(await keys(order)).not.toContainEqual([-9000, 'gone']);
    // Repaired: the next read comes entirely through the order store, newest first.
    expect((await allPages(repo, 10, 10)).flatMap(ids)).toEqual(['item-4', 'item-3', 'item-2', 'item-1']);
  });

  it('drops the order entries of deleted items and of a cleared library', async () => {
    const { repo, order } = ordered();
    await saveItems(repo, 3);
    await repo.remove(['item-2']);
    expect(await keys(order)).toEqual([
      [-3000, 'item-3'],
      [-1000, 'item-1'],
    ]);
    await repo.clearAll();
    expect(await keys(order)).toEqual([]);
    expect((await allPages(repo, 2, 2)).flatMap(ids)).toEqual([]);
  });

  it('reads everything at once when there is no order store', async () => {
    const stores = freshStores();
    const repo = new LibraryRepository({ ...stores, notify: () => {} });
    await saveItems(repo, 3);
    const pages = await allPages(repo, 1, 1);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.last).toBe(true);
    expect(ids(pages[0]!)).toEqual(['item-3', 'item-2', 'item-1']);
  });
});
