/**
 * Thumbnails come from a chunk of their own (header parsing, canvas), loaded with the library rather than at the
 * first save: loading it then delayed the save of a streamed image by ~100 ms (measured with `npm run bench`).
 */
import type { DecodedPicture } from '../images/progressive';
import type { Thumbnail } from './thumbnail';

let code: Promise<typeof import('./thumbnail')> | null = null;

/** Starts loading the thumbnail code (once; a failed load is tried again next time). */
export const loadThumbnailCode = (): Promise<typeof import('./thumbnail')> =>
  (code ??= import('./thumbnail').catch((e: unknown) => {
    code = null;
    throw e;
  }));

export async function browserThumbnail(
  blob: Blob,
  bytes?: Uint8Array,
  decoded?: Promise<DecodedPicture | null>,
): Promise<Thumbnail> {
  const { makeThumbnail } = await loadThumbnailCode();
  return makeThumbnail(blob, bytes, decoded);
}
