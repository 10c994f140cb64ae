/**
 * What guards the library's writes: the cross-tab write lock, and telling a full disk apart from other failures
 * (so the user hears what was needed and that nothing was half-saved).
 */
const LOCK_NAME = 'atelier-library-write';

/** Storage is full: nothing of the item was kept. */
export class LibraryQuotaError extends Error {
  override readonly name = 'LibraryQuotaError';
  constructor(
    /** Bytes the save needed to write. */
    readonly needed: number,
    /** Bytes the browser said were still free, when it says. */
    readonly available: number | null,
    override readonly cause?: unknown,
  ) {
    super(`Storage is full: saving needed ${needed} bytes`);
  }
}

export const isQuotaError = (e: unknown): boolean => {
  const err = e as { name?: string; code?: number } | null;
  return err?.name === 'QuotaExceededError' || err?.code === 22 || err?.name === 'LibraryQuotaError';
};

/** Runs writers one at a time, across tabs when the browser has Web Locks, else within this page. */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>;

export function writeLock(name = LOCK_NAME): Lock {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks) return locks.request(name, fn) as Promise<T>;
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
}
