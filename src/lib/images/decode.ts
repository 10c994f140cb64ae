/** Browser-only image steps: the decode check (with a small thumbnail), PNG conversion, squaring. */
import type { Decoded } from './intake';
import { centredSquare, SQUARE_EDGES } from './square';

const THUMB_EDGE = 256;

/**
 * Decodes the whole image (createImageBitmap rejects damaged files) and draws a thumbnail at most
 * 256 px on its long edge, so the source strip never keeps full-size decodes of 40-megapixel photos.
 */
export async function decodeWithThumbnail(blob: Blob): Promise<Decoded> {
  const bitmap = await createImageBitmap(blob);
  try {
    const { width, height } = bitmap;
    const scale = Math.min(1, THUMB_EDGE / Math.max(width, height));
    const tw = Math.max(1, Math.round(width * scale));
    const th = Math.max(1, Math.round(height * scale));
    let thumbnail: Blob | undefined;
    try {
      const canvas = new OffscreenCanvas(tw, th);
      const ctx = canvas.getContext('2d')!;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, 0, 0, tw, th);
      thumbnail = await canvas.convertToBlob({ type: 'image/png' });
    } catch {
      thumbnail = undefined; // the full image serves as its own preview
    }
    return { width, height, thumbnail };
  } finally {
    bitmap.close();
  }
}

/** Re-encodes an image as PNG (the API wants the masked image and its mask in the same format). */
export async function convertToPng(blob: Blob): Promise<Blob> {
  if (blob.type === 'image/png') return blob;
  const bitmap = await createImageBitmap(blob);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    bitmap.close();
  }
}

/**
 * The centred square of an image as a PNG under `maxBytes`, at most 1024 px a side (scaled down further
 * until it fits): what DALL·E 2 variations accept.
 */
export async function toSquarePng(
  blob: Blob,
  maxBytes: number,
): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob);
  try {
    for (const max of SQUARE_EDGES) {
      const { sx, sy, side, edge } = centredSquare(bitmap.width, bitmap.height, max);
      const canvas = new OffscreenCanvas(edge, edge);
      const ctx = canvas.getContext('2d')!;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, sx, sy, side, side, 0, 0, edge, edge);
      const png = await canvas.convertToBlob({ type: 'image/png' });
      if (png.size < maxBytes) return { blob: png, width: edge, height: edge };
    }
    throw new Error('Even at 256 × 256 the PNG is too large.');
  } finally {
    bitmap.close();
  }
}
