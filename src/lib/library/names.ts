/**
 * The recent record's place. The gallery's first screen (the newest items and their thumbnails) is kept apart
 * from the library's databases, in localStorage, so that opening the app on the library can show it at once.
 * Measured on a 2-core machine: the first IndexedDB read of a visit took 250–320 ms (opening the database waits
 * for the browser's storage backend); a localStorage read is a few ms, and its area is loaded at start anyway
 * (the studio's options live there). It is only a cache: when missing, unreadable or too big to keep, the
 * gallery reads the library itself and the record is rebuilt. Apart from repository.ts, so the first chunk can
 * read it before the library's code has loaded.
 *
 * Version 1 of the record was an IndexedDB database (`RECENT_DB_V1`); it is deleted when the record is rebuilt.
 */
export const RECENT_KEY = 'atelier.library.recent.v2';
export const RECENT_DB_V1 = 'atelier-library-recent-v1';
/**
 * A record longer than this (UTF-16 characters, 2 MB) keeps fewer items: localStorage holds about 5 M characters
 * per site, and the settings and the studio's draft need room there too.
 */
export const RECENT_MAX_CHARS = 1_000_000;

/** Where the record is read and written (localStorage in the browser; a Map in tests). */
export interface RecentStore {
  /** The record's text, or null when there is none. */
  read(): string | null;
  /** Stores the text, or removes the record (null). Throws when storage refuses it (full, disabled). */
  write(text: string | null): void;
}

/** The browser's localStorage as a RecentStore; null where it is unavailable (some private modes, Node). */
export function localRecentStore(): RecentStore | null {
  let storage: Storage | null;
  try {
    storage = globalThis.localStorage ?? null;
  } catch {
    return null; // access itself throws where storage is disabled
  }
  if (!storage) return null;
  const s = storage;
  return {
    read: () => s.getItem(RECENT_KEY),
    write: (text) => (text === null ? s.removeItem(RECENT_KEY) : s.setItem(RECENT_KEY, text)),
  };
}

/** Reads the recent record as early as possible; never throws (null when there is none or it cannot be read). */
export const readRecentEarly = (): Promise<unknown> => {
  performance.mark('atelier:recent-start');
  let value: unknown = null;
  try {
    const text = localRecentStore()?.read();
    value = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    value = null;
  }
  performance.mark('atelier:recent-got');
  return Promise.resolve(value);
};
