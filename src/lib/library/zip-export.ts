/**
 * Streams the library (or a selection) into one .zip: manifest.json first (deflated), then every blob stored
 * as is (images are compressed already). Chunks go to `write` as they are made and each file is read from its
 * Blob in pieces, so memory stays flat whatever the library's size. The records hold no API key (the key is
 * never stored with them), and the manifest is checked for one anyway.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { MANIFEST_NAME, ZIP_FORMAT, ZIP_VERSION, planFiles, type Manifest } from './manifest';
import { scrubBody, type LibraryItem } from './types';

export interface ExportOptions {
  thumbnails: boolean;
  /** Receives the zip's bytes in order; awaited, so a slow disk slows the export rather than filling memory. */
  write: (chunk: Uint8Array) => Promise<void> | void;
  /** Stored bytes by hash (several at once); null where a blob is missing or unreadable. */
  blobs: (hashes: string[]) => Promise<(Blob | null)[]>;
  now?: () => number;
  signal?: AbortSignal;
}

export interface ExportResult {
  items: number;
  files: number;
  /** Blobs that could not be read: their items are in the manifest but their files are not. */
  missing: number;
  bytes: number;
}

export async function exportZip(items: readonly LibraryItem[], opts: ExportOptions): Promise<ExportResult> {
  const clean = items.map((i) => ({ ...i, recipe: { ...i.recipe, body: scrubBody(i.recipe.body) } }));
  const planned = planFiles(clean, { thumbnails: opts.thumbnails });
  const handles = await opts.blobs(planned.map((f) => f.hash));
  const present = planned.filter((_, i) => handles[i] !== null);
  const manifest: Manifest = {
    format: ZIP_FORMAT,
    version: ZIP_VERSION,
    exported: new Date((opts.now ?? Date.now)()).toISOString(),
    items: clean,
    files: present,
  };

  let written = 0;
  let failure: unknown = null;
  let pending: Promise<void> = Promise.resolve();
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else
      pending = pending.then(async () => {
        written += chunk.length;
        await opts.write(chunk);
      });
  });
  const flush = async () => {
    await pending;
    if (failure) throw failure;
    opts.signal?.throwIfAborted();
  };

  const head = new ZipDeflate(MANIFEST_NAME, { level: 6 });
  zip.add(head);
  head.push(new TextEncoder().encode(JSON.stringify(manifest, null, 1)), true);
  await flush();

  let i = 0;
  for (const file of planned) {
    const blob = handles[i++];
    if (!blob) continue;
    const entry = new ZipPassThrough(file.path);
    zip.add(entry);
    const reader = blob.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      entry.push(value);
      await flush();
    }
    entry.push(new Uint8Array(0), true);
    await flush();
  }
  zip.end();
  await flush();
  return {
    items: clean.length,
    files: present.length,
    missing: planned.length - present.length,
    bytes: written,
  };
}
