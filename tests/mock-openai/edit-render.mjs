// Result images of the mock's edits and variations, derived from the images the client sent, so a
// before/after view shows something sensible: with a mask, new content (the usual prompt-hashed picture)
// fills the transparent area of the mask and the rest keeps the first image; without a mask the new
// content is blended over the whole first image. Partials are coarser, duller versions, as for generations.

import sharp from 'sharp';
import { partialFactor, renderImage } from './images.mjs';

/**
 * @typedef {object} EditSources
 * @property {Buffer} first the first input image (encoded)
 * @property {Buffer | null} mask the mask (PNG with alpha), if any
 */

/** @param {import('sharp').Sharp} img @param {import('./images.mjs').RenderOptions} o */
function encode(img, o) {
  const quality = Math.max(1, Math.min(100, o.compression ?? 100));
  if (o.format === 'jpeg') return img.jpeg({ quality }).toBuffer();
  if (o.format === 'webp') return img.webp({ quality, alphaQuality: 100, effort: 2 }).toBuffer();
  return img.png({ compressionLevel: 6 }).toBuffer();
}

/** The edited pixels (raw RGB) for one result, shared by its partials. @type {WeakMap<EditSources, Map<string, Promise<Buffer>>>} */
const memo = new WeakMap();

/** @param {import('./images.mjs').RenderOptions} o @param {EditSources} src */
function blended(o, src) {
  let cache = memo.get(src);
  if (!cache) memo.set(src, (cache = new Map()));
  const key = `${o.prompt}|${o.width}x${o.height}`;
  let pr = cache.get(key);
  if (!pr) cache.set(key, (pr = blend(o, src)));
  return pr;
}

/** @param {import('./images.mjs').RenderOptions} o @param {EditSources} src */
async function blend(o, src) {
  const { width, height } = o;
  // Raw pixels throughout (JPEG in between is ten times faster than PNG for the noisy content).
  const [content, base, keep] = await Promise.all([
    renderImage({
      ...o,
      format: 'jpeg',
      compression: 95,
      background: 'opaque',
      partialIndex: undefined,
    }).then((jpg) => sharp(jpg).removeAlpha().raw().toBuffer()),
    sharp(src.first).rotate().resize(width, height, { fit: 'cover' }).removeAlpha().raw().toBuffer(),
    src.mask
      ? sharp(src.mask).ensureAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer()
      : Promise.resolve(null),
  ]);
  // Mask alpha 0 (edit) → the new content; 255 (keep) → the original, give or take 2 levels: like the real
  // model, which treats the mask as guidance and re-renders everything (what "keep outside" repairs).
  // No mask: a blend everywhere.
  const out = Buffer.allocUnsafe(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i++, j += 3) {
    const a = keep ? (255 - /** @type {number} */ (keep[i * 4 + 3])) / 255 : 0.45;
    const drift = ((i * 7) % 5) - 2;
    for (let c = 0; c < 3; c++) {
      const v = /** @type {number} */ (base[j + c]) * (1 - a) + /** @type {number} */ (content[j + c]) * a;
      out[j + c] = Math.max(0, Math.min(255, Math.round(v) + drift));
    }
  }
  return out;
}

/**
 * Render one edit result (or partial) as encoded bytes.
 * @param {import('./images.mjs').RenderOptions} o @param {EditSources} src
 * @returns {Promise<Buffer>}
 */
export async function renderEdit(o, src) {
  if (o.format === 'gif') return renderImage(o);
  const { width, height } = o;
  const out = await blended(o, src);
  let img = sharp(out, { raw: { width, height, channels: 3 } });
  if (o.background === 'transparent' && o.format !== 'jpeg') img = img.ensureAlpha(1);
  if (o.partialIndex === undefined) return encode(img, o);
  const f = partialFactor(o.partialIndex, o.partialCount ?? o.partialIndex + 1);
  const small = await sharp(out, { raw: { width, height, channels: 3 } })
    .resize(Math.max(1, Math.round(width / f)), Math.max(1, Math.round(height / f)))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const up = sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .modulate({ saturation: 0.35 + 0.65 * ((o.partialIndex + 1) / ((o.partialCount ?? 1) + 1)) });
  return encode(up, o);
}

/**
 * A variation: the source, square, at the requested size, with the hue turned per index.
 * @param {Buffer} source @param {number} edge @param {number} index
 */
export async function renderVariation(source, edge, index) {
  return sharp(source)
    .resize(edge, edge, { fit: 'cover' })
    .modulate({ hue: 40 + index * 67, saturation: 1.1 })
    .png()
    .toBuffer();
}
