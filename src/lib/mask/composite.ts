/**
 * "Keep everything outside the mask" in the browser: the original's pixels go back over the result wherever
 * the mask keeps them (weighted by a feathered edge). Decoding and encoding are the only DOM steps; the
 * arithmetic is compositeOutside (alpha.ts).
 */
import { compositeOutside } from './alpha';

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

/**
 * The result with the original put back outside the mask, as PNG. When the original has the result's size the
 * kept pixels are the original's, byte for byte; otherwise the original is scaled to cover the result first.
 */
export async function keepOutsideMask(original: Blob, result: Blob, mask: Blob): Promise<Blob> {
  const [r, o, m] = await Promise.all([
    createImageBitmap(result),
    createImageBitmap(original),
    createImageBitmap(mask, { premultiplyAlpha: 'none' }),
  ]);
  try {
    const w = r.width;
    const h = r.height;
    const out = compositeOutside(pixelsOf(o, w, h), pixelsOf(r, w, h), pixelsOf(m, w, h));
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d')!.putImageData(new ImageData(out.data, w, h), 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    r.close();
    o.close();
    m.close();
  }
}
