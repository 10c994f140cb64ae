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

/** The thumbnail's size for a `width` × `height` image: THUMB_EDGE on the long edge, never larger. */
export function thumbSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMB_EDGE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * `source` drawn at `width` × `height` on a canvas of that size: synchronous, so the decode worker does it before
 * it transfers its picture to the page (createImageBitmap with a resize took 10–20 ms there, and is async).
 */
export function drawThumb(source: CanvasImageSource, width: number, height: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'medium';
  ctx.drawImage(source, 0, 0, width, height);
  return canvas;
}

/** The thumbnail canvas encoded as the WebP the library keeps. */
export async function encodeThumb(canvas: OffscreenCanvas): Promise<NonNullable<Thumbnail['thumb']>> {
  const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
  return { blob, width: canvas.width, height: canvas.height };
}

/**
 * `picture` (the `width` × `height` image, maybe decoded smaller: a preview, see images/png-preview.ts) drawn at
 * the thumbnail's size; null when it is smaller than that or cannot be drawn (closed meanwhile: 0 × 0).
 */
export function thumbCanvas(
  picture: CanvasImageSource & { width: number; height: number },
  width: number,
  height: number,
): OffscreenCanvas | null {
  const size = thumbSize(width, height);
  if (!(picture.width >= size.width && picture.height >= size.height)) return null;
  try {
    return drawThumb(picture, size.width, size.height);
  } catch {
    return null;
  }
}

/** The thumbnail of a `width` × `height` image from `picture`, the same image decoded; null as for thumbCanvas. */
async function thumbFromPicture(
  picture: ImageBitmap,
  width: number,
  height: number,
): Promise<Thumbnail['thumb']> {
  const canvas = thumbCanvas(picture, width, height);
  return canvas ? encodeThumb(canvas).catch(() => null) : null;
}

/**
 * `bytes`, when the caller already read them (to hash), saves a second read. `decoded`: the same image already
 * decoded for display (a streamed final image, see images/progressive.ts), with the thumbnail made where it was
 * decoded, or from which one is made here without a second decode of a multi-MB PNG. If it cannot be used
 * (closed meanwhile, too small), the Blob is decoded.
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
  const made = shown?.thumb ? await shown.thumb.catch(() => null) : null;
  if (made) {
    mark('atelier:thumb-encoded');
    return { width, height, thumb: made };
  }
  try {
    mark('atelier:thumb-picture');
    // A picture closed meanwhile reads as 0 × 0: the Blob is decoded then.
    const fromPicture = shown ? await thumbFromPicture(shown.picture, width, height) : null;
    if (fromPicture) {
      mark('atelier:thumb-encoded');
      return { width, height, thumb: fromPicture };
    }
    const size = thumbSize(width, height);
    const small = await createImageBitmap(blob, {
      resizeWidth: size.width,
      resizeHeight: size.height,
      resizeQuality: 'medium',
    });
    mark('atelier:thumb-scaled');
    try {
      const thumb = await encodeThumb(drawThumb(small, small.width, small.height));
      mark('atelier:thumb-encoded');
      return { width, height, thumb };
    } finally {
      small.close();
    }
  } catch {
    return { width, height, thumb: null };
  }
}
