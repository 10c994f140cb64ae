/**
 * The library's code and data load on first use, not with the app: when the first image arrives (to save it) or
 * when the Library view opens. This file is all of the library the first page load carries; LibraryState, the
 * repository, the saver and the library's components are in lazy chunks (the service worker precaches them, so
 * they load offline too). Until first use there is nothing on screen to keep in step with other tabs; the first
 * read then sees everything they wrote.
 */
import { readRecentEarly } from '../library/names';
import type { LibraryState } from './library.svelte';

export class LibraryLoader {
  /** Set once the library's code has loaded (its records may still be arriving). */
  state = $state.raw<LibraryState | null>(null);
  #pending: Promise<LibraryState> | null = null;
  #stop: (() => void) | null = null;
  #loaded!: (library: LibraryState) => void;
  /** Resolves with the library once something has loaded it (to wire its hooks without loading it). */
  readonly ready = new Promise<LibraryState>((resolve) => (this.#loaded = resolve));

  constructor(private readonly win: Window | null = typeof window === 'undefined' ? null : window) {}

  /**
   * Loads the library (once) and starts reading its records; resolves when its code is ready. `forView`: the
   * gallery is about to show, so the first screen's record is read at once, while the code loads.
   */
  use(forView = false): Promise<LibraryState> {
    const early =
      !this.#pending && forView && typeof indexedDB !== 'undefined' ? readRecentEarly() : undefined;
    this.#pending ??= import('./library.svelte').then(
      ({ LibraryState }) => {
        performance.mark('atelier:library-chunk');
        const library = new LibraryState({ recent: early });
        if (this.win) this.#stop = library.listen(this.win);
        void library.load();
        this.state = library;
        this.#loaded(library);
        return library;
      },
      (e: unknown) => {
        this.#pending = null; // the next use tries again
        throw e;
      },
    );
    return this.#pending;
  }

  /** Saves in flight: leaving the page now would lose them, so the app asks first. */
  saving = $state(0);

  /**
   * Loads the library if needed and runs a save with it, counted in `saving` until it lands (or fails); the
   * promise resolves then, and never rejects.
   */
  save(fn: (library: LibraryState) => Promise<unknown>): Promise<void> {
    this.saving++;
    return this.use()
      .then(fn)
      .then(
        () => undefined,
        () => undefined, // the library reports its own failures (full disk, no storage)
      )
      .finally(() => this.saving--);
  }

  /** Runs `fn` once the library is loaded, only if something already asked for it (else there is nothing to do). */
  ifUsed(fn: (library: LibraryState) => unknown): void {
    void this.#pending?.then(fn, () => undefined);
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }
}
