/**
 * Reads a library .zip back, streaming: fflate's Unzip over `file.stream()`, one entry in memory at a time.
 * The whole file is checked as it goes: a zip at all, our manifest first, a format version we know, no entry
 * over the size limit, every file matching its SHA-256, data that inflates. Any of those failing rejects the
 * import with the reason, and the blobs it had written so far are removed again (never one a record uses), so
 * nothing already stored changes. Records are written last, all in one transaction.
 */
import { Unzip, UnzipInflate } from 'fflate';
import { formatBytes } from '../images/intake';
import { sha256Hex } from './hash';
import { MANIFEST_NAME, ZIP_FORMAT, ZIP_VERSION, requiredHashes, type ManifestFile } from './manifest';
import { upgradeRecord } from './migrate';
import { isHash, type LibraryItem } from './types';

/** The import was refused as a whole; `message` says why and what to do. */
export class ImportRejected extends Error {
  override readonly name = 'ImportRejected';
}

export interface ImportTarget {
  list(): Promise<{ items: LibraryItem[] }>;
  has(hashes: readonly string[]): Promise<Set<string>>;
  putBlobs(entries: readonly [string, Blob][]): Promise<string[]>;
  save(items: readonly LibraryItem[], blobs: ReadonlyMap<string, Blob>): Promise<void>;
  dropOrphans(hashes: readonly string[]): Promise<void>;
}

export interface ImportReport {
  added: number;
  /** Already in the library (same id, or the same image). */
  skipped: number;
  /** Records that were unreadable or whose image was not in the zip. */
  rejected: number;
  /** Why items were rejected, one line each (at most a few). */
  notes: string[];
  /** Items added without a thumbnail (the export had none): the caller may make them. */
  needThumbnails: string[];
}

export interface ImportLimits {
  /** Largest single image (the API's own inputs stay under 50 MB). */
  maxEntryBytes: number;
  maxManifestBytes: number;
}

export const IMPORT_LIMITS: ImportLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxManifestBytes: 64 * 1024 * 1024,
};

const NOT_OURS =
  'It is not an Atelier library export (it has no Atelier manifest.json at its start). Choose a .zip made with Library → Export.';

interface Entry {
  name: string;
  chunks: Uint8Array[];
  size: number;
  done: boolean;
}

interface ParsedManifest {
  items: LibraryItem[];
  rejected: number;
  files: Map<string, ManifestFile>;
}

function parseManifest(bytes: Uint8Array): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ImportRejected(
      'The zip’s manifest.json is damaged (it is not readable JSON). Export the library again.',
    );
  }
  const m = json as { format?: unknown; version?: unknown; items?: unknown; files?: unknown } | null;
  if (!m || typeof m !== 'object' || m.format !== ZIP_FORMAT) throw new ImportRejected(NOT_OURS);
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1)
    throw new ImportRejected(
      'The zip’s manifest has no valid format version, so Atelier cannot tell how to read it.',
    );
  if (m.version > ZIP_VERSION)
    throw new ImportRejected(
      `This export uses library format ${m.version}, newer than this version of Atelier understands (${ZIP_VERSION}). Update Atelier (reload the page) and import again.`,
    );
  if (!Array.isArray(m.items) || !Array.isArray(m.files))
    throw new ImportRejected('The zip’s manifest lists no items or files. Export the library again.');
  const files = new Map<string, ManifestFile>();
  for (const f of m.files as Partial<ManifestFile>[])
    if (f && typeof f.path === 'string' && isHash(f.hash) && typeof f.mime === 'string')
      files.set(f.path, {
        path: f.path,
        hash: f.hash,
        mime: f.mime,
        bytes: Number(f.bytes) || 0,
        role: f.role ?? 'image',
      });
  const items: LibraryItem[] = [];
  let rejected = 0;
  for (const raw of m.items) {
    const up = upgradeRecord(raw);
    if (up) items.push(up.item);
    else rejected++;
  }
  return { items, rejected, files };
}

/** Imports `file` into `target`; resolves with counts, or rejects with ImportRejected and changes nothing. */
export async function importZip(
  file: Blob,
  target: ImportTarget,
  limits: ImportLimits = IMPORT_LIMITS,
): Promise<ImportReport> {
  const magic = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  const isZip = magic[0] === 0x50 && magic[1] === 0x4b;
  if (!isZip || !((magic[2] === 3 && magic[3] === 4) || (magic[2] === 5 && magic[3] === 6)))
    throw new ImportRejected('The file is not a zip archive. Choose a .zip made with Library → Export.');
  if (magic[2] === 5) throw new ImportRejected(`The zip is empty. ${NOT_OURS}`);

  const written: string[] = [];
  try {
    return await readInto(file, target, limits, written);
  } catch (e) {
    await target.dropOrphans(written).catch(() => undefined);
    throw e;
  }
}

