/**
 * Moving the library in and out: exporting chosen items to a zip stream and importing a zip, each ending in the
 * one-line notice the library shows; and a thumbnail for an imported item that came without one. The zip code
 * itself loads on first use.
 */
import { formatBytes } from '../images/format-bytes';
import { sha256Hex } from './hash';
import type { LibraryRepository } from './repository';
import { LibraryQuotaError } from './storage-guard';
import type { Thumbnail } from './thumbnail';
import type { LibraryItem } from './types';

export interface LibraryNotice {
  text: string;
  tone: 'ok' | 'error';
}

export interface ZipSink {
  write(c: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** Streams `chosen` into `sink`; never throws (a failure aborts the sink and says so). */
export async function exportItems(
  chosen: readonly LibraryItem[],
  repo: Pick<LibraryRepository, 'blobMany'>,
  sink: ZipSink,
  opts: { thumbnails: boolean },
): Promise<LibraryNotice> {
  try {
    const { exportZip } = await import('./zip-export');
    const result = await exportZip([...chosen], {
      thumbnails: opts.thumbnails,
      write: (c) => sink.write(c),
      blobs: (h) => repo.blobMany(h),
    });
    await sink.close();
    const missing = result.missing
      ? ` ${result.missing} file(s) could not be read and are missing from it.`
      : '';
    return {
      tone: result.missing ? 'error' : 'ok',
      text: `Exported ${result.items} item(s), ${formatBytes(result.bytes)}.${missing}`,
    };
  } catch (e) {
    await sink.abort().catch(() => undefined);
    return { tone: 'error', text: `The export failed (${(e as Error).message ?? e}). Nothing was changed.` };
  }
}

/**
 * Imports a zip into `repo`, then `reload`s the library. Never throws: a rejected file leaves the library as it
 * was and says why. `needThumbnails`: imported items that came without a thumbnail.
 */
export async function importInto(
  file: Blob,
  repo: LibraryRepository,
  reload: () => Promise<void>,
): Promise<{ notice: LibraryNotice; needThumbnails: readonly string[] }> {
  const { importZip, ImportRejected } = await import('./zip-import');
  try {
    const r = await importZip(file, repo);
    await reload();
    const notes = r.notes.length ? ` ${r.notes.join(' ')}` : '';
    return {
      notice: {
        tone: r.rejected ? 'error' : 'ok',
        text: `Import finished: ${r.added} added, ${r.skipped} skipped (already here), ${r.rejected} rejected.${notes}`,
      },
      needThumbnails: r.needThumbnails,
    };
  } catch (e) {
    const reason =
      e instanceof ImportRejected
        ? e.message
        : e instanceof LibraryQuotaError
          ? `Storage is full: the import needs about ${formatBytes(e.needed)} more.`
          : `It could not be read (${(e as Error).message ?? e}).`;
    return {
      notice: { tone: 'error', text: `Import rejected: ${reason} Nothing in your library was changed.` },
      needThumbnails: [],
    };
  }
}

/** The item with a thumbnail made from its image, and the thumbnail's bytes; null when that cannot be done. */
export async function withThumbnail(
  item: LibraryItem,
  repo: Pick<LibraryRepository, 'blob'>,
  make: (blob: Blob, bytes: Uint8Array) => Promise<Thumbnail>,
): Promise<{ item: LibraryItem; blobs: Map<string, Blob> } | null> {
  const blob = await repo.blob(item.image.hash).catch(() => null);
  if (!blob) return null;
  try {
    const t = await make(blob, new Uint8Array(await blob.arrayBuffer()));
    if (!t.thumb) return null;
    const hash = await sha256Hex(t.thumb.blob);
    const thumb = {
      hash,
      mime: t.thumb.blob.type,
      bytes: t.thumb.blob.size,
      width: t.thumb.width,
      height: t.thumb.height,
    };
    return { item: { ...item, thumb }, blobs: new Map([[hash, t.thumb.blob]]) };
  } catch {
    return null; // the placeholder stays; the item is whole without a thumbnail
  }
}
