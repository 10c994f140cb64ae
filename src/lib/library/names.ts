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
/** Each thumbnail of the record under a key of its own, so a save writes one thumbnail, not all of them. */
export const RECENT_THUMB_PREFIX = 'atelier.library.thumb.';
export const RECENT_DB_V1 = 'atelier-library-recent-v1';
/**
 * A record longer than this (UTF-16 characters, 2 MB) keeps fewer items: localStorage holds about 5 M characters
 * per site, and the settings and the studio's draft need room there too.
 */
export const RECENT_MAX_CHARS = 1_000_000;

/**
 * Where the record is read and written (localStorage in the browser; a Map in tests): the list (items and their
 * thumbnails' hashes) under one key, each thumbnail's data: URL under its own.
 */
export interface RecentStore {
  /** The list's text, or null when there is none. */
  read(): string | null;
  /** Stores the list's text, or removes it (null). Throws when storage refuses it (full, disabled). */
  write(text: string | null): void;
  /** A thumbnail's data: URL, or null. */
  thumb(hash: string): string | null;
  /** Stores a thumbnail's data: URL, or removes it (null). Throws when storage refuses it. */
  setThumb(hash: string, url: string | null): void;
  /** The hashes of every thumbnail stored (to remove those the list no longer names). */
  thumbHashes(): string[];
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
  const put = (key: string, text: string | null) =>
    text === null ? s.removeItem(key) : s.setItem(key, text);
  return {
    read: () => s.getItem(RECENT_KEY),
    write: (text) => put(RECENT_KEY, text),
    thumb: (hash) => s.getItem(RECENT_THUMB_PREFIX + hash),
    setThumb: (hash, url) => put(RECENT_THUMB_PREFIX + hash, url),
    thumbHashes: () => {
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        const key = s.key(i);
        if (key?.startsWith(RECENT_THUMB_PREFIX)) out.push(key.slice(RECENT_THUMB_PREFIX.length));
      }
      return out;
    },
  };
}

/**
 * Reads the recent record's list as early as possible (its thumbnails are read when it is shown); never throws
 * (null when there is none or it cannot be read).
 */
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
