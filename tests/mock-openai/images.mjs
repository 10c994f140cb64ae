// Image bytes for the mock server, made with sharp.
//
// Every image is a soft diagonal gradient with a glow and gentle waves, plus coloured noise so
// that a 1024x1024 PNG weighs about as much as a real one (a few MB of base64). The palette comes
// from a hash of the prompt, so different prompts give visibly different images. Partial images
// are the final image downscaled and scaled back up, coarser for earlier partials, so a viewer
// sees the picture "sharpen". Encoded results are kept in a small LRU cache.

import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** Amplitude (+/-) of the per-channel noise added to opaque images. */
const NOISE = 10;
/** Noise for GIF frames: none, quantising noise (and dithering) doubles the encode time. */
const GIF_NOISE = 0;

/**
 * @typedef {object} RenderOptions
 * @property {number} width
 * @property {number} height
 * @property {'png' | 'jpeg' | 'webp' | 'gif'} format
 * @property {string} prompt
 * @property {'transparent' | 'opaque'} [background]
 * @property {number | null} [compression] output_compression 0-100 (jpeg/webp), default 100
 * @property {number} [frames] GIF frame count
 * @property {number} [frameDurationMs] GIF frame duration
 * @property {number} [partialIndex] 0-based index of a partial image; omit for the final image
 * @property {number} [partialCount] how many partials the stream has (sets how coarse each one is)
 */

/** @param {string} text */
export function promptHash(text) {
  return createHash('sha256').update(text).digest();
}

/**
 * HSL (h in degrees, s/l in 0..1) to an [r, g, b] triple in 0..255.
 * @param {number} h @param {number} s @param {number} l
 * @returns {[number, number, number]}
 */
function hsl(h, s, l) {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] =
    hp < 1
      ? [c, x, 0]
      : hp < 2
        ? [x, c, 0]
        : hp < 3
          ? [0, c, x]
          : hp < 4
            ? [0, x, c]
            : hp < 5
              ? [x, 0, c]
              : [c, 0, x];
  const m = l - c / 2;
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

/**
 * Paint one frame as raw pixels.
 * @param {number} width @param {number} height @param {Buffer} hash
 * @param {{ channels: 3 | 4, frame?: number, frames?: number, noise?: number }} opts
 */
function paint(width, height, hash, { channels, frame = 0, frames = 1, noise = NOISE }) {
  const phase = frames > 1 ? frame / frames : 0;
  const hue = (hash.readUInt16BE(0) % 360) + phase * 40;
  const c0 = hsl(hue, 0.65, 0.32);
  const c1 = hsl(hue + 50 + (hash[2] % 90), 0.7, 0.62);
  const glow = hsl(hue + 180 + (hash[3] % 60), 0.9, 0.7);
  const angle = (hash[4] / 255) * Math.PI * 2;
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const span = Math.abs(ca) * width + Math.abs(sa) * height;
  const offset = Math.min(0, ca * width) + Math.min(0, sa * height);
  // Glow centre; in a GIF it circles around its home position.
  const orbit = 0.12 * Math.min(width, height);
  const gx =
    (0.25 + (hash[5] / 255) * 0.5) * width + Math.cos(phase * Math.PI * 2) * orbit * (frames > 1 ? 1 : 0);
  const gy =
    (0.25 + (hash[6] / 255) * 0.5) * height + Math.sin(phase * Math.PI * 2) * orbit * (frames > 1 ? 1 : 0);
  const gr2 = (0.38 * Math.min(width, height)) ** 2;
  // Waves: sin(fx*x + fy*y + p) = sin(fx*x) cos(fy*y + p) + cos(fx*x) sin(fy*y + p), tables per axis.
  const fx = (2 + (hash[7] % 6)) / width;
  const fy = (2 + (hash[8] % 6)) / height;
  const sx = new Float32Array(width);
  const cx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    sx[x] = Math.sin(fx * x * Math.PI * 2);
    cx[x] = Math.cos(fx * x * Math.PI * 2);
  }
  const out = Buffer.allocUnsafe(width * height * channels);
  let seed = hash.readUInt32BE(9) | 1;
  const amp = noise / 32;
  const rx = width * 0.46;
  const ry = height * 0.46;
  let i = 0;
  for (let y = 0; y < height; y++) {
    const wy = fy * y * Math.PI * 2 + phase * Math.PI * 2;
    const sy = Math.sin(wy);
    const cy = Math.cos(wy);
    const dy2 = (y - gy) ** 2;
    const ny = Math.abs(y - height / 2) / ry;
    const ny4 = ny ** 4;
    for (let x = 0; x < width; x++) {
      const t = (ca * x + sa * y - offset) / span;
      const wave = 14 * (sx[x] * cy + cx[x] * sy);
      const d = 1 - ((x - gx) ** 2 + dy2) / gr2;
      const g = d > 0 ? d * d * 0.75 : 0;
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const n0 = ((seed & 63) - 32) * amp;
      const n1 = (((seed >>> 8) & 63) - 32) * amp;
      const n2 = (((seed >>> 16) & 63) - 32) * amp;
      out[i] = clamp(c0[0] + (c1[0] - c0[0]) * t + (glow[0] - c0[0]) * g + wave + n0);
      out[i + 1] = clamp(c0[1] + (c1[1] - c0[1]) * t + (glow[1] - c0[1]) * g + wave + n1);
      out[i + 2] = clamp(c0[2] + (c1[2] - c0[2]) * t + (glow[2] - c0[2]) * g + wave + n2);
      if (channels === 4) {
        // A soft-edged rounded square ("superellipse"): opaque inside, transparent corners.
        const nx = Math.abs(x - width / 2) / rx;
        const e = 1 - (nx ** 4 + ny4);
        out[i + 3] = e <= 0 ? 0 : e >= 0.15 ? 255 : Math.round((e / 0.15) * 255);
      }
      i += channels;
    }
  }
  drawDiscs(out, width, height, channels, hash, hue, phase);
  return out;
}

