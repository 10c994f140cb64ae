/**
 * Browser-only image steps: the decode check (with a small thumbnail), PNG conversion, squaring. Every decode
 * applies the EXIF orientation (`from-image`), as the browser does when it shows the file: what the user sees
 * is what is measured, masked and sent.
 */
import { maskStats } from '../mask/alpha';
import type { Decoded } from './intake';
import { paddingRects, squarePlan, SQUARE_EDGES, type SquareMode, type SquarePlan } from './square';

const THUMB_EDGE = 256;
const UPRIGHT: ImageBitmapOptions = { imageOrientation: 'from-image' };

/**
 * Decodes the whole image (createImageBitmap rejects damaged files) and draws a thumbnail at most
 * 256 px on its long edge, so the source strip never keeps full-size decodes of 40-megapixel photos.
 */
export async function decodeWithThumbnail(blob: Blob): Promise<Decoded> {
  const bitmap = await createImageBitmap(blob, UPRIGHT);
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

/**
 * Re-encodes an image as an upright PNG: the API wants a masked image and its mask in the same format, and a
 * photo stored turned (EXIF orientation) must reach it the way the mask was painted over it.
 */
export async function convertToPng(blob: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(blob, UPRIGHT);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    bitmap.close();
  }
}

export interface SquaredImage {
  blob: Blob;
  width: number;
  height: number;
  /** How it was made (to square a mask the same way). */
  plan: SquarePlan;
}

/**
 * The image as a square PNG under `maxBytes`, at most 1024 px a side (scaled down further until it fits): what
 * DALL·E 2 accepts. `crop` keeps the centred square; `pad` keeps everything, on transparent bands.
 */
export async function toSquarePng(
  blob: Blob,
  maxBytes: number,
  mode: SquareMode = 'crop',
): Promise<SquaredImage> {
  const bitmap = await createImageBitmap(blob, UPRIGHT);
  try {
    for (const max of SQUARE_EDGES) {
      const plan = squarePlan(bitmap.width, bitmap.height, mode, max);
      const canvas = new OffscreenCanvas(plan.edge, plan.edge);
      const ctx = canvas.getContext('2d')!;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, plan.sx, plan.sy, plan.sw, plan.sh, plan.dx, plan.dy, plan.dw, plan.dh);
      const png = await canvas.convertToBlob({ type: 'image/png' });
      if (png.size < maxBytes) return { blob: png, width: plan.edge, height: plan.edge, plan };
    }
    throw new Error('Even at 256 × 256 the PNG is too large.');
  } finally {
    bitmap.close();
  }
}

/**
 * A mask squared exactly as its image was (`plan`): the same pixels cut or scaled to the same place. Padding
 * is kept (opaque): only what the user painted is marked for editing.
 */
export async function squareMask(
  mask: Blob,
  plan: SquarePlan,
): Promise<{ blob: Blob; width: number; height: number; editFraction: number }> {
  const bitmap = await createImageBitmap(mask, { premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(plan.edge, plan.edge);
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, plan.sx, plan.sy, plan.sw, plan.sh, plan.dx, plan.dy, plan.dw, plan.dh);
    ctx.fillStyle = '#fff'; // kept, like the editor's own export
    for (const [x, y, w, h] of paddingRects(plan)) ctx.fillRect(x, y, w, h);
    const pixels = ctx.getImageData(0, 0, plan.edge, plan.edge);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return { blob, width: plan.edge, height: plan.edge, editFraction: maskStats(pixels).editFraction };
  } finally {
    bitmap.close();
  }
}
