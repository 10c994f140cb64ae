/* eslint-disable svelte/prefer-svelte-reactivity -- `wanted` and `inView` are bookkeeping, never read by markup. */
/**
 * Thumbnails for the gallery's visible cells: read in batches (one transaction each), kept for a bounded number.
 *
 * They are shown through data: URLs, not Blob URLs. In Chromium every URL.createObjectURL (and revoke) is a
 * synchronous round trip to the browser process; scrolling through 2,000 items spent seconds blocked in it
 * (measured with `npm run bench`: 61–83 long tasks). A thumbnail is a few KB of WebP, read asynchronously and
 * encoded in well under a millisecond, and a data: URL needs no revoking. `urls` is a SvelteMap, so a batch
 * that arrives updates only the cells showing those thumbnails.
 */
import { SvelteMap } from 'svelte/reactivity';
import { dataUrl } from '../library/data-url';

const SLICE = 6;

export class ThumbCache {
  /** hash → URL, or null when the bytes could not be read (the cell shows a placeholder). */
  readonly urls = new SvelteMap<string, string | null>();
  private readonly wanted = new Set<string>();
  /** The hashes the gallery shows now: never evicted. */
  private inView = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly read: (hashes: string[]) => Promise<(Blob | null)[]>,
    private readonly max = 600,
  ) {}

  /** Thumbnails whose bytes are already here (the recent record): no read needed. */
  prime(thumbs: readonly { hash: string; url: string }[]): void {
    for (const t of thumbs) if (!this.urls.get(t.hash)) this.urls.set(t.hash, t.url);
  }

  /** The gallery shows these thumbnails now; those not yet here appear in `urls` after one batched read. */
  want(hashes: readonly string[]): void {
    this.inView = new Set(hashes);
    for (const h of hashes) if (!this.urls.has(h)) this.wanted.add(h);
    if (this.scheduled || !this.wanted.size) return;
    this.scheduled = true;
    queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const hashes = [...this.wanted];
    this.wanted.clear();
    let blobs: (Blob | null)[];
    try {
      blobs = await this.read(hashes);
    } catch {
      blobs = hashes.map(() => null);
    }
    // Starting to read a Blob that lives in IndexedDB costs the main thread about a millisecond (more on a busy
    // machine), so a batch is read a few at a time, one task each, leaving room for frames in between.
    for (let at = 0; at < hashes.length; at += SLICE) {
      if (at) await new Promise((resolve) => setTimeout(resolve));
      const part = blobs.slice(at, at + SLICE);
      const urls = await Promise.all(part.map((b) => (b ? dataUrl(b).catch(() => null) : null)));
      urls.forEach((url, i) => this.urls.set(hashes[at + i]!, url));
    }
    // Oldest first out (a Map keeps insertion order), never one in view.
    if (this.urls.size > this.max)
      for (const h of [...this.urls.keys()]) {
        if (this.urls.size <= this.max) break;
        if (!this.inView.has(h)) this.urls.delete(h);
      }
    this.scheduled = false;
    if (this.wanted.size) this.want([...this.inView]);
  }
}
