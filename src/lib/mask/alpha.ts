/**
 * Masks as pixels, pure over ImageData-like `{width, height, data}` (RGBA, 4 bytes a pixel). The API's rule:
 * fully transparent mask pixels (alpha 0) mark the area to edit, everything else is kept. Atelier's masks are
 * black where edited (alpha 0) and white where kept (alpha 255), so they also read right as a black/white image.
 */

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export interface MaskPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function blank(width: number, height: number): MaskPixels {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** Writes one mask pixel: black with the given alpha when edited, white otherwise (alpha carries the meaning). */
function put(out: Uint8ClampedArray, i: number, alpha: number): void {
  const v = alpha < 128 ? 0 : 255;
  out[i] = v;
  out[i + 1] = v;
  out[i + 2] = v;
  out[i + 3] = alpha;
}

/**
 * The mask from a strokes layer (what the user painted, on transparency): a pixel painted at least
 * `threshold` opaque becomes alpha 0 (edit); every other pixel is opaque (keep). Anti-aliased stroke edges
 * are decided by the threshold, so the result is strictly 0 or 255 (feather afterwards for a soft edge).
 */
export function maskFromStrokes(
  strokes: Pixels,
  threshold = 128,
  /** Write into this array (it may be `strokes.data` itself: each pixel is read before it is written). */
  into?: Uint8ClampedArray<ArrayBuffer>,
): MaskPixels {
  const out = into
    ? { width: strokes.width, height: strokes.height, data: into }
    : blank(strokes.width, strokes.height);
  const src = strokes.data;
  const n = src.length >> 2;
  if (LITTLE_ENDIAN) {
    // One 32-bit write a pixel: 0x00000000 (black, alpha 0) or 0xffffffff (white, opaque).
    const out32 = new Uint32Array(out.data.buffer);
    for (let p = 0, i = 3; p < n; p++, i += 4) out32[p] = src[i]! >= threshold ? 0 : 0xffffffff;
  } else for (let i = 3; i < src.length; i += 4) put(out.data, i - 3, src[i]! >= threshold ? 0 : 255);
  return out;
}

/** Whether any pixel is less than fully opaque (a PNG with "real" alpha). */
export function hasTransparency(img: Pixels): boolean {
  const d = img.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return true;
  return false;
}

/**
 * An imported mask image → a mask. An image with real transparency is used as is (its alpha is the mask);
 * an opaque black-and-white image is converted by luminance, as in OpenAI's guide: black = edit (alpha 0),
 * white = keep (alpha 255), greys in between.
 */
export function maskFromImage(img: Pixels): { mask: MaskPixels; source: 'alpha' | 'luminance' } {
  const out = blank(img.width, img.height);
  const d = img.data;
  if (hasTransparency(img)) {
    for (let i = 0; i < d.length; i += 4) put(out.data, i, d[i + 3]!);
    return { mask: out, source: 'alpha' };
  }
  for (let i = 0; i < d.length; i += 4) {
    // Rec. 709 luma, rounded.
    put(out.data, i, Math.round(0.2126 * d[i]! + 0.7152 * d[i + 1]! + 0.0722 * d[i + 2]!));
  }
  return { mask: out, source: 'luminance' };
}

/** Edit ↔ keep. */
export function invertMask(mask: Pixels): MaskPixels {
  const out = blank(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i += 4) put(out.data, i, 255 - mask.data[i + 3]!);
  return out;
}

/** One separable box-blur pass of radius r over a single-channel plane (in → out), edges clamped. */
function boxBlur(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const tmp = new Float32Array(w * h);
  const span = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + Math.min(w - 1, Math.max(0, k))]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc / span;
      acc += src[row + Math.min(w - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += tmp[Math.min(h - 1, Math.max(0, k)) * w + x]!;
    for (let y = 0; y < h; y++) {
      dst[y * w + x] = acc / span;
      acc += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
}

/**
 * A soft edge: the alpha is blurred with three box passes (close to a Gaussian), so the edit fades over about
 * `radius` pixels each side of an edge. Areas further than that from an edge keep exactly 0 or 255.
 */
export function featherMask(mask: Pixels, radius: number): MaskPixels {
  const { width: w, height: h } = mask;
  // Three passes of radius r reach about 3r pixels each side of an edge.
  const r = Math.max(0, Math.round(radius / 3));
  const a = new Float32Array(w * h);
  for (let i = 0; i < a.length; i++) a[i] = mask.data[i * 4 + 3]!;
  if (r > 0) {
    const b = new Float32Array(w * h);
    boxBlur(a, b, w, h, r);
    boxBlur(b, a, w, h, r);
    boxBlur(a, b, w, h, r);
    a.set(b);
  }
  const out = blank(w, h);
  for (let i = 0; i < a.length; i++) {
    const v = Math.round(a[i]!);
    out.data[i * 4] = v;
    out.data[i * 4 + 1] = v;
    out.data[i * 4 + 2] = v;
    out.data[i * 4 + 3] = v;
  }
  return out;
}

export interface MaskStats {
  pixels: number;
  /** alpha 0: edited. */
  transparent: number;
  /** alpha 255: kept. */
  opaque: number;
  /** Share to be edited, counting partial alpha proportionally (0…1). */
  editFraction: number;
}

export function maskStats(mask: Pixels): MaskStats {
  let transparent = 0;
  let opaque = 0;
  let edit = 0;
  const d = mask.data;
  for (let i = 3; i < d.length; i += 4) {
    const a = d[i]!;
    if (a === 0) transparent++;
    else if (a === 255) opaque++;
    edit += 255 - a;
  }
  const pixels = d.length / 4;
  const editFraction = transparent === pixels ? 1 : opaque === pixels ? 0 : edit / 255 / pixels;
  return { pixels, transparent, opaque, editFraction };
}

/**
 * The strokes layer that shows an existing mask in the editor: edited pixels painted in `rgb` with alpha
 * 255 − mask alpha, kept pixels transparent (the inverse of maskFromStrokes).
 */
export function strokesFromMask(mask: Pixels, rgb: [number, number, number]): MaskPixels {
  const out = blank(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i += 4) {
    out.data[i] = rgb[0];
    out.data[i + 1] = rgb[1];
    out.data[i + 2] = rgb[2];
    out.data[i + 3] = 255 - mask.data[i + 3]!;
  }
  return out;
}

/**
 * "Keep everything outside the mask": the original's pixels over the result wherever the mask keeps them
 * (weighted by the mask's alpha, so a feathered edge blends). All three must have the same size.
 */
export function compositeOutside(original: Pixels, result: Pixels, mask: Pixels): MaskPixels {
  const { width, height } = result;
  for (const p of [original, mask])
    if (p.width !== width || p.height !== height)
      throw new RangeError(`Sizes differ: ${p.width}×${p.height} vs ${width}×${height}`);
  const out = blank(width, height);
  const o = original.data;
  const r = result.data;
  const m = mask.data;
  for (let i = 0; i < r.length; i += 4) {
    const keep = m[i + 3]!;
    if (keep === 255) {
      out.data[i] = o[i]!;
      out.data[i + 1] = o[i + 1]!;
      out.data[i + 2] = o[i + 2]!;
      out.data[i + 3] = o[i + 3]!;
    } else if (keep === 0) {
      out.data[i] = r[i]!;
      out.data[i + 1] = r[i + 1]!;
      out.data[i + 2] = r[i + 2]!;
      out.data[i + 3] = r[i + 3]!;
    } else {
      const k = keep / 255;
      for (let c = 0; c < 4; c++) out.data[i + c] = Math.round(o[i + c]! * k + r[i + c]! * (1 - k));
    }
  }
  return out;
}
