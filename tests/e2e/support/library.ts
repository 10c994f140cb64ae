/** The Library view's controls, and reading what the app stored in IndexedDB straight from the page. */
import { expect, type Locator, type Page } from '@playwright/test';

export const META_DB = 'atelier-library-meta-v1';
export const BLOB_DB = 'atelier-library-blobs-v1';
/** The first-screen record (newest items with their thumbnails), a localStorage key. */
export const RECENT_KEY = 'atelier.library.recent.v2';

export interface StoredRecord {
  id: string;
  created: number;
  favourite: boolean;
  image: { hash: string; mime: string; bytes: number; width: number; height: number };
  thumb: { hash: string } | null;
  partialIndex: number | null;
  recipe: Record<string, unknown> & { prompt: string; status: string; body: Record<string, unknown> };
}

export class LibraryPage {
  readonly region: Locator;
  readonly openButton: Locator;
  readonly search: Locator;

  constructor(readonly page: Page) {
    this.region = page.getByRole('region', { name: 'Library' });
    this.openButton = page.getByRole('banner').getByRole('button', { name: 'Library', exact: true });
    this.search = this.region.getByRole('searchbox', { name: 'Search prompts' });
  }

  async open(): Promise<void> {
    // At #library the app opens on the library by itself (its code loads on demand): pressing the button then
    // would toggle back to the studio, so wait for it instead.
    const onLibrary = new URL(this.page.url()).hash === '#library';
    if (!onLibrary && !(await this.region.isVisible())) await this.openButton.click();
    await expect(this.region).toBeVisible();
  }

  button(name: string): Locator {
    return this.region.getByRole('button', { name, exact: true });
  }

  /** The gallery cell button of an item, by its prompt. */
  cell(prompt: string): Locator {
    return this.region
      .getByRole('list', { name: 'Images' })
      .getByRole('button', { name: prompt.slice(0, 80) });
  }

  async importFile(path: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.button('Import').click();
    await (await chooser).setFiles(path);
  }
}

/** Every record in the library's meta store (straight from IndexedDB, not through the app). */
export async function storedRecords(page: Page): Promise<StoredRecord[]> {
  return page.evaluate(
    (db) =>
      new Promise<StoredRecord[]>((resolve, reject) => {
        const open = indexedDB.open(db);
        // Not there yet: leave it to the app to create (a database made here would have no store, and the app's
        // own open would then find nothing to upgrade).
        open.onupgradeneeded = () => open.transaction!.abort();
        open.onerror = () => (open.error?.name === 'AbortError' ? resolve([]) : reject(open.error));
        open.onsuccess = () => {
          const conn = open.result;
          if (!conn.objectStoreNames.contains('items')) {
            conn.close();
            return resolve([]);
          }
          const req = conn.transaction('items').objectStore('items').getAll();
          req.onsuccess = () => resolve(req.result as StoredRecord[]);
          req.onerror = () => reject(req.error);
          conn.close(); // after its transaction ends
        };
      }),
    META_DB,
  );
}

/**
 * Every blob in the blob store as key → "size:SHA-256 of its bytes", computed in the page (moving megabytes of
 * bytes to the test would be slow). Equal maps mean byte-identical blobs under the same keys.
 */
export async function storedBlobs(page: Page): Promise<Record<string, string>> {
  return page.evaluate(
    (db) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onupgradeneeded = () => open.transaction!.abort(); // not there yet: see storedRecords
        open.onerror = () => (open.error?.name === 'AbortError' ? resolve({}) : reject(open.error));
        open.onsuccess = () => {
          const conn = open.result;
          if (!conn.objectStoreNames.contains('blobs')) {
            conn.close();
            return resolve({});
          }
          const store = conn.transaction('blobs').objectStore('blobs');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = async () => {
            const out: Record<string, string> = {};
            const blobs = values.result as Blob[];
            for (let i = 0; i < blobs.length; i++) {
              const digest = new Uint8Array(
                await crypto.subtle.digest('SHA-256', await blobs[i]!.arrayBuffer()),
              );
              const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
              out[String(keys.result[i])] = `${blobs[i]!.size}:${hex}`;
            }
            conn.close();
            resolve(out);
          };
          values.onerror = () => reject(values.error);
        };
      }),
    BLOB_DB,
  );
}

/** Empties both library stores (as "clear site data" would), without going through the app. */
export async function clearLibrary(page: Page): Promise<void> {
  await page.evaluate(
    async (dbs) => {
      for (const [db, store] of dbs)
        await new Promise<void>((resolve, reject) => {
          const open = indexedDB.open(db);
          open.onupgradeneeded = () => open.transaction!.abort(); // not there yet: nothing to clear
          open.onerror = () => (open.error?.name === 'AbortError' ? resolve() : reject(open.error));
          open.onsuccess = () => {
            const conn = open.result;
            if (!conn.objectStoreNames.contains(store)) {
              conn.close();
              return resolve();
            }
            const tx = conn.transaction(store, 'readwrite');
            tx.objectStore(store).clear();
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
            conn.close(); // after its transaction ends
          };
        });
    },
    [
      [META_DB, 'items'],
      [BLOB_DB, 'blobs'],
    ] as const,
  );
}
