/**
 * The recent-page record's place (see repository.ts). Apart, so the first chunk can start reading it when the app
 * opens on the library, before the library's code has loaded (idb-keyval is in the first chunk already).
 */
import { createStore, get } from 'idb-keyval';

export const RECENT_DB = 'atelier-library-recent-v1';
export const RECENT_STORE = 'recent';
export const RECENT_KEY = 'page';

/** Starts reading the recent record; never rejects (null when it cannot be read). */
export const readRecentEarly = (): Promise<unknown> => {
  performance.mark('atelier:recent-start');
  return get(RECENT_KEY, createStore(RECENT_DB, RECENT_STORE))
    .catch(() => null)
    .finally(() => performance.mark('atelier:recent-got'));
};
