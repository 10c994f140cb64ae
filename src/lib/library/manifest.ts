/** The export format: what manifest.json in a library .zip holds, and where each blob goes. Pure. */
import { EXTENSION_BY_MIME, type ImageMime } from '../images/bytes';
import { blobHashes, type LibraryItem } from './types';

export const MANIFEST_NAME = 'manifest.json';
export const ZIP_FORMAT = 'atelier-library';
/** Bumped when the zip layout or manifest changes; an importer refuses versions it does not know. */
export const ZIP_VERSION = 1;

export type FileRole = 'image' | 'thumbnail' | 'input';

export interface ManifestFile {
  path: string;
  hash: string;
  mime: string;
  bytes: number;
  role: FileRole;
}

export interface Manifest {
  format: typeof ZIP_FORMAT;
  version: number;
  /** ISO time of the export. */
  exported: string;
  /** Every exported record (recipe included), as stored. */
  items: LibraryItem[];
  files: ManifestFile[];
}

const extension = (mime: string): string => EXTENSION_BY_MIME[mime as ImageMime] ?? 'bin';

/** A few words of the prompt, safe in any file system. */
function slug(prompt: string): string {
  return (
    prompt
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'image'
  );
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The files of an export: each blob once (by hash), images under images/ named by date and prompt, thumbnails
 * (when wanted) under thumbnails/, input images and masks under inputs/. An image that is also an input is
 * written once, as the image.
 */
export function planFiles(items: readonly LibraryItem[], opts: { thumbnails: boolean }): ManifestFile[] {
  const files = new Map<string, ManifestFile>();
  const add = (hash: string, mime: string, bytes: number, role: FileRole, name: string) => {
    if (!files.has(hash)) files.set(hash, { path: `${name}.${extension(mime)}`, hash, mime, bytes, role });
  };
  for (const i of items)
    add(
      i.image.hash,
      i.image.mime,
      i.image.bytes,
      'image',
      `images/${day(i.created)}-${slug(i.recipe.prompt)}-${i.image.hash.slice(0, 16)}`,
    );
  for (const i of items) {
    if (opts.thumbnails && i.thumb)
      add(i.thumb.hash, i.thumb.mime, i.thumb.bytes, 'thumbnail', `thumbnails/${i.thumb.hash.slice(0, 16)}`);
    for (const s of [...i.recipe.sources, ...(i.recipe.mask ? [i.recipe.mask] : [])])
      add(s.hash, s.mime, s.bytes, 'input', `inputs/${s.hash.slice(0, 16)}`);
  }
  return [...files.values()];
}

/** The hashes an item needs to be imported (its thumbnail is optional: it can be made again). */
export function requiredHashes(item: LibraryItem): string[] {
  return blobHashes(item).filter((h) => h !== item.thumb?.hash);
}
