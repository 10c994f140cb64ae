/**
 * The spend ledger: one entry per request that was billed (or may have been), in IndexedDB through a named
 * idb-keyval store. history/ is the only code that imports idb-keyval. Store names carry a version.
 */
import { clear, createStore, set, values, type UseStore } from 'idb-keyval';
import type { ImageUsage } from '../api/images';
import type { Range } from '../cost/range';

export const SPEND_DB = 'atelier-spend-v1';
export const SPEND_STORE = 'entries';

export interface SpendEntry {
  id: string;
  /** Epoch milliseconds when the request ended. */
  time: number;
  /** The page load that sent it ("this session"). */
  session: string;
  model: string;
  endpoint: 'generations' | 'edits' | 'variations' | 'responses';
  usage: ImageUsage | null;
  /** USD from `usage` at the prices in force then; null when unknown (no usage or no price). */
  cost: number | null;
  /** The USD estimate shown before sending; null when there was none. */
  estimate: Range | null;
}

export interface SpendLedger {
  add(entry: SpendEntry): Promise<void>;
  list(): Promise<SpendEntry[]>;
  clear(): Promise<void>;
}

const ENDPOINTS: readonly SpendEntry['endpoint'][] = ['generations', 'edits', 'variations', 'responses'];
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An entry read back from storage, or null when it is not one (never trust stored data). */
export function asSpendEntry(v: unknown): SpendEntry | null {
  const e = v as Partial<SpendEntry> | null;
  if (!e || typeof e !== 'object' || typeof e.id !== 'string' || !finite(e.time)) return null;
  const est = e.estimate;
  return {
    id: e.id,
    time: e.time,
    session: typeof e.session === 'string' ? e.session : '',
    model: typeof e.model === 'string' ? e.model : '',
    endpoint: ENDPOINTS.includes(e.endpoint!) ? e.endpoint! : 'generations',
    usage: e.usage && typeof e.usage === 'object' ? e.usage : null,
    cost: finite(e.cost) && e.cost >= 0 ? e.cost : null,
    estimate: est && finite(est.low) && finite(est.point) && finite(est.high) ? est : null,
  };
}

/** What storage holds, plus what this page recorded but could not save; oldest first. */
export function mergeSpendEntries(stored: SpendEntry[], local: readonly SpendEntry[]): SpendEntry[] {
  const ids = new Set(stored.map((e) => e.id));
  return [...stored, ...local.filter((e) => !ids.has(e.id))].sort((a, b) => a.time - b.time);
}

/** The IndexedDB ledger. The database opens on first use, not on import. */
export function idbSpendLedger(): SpendLedger {
  let store: UseStore | null = null;
  const db = () => (store ??= createStore(SPEND_DB, SPEND_STORE));
  return {
    add: (entry) => set(entry.id, entry, db()),
    async list() {
      const all = (await values(db())).map(asSpendEntry).filter((e): e is SpendEntry => e !== null);
      return all.sort((a, b) => a.time - b.time);
    },
    clear: () => clear(db()),
  };
}

/** A storage failure in words: a full disk is named as such. */
export function describeSpendError(e: unknown): string {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError')
    return 'The browser’s storage for this site is full, so this request was not added to your spending history.';
  const why = e instanceof Error ? e.message : String(e);
  return `Your spending history could not be read or saved (${why}). Budgets count only what this page has seen.`;
}
