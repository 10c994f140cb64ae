/**
 * Browser-only: the gallery's thumbnail, made once when an image is saved (256 px on the long edge, WebP), so
 * the gallery never decodes a full image. The pixel size comes from the header, so the image is decoded once,
 * already scaled down by the decoder, or not at all when it was decoded for display already.
 */
import type { DecodedPicture } from '../images/progressive';
import { identify, readHeader } from '../images/header';

export const THUMB_EDGE = 256;

/** The steps' User Timing marks, for `npm run bench`'s breakdown of a save. */
const mark = (name: string) => performance.mark?.(name);

export interface Thumbnail {
  width: number;
  height: number;
  /** Null when the browser could not draw one (the gallery then shows a placeholder). */
  thumb: { blob: Blob; width: number; height: number } | null;
}

/** How much of an image is read for its header when the caller has not read it all (JPEG's may follow EXIF). */
const HEADER_BYTES = 256 * 1024;

async function pixelSize(blob: Blob, bytes?: Uint8Array): Promise<{ width: number; height: number }> {
  const head = bytes ?? new Uint8Array(await blob.slice(0, HEADER_BYTES).arrayBuffer());
  const kind = identify(head);
  if (kind?.accepted) {
    const h = readHeader(kind.mime, head, head.length >= blob.size);
    if (h.ok) return { width: h.width, height: h.height };
  }
  const full = await createImageBitmap(blob);
  const size = { width: full.width, height: full.height };
  full.close();
  return size;
}

/**
 * `bytes`, when the caller already read them (to hash), saves a second read. `decoded`: the same image already
 * decoded for display (a streamed final image, see images/progressive.ts); scaling it down needs no second decode
 * of a multi-MB PNG. Used only when its size matches; if it cannot be used (closed meanwhile), the Blob is decoded.
 */
export async function makeThumbnail(
  blob: Blob,
  bytes?: Uint8Array,
  decoded?: Promise<DecodedPicture | null>,
): Promise<Thumbnail> {
  // The picture decoded for display is this image: its size needs no read of the Blob (a Blob made in the stream
  // worker costs a round trip to the browser to read, even its first bytes).
  const shown = decoded ? await decoded.catch(() => null) : null;
  const { width, height } =
    shown && shown.width > 0 && shown.height > 0
      ? { width: shown.width, height: shown.height }
      : await pixelSize(blob, bytes);
  const scale = Math.min(1, THUMB_EDGE / Math.max(width, height));
  const tw = Math.max(1, Math.round(width * scale));
  const th = Math.max(1, Math.round(height * scale));
  const resize = { resizeWidth: tw, resizeHeight: th, resizeQuality: 'medium' } as const;
  try {
    const picture = shown?.picture;
    mark('atelier:thumb-picture');
    // The display picture may be a preview smaller than the image (png-preview.ts): fine while it is at least
    // the thumbnail's size. A picture closed meanwhile reads as 0 × 0: the Blob is decoded then.
    const fromPicture =
      picture && picture.width >= tw && picture.height >= th
        ? await createImageBitmap(picture, resize).catch(() => null)
        : null;
    const small = fromPicture ?? (await createImageBitmap(blob, resize));
    mark('atelier:thumb-scaled');
    try {
      const canvas = new OffscreenCanvas(tw, th);
      canvas.getContext('2d')!.drawImage(small, 0, 0);
      const out = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
      mark('atelier:thumb-encoded');
      return { width, height, thumb: { blob: out, width: tw, height: th } };
    } finally {
      small.close();
    }
  } catch {
    return { width, height, thumb: null };
  }
}