/**
 * Blend crisp translucent discs ("bokeh") over the frame, so the picture has edges and detail
 * that partial images visibly lack.
 * @param {Buffer} out @param {number} width @param {number} height @param {number} channels
 * @param {Buffer} hash @param {number} hue @param {number} phase
 */
function drawDiscs(out, width, height, channels, hash, hue, phase) {
  const m = Math.min(width, height);
  for (let k = 0; k < 18; k++) {
    const b0 = hash[(k * 3 + 11) % 32];
    const b1 = hash[(k * 3 + 12) % 32];
    const b2 = hash[(k * 3 + 13) % 32];
    const r = m * (0.02 + ((b2 + k * 37) % 256) / 256 / 10);
    const drift = Math.sin(phase * Math.PI * 2 + k) * m * 0.05;
    const ccx = (((b0 + k * 53) % 256) / 255) * width + drift;
    const ccy = (((b1 + k * 97) % 256) / 255) * height - drift;
    const col = hsl(hue + 120 + k * 47, 0.75, k % 3 === 0 ? 0.85 : 0.55);
    const a = 0.55;
    const x0 = Math.max(0, Math.floor(ccx - r - 1));
    const x1 = Math.min(width - 1, Math.ceil(ccx + r + 1));
    const y0 = Math.max(0, Math.floor(ccy - r - 1));
    const y1 = Math.min(height - 1, Math.ceil(ccy + r + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = r - Math.hypot(x - ccx, y - ccy);
        if (d <= -1) continue;
        // 1px anti-aliased edge, with a brighter rim.
        const cov = (d >= 0 ? 1 : 1 + d) * (d < 3 ? 1 : a);
        const i = (y * width + x) * channels;
        out[i] = out[i] + (col[0] - out[i]) * cov;
        out[i + 1] = out[i + 1] + (col[1] - out[i + 1]) * cov;
        out[i + 2] = out[i + 2] + (col[2] - out[i + 2]) * cov;
      }
    }
  }
}

