/**
 * "Keep everything outside the mask" in the browser: the original's pixels go back over the result wherever
 * the mask keeps them (weighted by a feathered edge); and the heat map of what an edit changed outside the mask.
 * Decoding and encoding are the only DOM steps; the arithmetic is compositeOutside (alpha.ts) and
 * changesOutsideMask (heatmap.ts).
 */
import { compositeOutside, type MaskPixels } from './alpha';
import { changesOutsideMask, type ChangeStats } from './heatmap';

/** Draws a bitmap into a w × h canvas, scaled to cover it (centre crop when the shapes differ), and reads it. */
function pixelsOf(bitmap: ImageBitmap, w: number, h: number): ImageData {
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const scale = Math.max(w / bitmap.width, h / bitmap.height);
  const sw = w / scale;
  const sh = h / scale;
  ctx.drawImage(bitmap, (bitmap.width - sw) / 2, (bitmap.height - sh) / 2, sw, sh, 0, 0, w, h);
  return ctx.getImageData(0, 0, w, h);
}

/** Decodes the three images at the result's size (the original and mask scaled to cover it). */
async function decodeTrio(
  original: Blob,
  result: Blob,
  mask: Blob,
): Promise<{ o: ImageData; r: ImageData; m: ImageData; w: number; h: number }> {
  const [r, o, m] = await Promise.all([
    createImageBitmap(result),
    createImageBitmap(original),
    createImageBitmap(mask, { premultiplyAlpha: 'none' }),
  ]);
  try {
    const w = r.width;
    const h = r.height;
    return { o: pixelsOf(o, w, h), r: pixelsOf(r, w, h), m: pixelsOf(m, w, h), w, h };
  } finally {
    r.close();
    o.close();
    m.close();
  }
}

async function encodePng(px: MaskPixels): Promise<Blob> {
  const canvas = new OffscreenCanvas(px.width, px.height);
  canvas.getContext('2d')!.putImageData(new ImageData(px.data, px.width, px.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** The heat map of what `result` changed outside the mask (see heatmap.ts), as PNG, with its numbers. */
export async function heatmapOutsideMask(
  original: Blob,
  result: Blob,
  mask: Blob,
): Promise<{ blob: Blob; stats: ChangeStats }> {
  const { o, r, m } = await decodeTrio(original, result, mask);
  const map = changesOutsideMask(o, r, m);
  return { blob: await encodePng(map.pixels), stats: map.stats };
}

/**
 * The result with the original put back outside the mask, as PNG. When the original has the result's size the
 * kept pixels are the original's, byte for byte; otherwise the original is scaled to cover the result first.
 */
export async function keepOutsideMask(original: Blob, result: Blob, mask: Blob): Promise<Blob> {
  const { o, r, m } = await decodeTrio(original, result, mask);
  return encodePng(compositeOutside(o, r, m));
}
