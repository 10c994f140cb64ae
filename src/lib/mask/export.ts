/**
 * The mask studio's export: the strokes (the raster's alpha plane, or its RGBA) → the PNG(s) a mask is kept as.
 * No DOM: Blob and CompressionStream only, so it runs in Node too.
 *
 * The API's mask is always binary: alpha 0 where the model may change pixels, 255 elsewhere. A feather does not
 * soften what the API receives; it widens it: every pixel the feathered edge touches (alpha < 255) is sent as
 * alpha 0, so the model regenerates the whole soft zone, and the soft mask itself is kept for "Keep outside the
 * mask", which blends the original back over that zone. The mask as painted (hard, before the feather) is kept
 * too, so reopening the editor starts from exactly what was painted, not from a feathered or widened copy.
 */
import { featherMask, maskFromStrokes, type MaskStats, type Pixels } from './alpha';
import { encodeMaskPng, maskRowsFromMask, maskRowsFromStrokes, pngFromZlib, type MaskRows } from './png';
import { maskRunsFromAlpha } from './runs';

export interface FeatheredMask {
  /** The feather radius, image pixels. */
  radius: number;
  /** The mask with its soft edge (partial alpha): what "Keep outside the mask" composites with. */
  soft: Blob;
  /** The mask as painted, hard-edged (alpha 0 or 255): what the editor reopens. */
  painted: Blob;
}

export interface ExportedMask {
  /** What the API receives: exactly width × height, 8-bit RGBA, alpha 0 (edit) or 255 (keep), nothing else. */
  blob: Blob;
  width: number;
  height: number;
  /** Of `blob`, the mask sent. */
  stats: MaskStats;
  /** With a feather: the soft mask and the mask as painted (null without). */
  feathered: FeatheredMask | null;
  /** Time from the strokes to the PNG Blob(s). */
  ms: number;
}

export interface MaskSource {
  width: number;
  height: number;
  /** The strokes' alpha, one byte a pixel, row by row (painted where ≥ 128). */
  alpha: Uint8Array;
  /** The strokes as RGBA at the image's size (read only when the alpha plane is not enough). */
  strokes: () => Pixels;
}

/** A hard mask, encoded: deflate runs straight from a one-byte plane when they pay, PNG rows and zlib otherwise. */
async function encodeHard(
  plane: Uint8Array,
  width: number,
  height: number,
  rows: () => MaskRows,
): Promise<{ blob: Blob; transparent: number; computed: number }> {
  const runs = maskRunsFromAlpha(plane, width, height);
  if (runs)
    return {
      blob: new Blob(pngFromZlib(width, height, runs.zlib), { type: 'image/png' }),
      transparent: runs.transparent,
      computed: performance.now(),
    };
  const r = rows();
  const computed = performance.now();
  return { blob: await encodeMaskPng(r), transparent: r.transparent, computed };
}

/**
 * The area a feathered mask lets the model change, as a strokes-like plane: 255 wherever the soft mask is
 * below 255 (inside the painted area or on its soft edge), 0 where it keeps the original fully.
 */
export function softZone(soft: Pixels): Uint8Array<ArrayBuffer> {
  const n = soft.width * soft.height;
  const out = new Uint8Array(n);
  const d = soft.data;
  for (let p = 0, i = 3; p < n; p++, i += 4) out[p] = d[i]! < 255 ? 255 : 0;
  return out;
}

/** A one-byte plane (≥ 128 = edit) → the binary mask as RGBA: black alpha 0 to edit, white alpha 255 to keep. */
function maskFromPlane(plane: Uint8Array, width: number, height: number): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0, i = 0; p < plane.length; p++, i += 4) {
    const v = plane[p]! >= 128 ? 0 : 255;
    data[i] = data[i + 1] = data[i + 2] = data[i + 3] = v;
  }
  return { width, height, data };
}

/**
 * User Timing for `npm run bench` and DevTools: where the export's time goes ("alpha" is the pass over the
 * pixels, which for runs also writes the compressed stream; "encode" is what follows). Returns the end.
 */
function measure(started: number, computed: number): number {
  const done = performance.now();
  performance.measure('atelier:mask-export:alpha', { start: started, end: computed });
  performance.measure('atelier:mask-export:encode', { start: computed, end: done });
  return done;
}

function statsOf(pixels: number, transparent: number): MaskStats {
  return {
    pixels,
    transparent,
    opaque: pixels - transparent,
    editFraction: pixels ? transparent / pixels : 0,
  };
}

/**
 * Encodes the mask. Without a feather, one hard PNG. With one (`feather` image pixels), the binary API mask of
 * the painted area grown by its soft edge, the soft mask, and the mask as painted.
 */
export async function exportMask(src: MaskSource, feather = 0): Promise<ExportedMask> {
  const { width, height, alpha } = src;
  const pixels = width * height;
  const started = performance.now();
  const painted = await encodeHard(alpha, width, height, () => maskRowsFromStrokes(src.strokes()));
  if (!(feather > 0)) {
    const done = measure(started, painted.computed);
    const stats = statsOf(pixels, painted.transparent);
    return { blob: painted.blob, width, height, stats, feathered: null, ms: done - started };
  }
  const soft = featherMask(maskFromStrokes(src.strokes()), feather);
  const zone = softZone(soft);
  const computed = performance.now();
  const [api, softBlob] = await Promise.all([
    encodeHard(zone, width, height, () => maskRowsFromMask(maskFromPlane(zone, width, height))),
    encodeMaskPng(maskRowsFromMask(soft)),
  ]);
  const done = measure(started, computed);
  return {
    blob: api.blob,
    width,
    height,
    stats: statsOf(pixels, api.transparent),
    feathered: { radius: feather, soft: softBlob, painted: painted.blob },
    ms: done - started,
  };
}
