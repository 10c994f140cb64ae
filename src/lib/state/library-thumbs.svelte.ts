/* eslint-disable svelte/prefer-svelte-reactivity -- every Set/Map here is built whole and stored in a $state.raw field (replaced, never mutated in place), or is local to a function. */
/** Blob URLs of thumbnails for the gallery's visible cells: read in batches, kept for a bounded number. */
export class ThumbCache {
  /** hash → Blob URL, or null when the bytes could not be read (the cell shows a placeholder). */
  urls = $state.raw<ReadonlyMap<string, string | null>>(new Map());
  private readonly wanted = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly read: (hashes: string[]) => Promise<(Blob | null)[]>,
    private readonly max = 600,
  ) {}

  /** Asks for these thumbnails; they appear in `urls` after one batched read. */
  want(hashes: readonly string[]): void {
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
    const next = new Map(this.urls);
    hashes.forEach((h, i) => {
      const b = blobs[i];
      next.set(h, b ? URL.createObjectURL(b) : null);
    });
    // Oldest first out (Map keeps insertion order).
    for (const [h, url] of next) {
      if (next.size <= this.max) break;
      if (url) URL.revokeObjectURL(url);
      next.delete(h);
    }
    this.urls = next;
    this.scheduled = false;
    if (this.wanted.size) this.want([]);
  }

  clear(): void {
    for (const url of this.urls.values()) if (url) URL.revokeObjectURL(url);
    this.urls = new Map();
  }
}
