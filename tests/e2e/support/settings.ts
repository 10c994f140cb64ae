/** Helpers for the Settings dialog and for reading what the app keeps in web storage. */
import { expect, type Locator, type Page } from '@playwright/test';
import { MOCK_BASE_URL } from './env';

export class SettingsDialog {
  readonly dialog: Locator;
  readonly apiKey: Locator;
  readonly baseUrl: Locator;
  readonly thisTabOnly: Locator;
  readonly remember: Locator;
  readonly save: Locator;
  readonly test: Locator;
  readonly forget: Locator;
  readonly close: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Settings' });
    this.apiKey = this.dialog.getByLabel('API key', { exact: true });
    this.baseUrl = this.dialog.getByRole('textbox', { name: 'Base URL', exact: true });
    this.thisTabOnly = this.dialog.getByRole('radio', { name: 'This tab only' });
    this.remember = this.dialog.getByRole('radio', { name: 'Remember on this device' });
    this.save = this.dialog.getByRole('button', { name: 'Save', exact: true });
    this.test = this.dialog.getByRole('button', { name: 'Test connection', exact: true });
    this.forget = this.dialog.getByRole('button', { name: 'Forget key', exact: true });
    this.close = this.dialog.getByRole('button', { name: 'Close', exact: true });
  }

  /** Opens the dialog from the header button (no-op when it is already open). */
  async open(): Promise<void> {
    if (!(await this.dialog.isVisible()))
      await this.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(this.dialog).toBeVisible();
  }

  async fill(apiKey: string, baseUrl: string = MOCK_BASE_URL): Promise<void> {
    await this.apiKey.fill(apiKey);
    await this.baseUrl.fill(baseUrl);
  }

  /** The outcome of "Test connection": a status on success, an alert on failure. */
  get success(): Locator {
    return this.dialog.getByRole('status');
  }
  get failure(): Locator {
    return this.dialog.getByRole('alert');
  }
}

/** The header badge that says whether a key is set. */
export const keyBadge = (page: Page): Locator => page.locator('header.top .badge').first();

export interface StorageDump {
  session: Record<string, string>;
  local: Record<string, string>;
}

/** Every key and value in this page's sessionStorage and localStorage. */
export async function dumpStorage(page: Page): Promise<StorageDump> {
  return page.evaluate(() => {
    const dump = (s: Storage) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < s.length; i++) {
        const k = s.key(i)!;
        out[k] = s.getItem(k) ?? '';
      }
      return out;
    };
    return { session: dump(window.sessionStorage), local: dump(window.localStorage) };
  });
}

/** Where (if anywhere) a string occurs in web storage, as "session:KEY" / "local:KEY". */
export function storageHits(dump: StorageDump, needle: string): string[] {
  const hits: string[] = [];
  for (const area of ['session', 'local'] as const)
    for (const [k, v] of Object.entries(dump[area]))
      if (k.includes(needle) || v.includes(needle)) hits.push(`${area}:${k}`);
  return hits;
}

/**
 * Every IndexedDB database of the page, as text: each record's JSON (Blobs as their own text, so a key hidden
 * in a stored file would show too), per "database/store".
 */
export async function dumpIndexedDb(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const out: Record<string, string> = {};
    const ask = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const text = async (v: unknown): Promise<string> => {
      if (v instanceof Blob) return v.text();
      if (Array.isArray(v)) return (await Promise.all(v.map(text))).join('\n');
      if (v && typeof v === 'object') {
        const parts = await Promise.all(Object.entries(v).map(async ([k, x]) => `${k}=${await text(x)}`));
        return parts.join('\n');
      }
      return String(v);
    };
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await ask(indexedDB.open(name));
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store, 'readonly').objectStore(store);
        const [keys, values] = await Promise.all([ask(tx.getAllKeys()), ask(tx.getAll())]);
        out[`${name}/${store}`] = `${keys.map(String).join('\n')}\n${await text(values)}`;
      }
      db.close();
    }
    return out;
  });
}