async function readInto(
  file: Blob,
  target: ImportTarget,
  limits: ImportLimits,
  written: string[],
): Promise<ImportReport> {
  const finished: Entry[] = [];
  let current: Entry | null = null;
  let failure: unknown = null;
  const unzip = new Unzip((f) => {
    if (failure) return;
    if (!current && f.name !== MANIFEST_NAME) {
      failure = new ImportRejected(NOT_OURS);
      return;
    }
    const entry: Entry = { name: f.name, chunks: [], size: 0, done: false };
    const cap = f.name === MANIFEST_NAME ? limits.maxManifestBytes : limits.maxEntryBytes;
    if (f.originalSize !== undefined && f.originalSize > cap) {
      failure = tooBig(f.name, cap);
      return;
    }
    current = entry;
    f.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new ImportRejected(`The zip is damaged: “${f.name}” cannot be unpacked (${err.message}).`);
        return;
      }
      entry.size += chunk.length;
      if (entry.size > cap) {
        failure = tooBig(f.name, cap);
        f.terminate();
        return;
      }
      entry.chunks.push(chunk);
      if (final) {
        entry.done = true;
        finished.push(entry);
      }
    };
    f.start();
  });
  unzip.register(UnzipInflate);

  let manifest: ParsedManifest | null = null;
  const present = new Set<string>();
  let wanted = new Set<string>();

  const handle = async (entry: Entry) => {
    const bytes = concat(entry.chunks, entry.size);
    entry.chunks = [];
    if (!manifest) {
      manifest = parseManifest(bytes);
      const all = manifest.items.flatMap((i) => [...requiredHashes(i), ...(i.thumb ? [i.thumb.hash] : [])]);
      const stored = await target.has(all);
      for (const h of stored) present.add(h);
      wanted = new Set(all.filter((h) => !stored.has(h)));
      return;
    }
    if (entry.name.endsWith('/')) return;
    const meta = manifest.files.get(entry.name);
    if (!meta) return; // not one of ours (e.g. a note added by hand): left out
    const hash = await sha256Hex(bytes);
    if (hash !== meta.hash)
      throw new ImportRejected(
        `The zip is damaged: “${entry.name}” does not match its checksum in the manifest. Export the library again.`,
      );
    if (!wanted.has(hash) || present.has(hash)) return;
    written.push(...(await target.putBlobs([[hash, new Blob([bytes], { type: meta.mime })]])));
    present.add(hash);
  };

  const drain = async () => {
    if (failure) throw failure;
    while (finished.length) await handle(finished.shift()!);
  };

  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      unzip.push(value);
      await drain();
    }
    unzip.push(new Uint8Array(0), true);
    await drain();
  } catch (e) {
    if (e instanceof ImportRejected) throw e;
    throw new ImportRejected(`The zip is damaged and cannot be read (${(e as Error).message ?? e}).`);
  } finally {
    reader.releaseLock();
  }
  if (!manifest) throw new ImportRejected(NOT_OURS);
  if (current && !(current as Entry).done)
    throw new ImportRejected('The zip ends early (the file is cut short). Copy or download it again.');

  return await commit(manifest, present, target, written);
}

async function commit(
  manifest: ParsedManifest,
  present: Set<string>,
  target: ImportTarget,
  written: readonly string[],
): Promise<ImportReport> {
  const existing = (await target.list()).items;
  const ids = new Set(existing.map((i) => i.id));
  const images = new Set(existing.map((i) => i.image.hash));
  const report: ImportReport = {
    added: 0,
    skipped: 0,
    rejected: manifest.rejected,
    notes: [],
    needThumbnails: [],
  };
  if (manifest.rejected)
    report.notes.push(`${manifest.rejected} record(s) in the manifest could not be read.`);
  const toSave: LibraryItem[] = [];
  for (const item of manifest.items) {
    if (ids.has(item.id) || images.has(item.image.hash)) {
      report.skipped++;
      continue;
    }
    const lacking = requiredHashes(item).filter((h) => !present.has(h));
    if (lacking.length) {
      report.rejected++;
      if (report.notes.length < 5)
        report.notes.push(
          `“${item.recipe.prompt.slice(0, 40) || item.id}”: ${lacking.length} file(s) missing from the zip.`,
        );
      continue;
    }
    const thumbOk = item.thumb && present.has(item.thumb.hash);
    const kept: LibraryItem = thumbOk ? item : { ...item, thumb: null };
    if (!thumbOk) report.needThumbnails.push(item.id);
    ids.add(item.id);
    images.add(item.image.hash);
    toSave.push(kept);
  }
  await target.save(toSave, new Map());
  report.added = toSave.length;
  // Bytes brought for records that were then rejected or skipped: not kept.
  await target.dropOrphans([...written]);
  return report;
}

function tooBig(name: string, cap: number): ImportRejected {
  return new ImportRejected(
    `“${name}” in the zip is larger than ${formatBytes(cap)}, more than any image Atelier saves, so the zip was not imported.`,
  );
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