/** @param {number} v */
function clamp(v) {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Encode raw pixels in the requested format.
 * @param {import('sharp').Sharp} img
 * @param {RenderOptions} o
 */
function encode(img, o) {
  const quality = Math.max(1, Math.min(100, o.compression ?? 100));
  switch (o.format) {
    case 'png':
      return img.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
    case 'jpeg':
      return img.jpeg({ quality }).toBuffer();
    case 'webp':
      return img.webp({ quality, alphaQuality: 100, effort: 2 }).toBuffer();
    case 'gif':
      return img.gif({ effort: 1, dither: 0, loop: 0, delay: o.frameDurationMs ?? 200 }).toBuffer();
    default:
      throw new Error(`unsupported format ${o.format}`);
  }
}

/**
 * How much a partial image is downscaled before being scaled back up.
 * @param {number} index @param {number} count
 */
export function partialFactor(index, count) {
  const t = (index + 1) / (count + 1);
  return Math.max(3, Math.round(3 + 90 * (1 - t) ** 2));
}

/**
 * Render image bytes (uncached).
 * @param {RenderOptions} o
 * @returns {Promise<Buffer>}
 */
export async function renderImage(o) {
  const { width, height } = o;
  const hash = promptHash(o.prompt);
  if (o.format === 'gif') {
    const frames = o.frames ?? 9;
    const parts = [];
    for (let f = 0; f < frames; f++)
      parts.push(paint(width, height, hash, { channels: 3, frame: f, frames, noise: GIF_NOISE }));
    const sheet = Buffer.concat(parts);
    const img = sharp(sheet, { raw: { width, height: height * frames, channels: 3, pageHeight: height } });
    return encode(img, o);
  }
  const channels = o.background === 'transparent' && o.format !== 'jpeg' ? 4 : 3;
  const raw = paint(width, height, hash, { channels });
  if (o.partialIndex === undefined) {
    return encode(sharp(raw, { raw: { width, height, channels } }), o);
  }
  const f = partialFactor(o.partialIndex, o.partialCount ?? o.partialIndex + 1);
  const small = await sharp(raw, { raw: { width, height, channels } })
    .resize(Math.max(1, Math.round(width / f)), Math.max(1, Math.round(height / f)), { kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const up = sharp(small.data, {
    raw: {
      width: small.info.width,
      height: small.info.height,
      channels: /** @type {3|4} */ (small.info.channels),
    },
  })
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    // Early partials are also duller, so progress is easy to see.
    .modulate({ saturation: 0.35 + 0.65 * ((o.partialIndex + 1) / ((o.partialCount ?? 1) + 1)) });
  return encode(up, o);
}

// ---------------------------------------------------------------------------------------------
// LRU cache of base64 strings, keyed by every option that changes the bytes.

const MAX_ENTRIES = 64;
const MAX_CHARS = 400 * 1024 * 1024;
/** @type {Map<string, Promise<string>>} */
const cache = new Map();
/** @type {Map<string, number>} */
const sizes = new Map();
let totalChars = 0;

/** @param {RenderOptions} o */
function cacheKey(o) {
  const h = promptHash(o.prompt).toString('hex').slice(0, 16);
  const variant = o.partialIndex === undefined ? 'final' : `p${o.partialIndex}/${o.partialCount}`;
  const extra =
    o.format === 'gif' ? `${o.frames ?? 9}f${o.frameDurationMs ?? 200}ms` : `c${o.compression ?? 100}`;
  return `${o.width}x${o.height}|${o.format}|${h}|${variant}|${o.background ?? 'opaque'}|${extra}`;
}

function evict() {
  for (const key of cache.keys()) {
    if (cache.size <= MAX_ENTRIES && totalChars <= MAX_CHARS) break;
    cache.delete(key);
    totalChars -= sizes.get(key) ?? 0;
    sizes.delete(key);
  }
}

/**
 * Render (or fetch from cache) an image as base64.
 * @param {RenderOptions} o
 * @returns {Promise<string>}
 */
export function renderImageB64(o) {
  const key = cacheKey(o);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const p = renderImage(o).then((buf) => buf.toString('base64'));
  cache.set(key, p);
  p.then(
    (s) => {
      if (cache.get(key) !== p) return;
      sizes.set(key, s.length);
      totalChars += s.length;
      evict();
    },
    () => cache.delete(key),
  );
  evict();
  return p;
}

/** Empty the image cache (used by benchmarks). */
export function clearImageCache() {
  cache.clear();
  sizes.clear();
  totalChars = 0;
}
