/* eslint-disable svelte/prefer-svelte-reactivity -- every Set/Map here is built whole and stored in a $state.raw field (replaced, never mutated in place), or is local to a function. */
/**
 * The library: every stored item, what the gallery shows (search, filters, selection), deleting with undo,
 * favourites, export and import, and saving results as they arrive. Other tabs' changes arrive over the
 * 'atelier-library' BroadcastChannel and trigger a re-read.
 */
import type { DecodedPicture } from '../images/progressive';
import type { GenerationEvent } from '../api/images';
import {
  facets,
  filterItems,
  itemWithImage,
  NO_FILTER,
  storageUse,
  type LibraryFilter,
} from '../library/query';
import {
  LIBRARY_CHANNEL,
  LibraryRepository,
  newestFirst,
  RECENT_SIZE,
  recentKey,
  type LibraryMessage,
} from '../library/repository';
import { LibrarySaver, type ImageToSave, type RunLike } from '../library/saver';
import type { Thumbnail } from '../library/thumbnail';
import { browserThumbnail, loadThumbnailCode } from '../library/thumbnail-code';
import { describeSaveFailure, STORAGE_UNAVAILABLE } from '../library/messages';
import {
  exportItems,
  importInto,
  withThumbnail,
  type LibraryNotice,
  type ZipSink,
} from '../library/transfer';
import type { LibraryItem, RecipeEstimate } from '../library/types';
import { ThumbCache } from './library-thumbs.svelte';

export interface LibraryDeps {
  repo?: LibraryRepository;
  thumbnail?: (blob: Blob, bytes: Uint8Array, decoded?: Promise<DecodedPicture | null>) => Promise<Thumbnail>;
  now?: () => number;
  newId?: () => string;
  undoMs?: number;
  /** The recent record's stored value, when its read started before this code loaded. */
  recent?: Promise<unknown>;
}

export type { LibraryNotice };

/** Resolves after the next frame (soon, where there are no frames). */
const afterPaint = () =>
  new Promise<void>((resolve) =>
    typeof requestAnimationFrame === 'function'
      ? requestAnimationFrame(() => setTimeout(resolve))
      : setTimeout(resolve),
  );

