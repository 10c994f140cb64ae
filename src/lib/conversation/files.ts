/**
 * Input images uploaded once through `POST /files` (purpose `vision`) and reused by `file_id`: a cache keyed by
 * the base URL and the SHA-256 of the bytes, kept in localStorage for as long as the file lives.
 */
import { apiFetch, type Connection } from '../api/client';
import { sha256Hex } from '../library/hash';

export const FILES_KEY = 'atelier.conversation.files.v1';

export interface CachedFile {
  fileId: string;
  /** Unix ms after which the server deletes the file; null when it does not expire. */
  expiresAt: number | null;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

export class FileCache {
  constructor(
    private readonly storage: Store | null,
    private readonly now: () => number = Date.now,
    private readonly key = FILES_KEY,
  ) {}

  private read(): Record<string, CachedFile> {
    try {
      const v: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '{}');
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, CachedFile>) : {};
    } catch {
      return {};
    }
  }

  private write(all: Record<string, CachedFile>): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(all));
    } catch {
      // Storage blocked: uploads still work, they are just not reused across reloads.
    }
  }

  /** The live file for these bytes on this server; expired entries are dropped (with a minute's margin). */
  get(baseUrl: string, hash: string): CachedFile | null {
    const all = this.read();
    const hit = all[`${baseUrl}|${hash}`];
    if (!hit || typeof hit.fileId !== 'string') return null;
    if (hit.expiresAt !== null && hit.expiresAt - 60_000 <= this.now()) {
      delete all[`${baseUrl}|${hash}`];
      this.write(all);
      return null;
    }
    return hit;
  }

  set(baseUrl: string, hash: string, file: CachedFile): void {
    this.write({ ...this.read(), [`${baseUrl}|${hash}`]: file });
  }

  /** Forgets a file the server no longer knows. */
  forget(fileId: string): void {
    const all = this.read();
    for (const [k, v] of Object.entries(all)) if (v.fileId === fileId) delete all[k];
    this.write(all);
  }
}

/** Uploads one image with purpose `vision`. */
export async function uploadVisionFile(
  conn: Connection,
  blob: Blob,
  name: string,
  opts: { signal?: AbortSignal; fetchImpl?: typeof fetch } = {},
): Promise<CachedFile> {
  const form = new FormData();
  form.append('purpose', 'vision');
  form.append('file', blob, name);
  const res = await apiFetch(conn, '/files', {
    method: 'POST',
    form,
    signal: opts.signal,
    fetchImpl: opts.fetchImpl,
  });
  const json = (await res.json()) as { id?: unknown; expires_at?: unknown };
  if (typeof json.id !== 'string') throw new Error('The server accepted the upload but returned no file id.');
  return { fileId: json.id, expiresAt: typeof json.expires_at === 'number' ? json.expires_at * 1000 : null };
}

/** The file id for these bytes: from the cache, or uploaded now. `reused` says which. */
export async function fileIdFor(
  conn: Connection,
  cache: FileCache,
  blob: Blob,
  name: string,
  opts: { signal?: AbortSignal; fetchImpl?: typeof fetch } = {},
): Promise<{ fileId: string; reused: boolean }> {
  const hash = await sha256Hex(blob);
  const hit = cache.get(conn.baseUrl, hash);
  if (hit) return { fileId: hit.fileId, reused: true };
  const file = await uploadVisionFile(conn, blob, name, opts);
  cache.set(conn.baseUrl, hash, file);
  return { fileId: file.fileId, reused: false };
}

/** A `data:` URL of the blob's bytes (the default way input images are sent). */
export async function blobToDataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${blob.type || 'image/png'};base64,${btoa(bin)}`;
}