const newId = () =>
  globalThis.crypto?.randomUUID?.() ?? `i-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

export class LibraryState {
  items = $state.raw<LibraryItem[]>([]);
  /** null until the first read; false when IndexedDB cannot be used. */
  available = $state<boolean | null>(null);
  /** False while the first read is still bringing older items (the newest page shows before that). */
  complete = $state(false);
  unreadable = $state(0);
  /** Something went wrong reading or writing (other than a full disk), in words. */
  problem = $state<string | null>(null);
  /** The last save that did not fit: what to tell the user, and how many bytes it needed. */
  quota = $state.raw<{ message: string; needed: number } | null>(null);
  filter = $state<LibraryFilter>({ ...NO_FILTER });
  selected = $state.raw<ReadonlySet<string>>(new Set());
  openId = $state<string | null>(null);
  pendingDelete = $state.raw<{ ids: string[]; timer: ReturnType<typeof setTimeout> } | null>(null);
  /** "Exporting…" / "Importing…" while one runs. */
  busy = $state<string | null>(null);
  notice = $state.raw<LibraryNotice | null>(null);
  /** Called by "Continue conversation" (conversation mode wires it); the button shows only when set. */
  onContinue = $state.raw<((item: LibraryItem) => void) | null>(null);

  private hidden = $derived(new Set(this.pendingDelete?.ids ?? []));
  shown = $derived(this.pendingDelete ? this.items.filter((i) => !this.hidden.has(i.id)) : this.items);
  visible = $derived(filterItems(this.shown, this.filter));
  facets = $derived(facets(this.items));
  usage = $derived(storageUse(this.items));
  opened = $derived(this.openId ? (this.items.find((i) => i.id === this.openId) ?? null) : null);

  readonly repo: LibraryRepository;
  readonly thumbs: ThumbCache;
  private readonly saver: LibrarySaver;
  /** Conversation images being saved, by item id (what `recipesReported` waits for). */
  private readonly savingImages = new Map<string, Promise<LibraryItem | null>>();
  private readonly undoMs: number;
  private early: Promise<unknown> | undefined;
  private channel: BroadcastChannel | null = null;
  private refreshing: Promise<void> | null = null;
  private again = false;
  /** Saves and deletes made while a read is under way (null: deleted), applied to what it brings. */
  private touched: Map<string, LibraryItem | null> | null = null;
  private settle!: () => void;
  /** Resolves once the first read has finished (or failed). */
  private readonly settled = new Promise<void>((resolve) => (this.settle = resolve));
  private shown1!: () => void;
  /** Resolves once it is known whether IndexedDB works (the first page is in, or it failed). */
  private readonly firstPage = new Promise<void>((resolve) => (this.shown1 = resolve));
  /** Resolves once the first screen is shown (or nothing can be), a frame after: what the app's start waits for. */
  readonly firstShown = this.firstPage.then(afterPaint);

  constructor(deps: LibraryDeps = {}) {
    this.repo = deps.repo ?? new LibraryRepository({ notify: (msg) => this.channel?.postMessage(msg) });
    this.undoMs = deps.undoMs ?? 6000;
    this.early = deps.recent;
    if (!deps.repo) void loadThumbnailCode().catch(() => undefined);
    this.thumbs = new ThumbCache((hashes) => this.repo.blobMany(hashes));
    this.saver = new LibrarySaver({
      save: (items, blobs, stored) => this.repo.save(items, blobs, stored),
      itemWithImage: async (hash) => {
        await this.settled;
        return itemWithImage(this.items, hash)?.id ?? null;
      },
      thumbnail: deps.thumbnail ?? browserThumbnail,
      now: deps.now ?? Date.now,
      newId: deps.newId ?? newId,
      saved: (item) => this.put(item),
      failed: (e, what) => this.saveFailed(e, what),
    });
  }

  /**
   * Reads everything stored (never throws: an unusable IndexedDB sets `available` false). The first read shows
   * the newest page as soon as it is in and adds older items as they arrive; later reads (another tab changed
   * something) replace the list once, when complete.
   */
  async load(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.read(!this.complete);
      } while (this.again);
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async read(progressive: boolean): Promise<void> {
    this.touched = new Map();
    try {
      if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
      // The first screen from the recent record (one read); the pages below then replace it with the real list,
      // starting after that screen has had a frame to paint.
      const preview = progressive ? await this.showRecent() : null;
      let items: LibraryItem[] = [];
      let unreadable = 0;
      let first = true;
      for await (const page of this.repo.pages(RECENT_SIZE)) {
        items = items.concat(page.items);
        unreadable += page.unreadable;
        if (first && progressive && preview !== recentKey(page.items.slice(0, RECENT_SIZE)))
          void this.repo.rebuildRecent();
        first = false;
        if (page.last) items = [...new Map(items.map((i) => [i.id, i])).values()].sort(newestFirst);
        if (!progressive && !page.last) continue;
        this.items = this.withTouched(items);
        this.unreadable = unreadable;
        this.available = true;
        this.shown1();
      }
      this.complete = true;
    } catch (e) {
      if (this.available !== true) {
        this.available = false;
        this.problem = STORAGE_UNAVAILABLE;
      } else
        this.problem = `The library could not be read (${(e as Error).message ?? e}). Reload to try again.`;
    } finally {
      this.touched = null;
      this.shown1();
      this.settle();
    }
  }

  /** Shows the recent record, if there is one; resolves with what it showed (its key), after a frame. */
  private async showRecent(): Promise<string | null> {
    const early = this.early;
    this.early = undefined;
    const recent = await this.repo.recent(early).catch(() => null);
    performance.mark('atelier:recent-read');
    if (!recent) return null;
    this.thumbs.prime(recent.thumbs);
    this.items = this.withTouched(recent.items);
    this.available = true;
    this.shown1();
    performance.mark('atelier:recent-shown');
    await afterPaint();
    return recentKey(recent.items);
  }

  /** What a read brought, with the saves and deletes made meanwhile (new saves first). */
  private withTouched(items: LibraryItem[]): LibraryItem[] {
    const touched = this.touched;
    if (!touched?.size) return items;
    const out = items.flatMap((i) => {
      const t = touched.get(i.id);
      return t === undefined ? [i] : t ? [t] : [];
    });
    const present = new Set(items.map((i) => i.id));
    const added = [...touched.values()].filter((t): t is LibraryItem => !!t && !present.has(t.id));
    return added.length ? [...added.sort(newestFirst), ...out] : out;
  }

  /** Listens for other tabs' changes; returns the function that stops listening. */
  listen(win: Window): () => void {
    const commit = () => void this.commitDelete();
    win.addEventListener('pagehide', commit);
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(LIBRARY_CHANNEL);
      this.channel.onmessage = (e: MessageEvent<LibraryMessage>) => {
        if (e.data?.type === 'changed') void this.load();
      };
    }
    return () => {
      win.removeEventListener('pagehide', commit);
      this.channel?.close();
      this.channel = null;
    };
  }

  // ——— saving ———

  /** A partial or final image of a studio run arrived (`at`: when its Blob was there, performance.now()). */
  async imageArrived(run: RunLike, ev: GenerationEvent, at?: number): Promise<void> {
    if (this.available === null) await this.firstPage;
    if (this.available === false) return;
    return this.saver.image(run, ev, at);
  }

  /** A studio run ended; `cost` is what the whole request cost (USD), when known, beside what was estimated. */
  async runEnded(run: RunLike, cost: number | null, estimate: RecipeEstimate | null = null): Promise<void> {
    // After the run's images, which may be waiting for the first read (continuations run in order).
    if (this.available === null) await this.firstPage;
    return this.saver.ended(run, cost, estimate);
  }

  /** Saves an image made elsewhere (conversation mode). Resolves with the item, or null if it was not kept. */
  async saveImage(input: ImageToSave): Promise<LibraryItem | null> {
    if (this.available === null) await this.firstPage;
    if (this.available === false) return null;
    const saving = this.saver.saveImage(input);
    if (input.id) {
      const id = input.id;
      this.savingImages.set(id, saving);
      void saving.finally(() => this.savingImages.delete(id)).catch(() => undefined);
    }
    return saving;
  }

  /**
   * What a request reported once it ended (a conversation turn's usage and cost), added to the recipes of the
   * images it made; waits for those images' own saves first. Items that were not kept are skipped.
   */
  async recipesReported(ids: readonly string[], reported: Pick<LibraryItem['recipe'], 'usage' | 'cost'>) {
    if (this.available === null) await this.firstPage;
    if (this.available === false) return;
    const items: LibraryItem[] = [];
    for (const id of ids) {
      await this.savingImages.get(id)?.catch(() => null);
      const item = await this.repo.get(id);
      if (item) items.push({ ...item, recipe: { ...item.recipe, ...reported } });
    }
    if (items.length) await this.save(items, new Map());
  }

  /** Saves records with their blobs as they are (the general form, e.g. for tools that build records). */
  async save(items: LibraryItem[], blobs: Map<string, Blob>): Promise<void> {
    await this.repo.save(items, blobs);
    for (const i of items) this.put(i);
  }

  private put(item: LibraryItem): void {
    this.touched?.set(item.id, item);
    const at = this.items.findIndex((i) => i.id === item.id);
    this.items = at < 0 ? [item, ...this.items] : this.items.map((i, n) => (n === at ? item : i));
    if (this.quota) this.quota = null;
  }

  private saveFailed(e: unknown, what: { prompt: string; bytes: number }): void {
    const failure = describeSaveFailure(e, what);
    if ('quota' in failure) this.quota = failure.quota;
    else if (this.available !== false) this.problem = failure.problem;
  }

  // ——— browsing ———

  setFilter(patch: Partial<LibraryFilter>): void {
    this.filter = { ...this.filter, ...patch };
  }

  toggleSelected(id: string): void {
    const next = new Set(this.selected);
    if (!next.delete(id)) next.add(id);
    this.selected = next;
  }

  clearSelection(): void {
    this.selected = new Set();
  }

  async toggleFavourite(item: LibraryItem): Promise<void> {
    this.put({ ...item, favourite: !item.favourite });
    try {
      await this.repo.setFavourite(item.id, !item.favourite);
    } catch (e) {
      this.put(item);
      this.problem = `The favourite could not be saved (${(e as Error).message ?? e}).`;
    }
  }

  /** The full image's bytes (null when they cannot be read: the view shows a placeholder). */
  async fullImage(item: LibraryItem): Promise<Blob | null> {
    try {
      return await this.repo.blob(item.image.hash);
    } catch {
      return null;
    }
  }

  // ——— deleting, with undo ———

  /** Hides the items now and deletes them after a few seconds unless Undo is pressed. */
  remove(ids: readonly string[]): void {
    if (!ids.length) return;
    void this.commitDelete();
    const timer = setTimeout(() => void this.commitDelete(), this.undoMs);
    this.pendingDelete = { ids: [...ids], timer };
    if (this.openId && ids.includes(this.openId)) this.openId = null;
    this.selected = new Set([...this.selected].filter((id) => !ids.includes(id)));
  }

  undo(): void {
    if (!this.pendingDelete) return;
    clearTimeout(this.pendingDelete.timer);
    this.pendingDelete = null;
  }

  async commitDelete(): Promise<void> {
    const pending = this.pendingDelete;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingDelete = null;
    const gone = new Set(pending.ids);
    for (const id of gone) this.touched?.set(id, null);
    this.items = this.items.filter((i) => !gone.has(i.id));
    try {
      await this.repo.remove(pending.ids);
    } catch (e) {
      this.problem = `Deleting failed (${(e as Error).message ?? e}); the items are still stored.`;
      await this.load();
    }
  }

  // ——— export and import ———

  /** Streams the chosen items (all when `ids` is null) into `sink`. */
  async exportTo(ids: readonly string[] | null, sink: ZipSink, opts: { thumbnails: boolean }): Promise<void> {
    const chosen = ids ? this.shown.filter((i) => ids.includes(i.id)) : this.shown;
    this.busy = 'Exporting…';
    this.notice = null;
    try {
      this.notice = await exportItems(chosen, this.repo, sink, opts);
    } finally {
      this.busy = null;
    }
  }

  async importFile(file: Blob): Promise<void> {
    this.busy = 'Importing…';
    this.notice = null;
    try {
      const r = await importInto(file, this.repo, () => this.load());
      this.notice = r.notice;
      void this.remakeThumbnails(r.needThumbnails);
    } finally {
      this.busy = null;
    }
  }

  /** Imported items that came without thumbnails get one (quietly; the gallery shows a placeholder meanwhile). */
  private async remakeThumbnails(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const item = this.items.find((i) => i.id === id);
      const made =
        item && (await withThumbnail(item, this.repo, (blob, bytes) => browserThumbnail(blob, bytes)));
      if (made) await this.save([made.item], made.blobs).catch(() => undefined);
    }
  }
}
