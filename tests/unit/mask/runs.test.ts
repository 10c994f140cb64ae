import sharp from 'sharp';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { maskRowsFromStrokes, pngFromZlib } from '../../../src/lib/mask/png';
import { canonicalCodes, maskRunsFromAlpha } from '../../../src/lib/mask/runs';

/** A w × h alpha plane from f(x, y), and the same as an RGBA strokes layer (for the reference encoder). */
function plane(w: number, h: number, f: (x: number, y: number) => number) {
  const alpha = new Uint8Array(w * h);
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const a = f(x, y);
      alpha[y * w + x] = a;
      rgba[(y * w + x) * 4] = 255;
      rgba[(y * w + x) * 4 + 3] = a;
    }
  return { alpha, strokes: { width: w, height: h, data: rgba } };
}

/** Inflates the stream (zlib checks the Adler-32) and compares it with the rows the reference builds. */
function sameAsReference(w: number, h: number, f: (x: number, y: number) => number) {
  const { alpha, strokes } = plane(w, h, f);
  const runs = maskRunsFromAlpha(alpha, w, h)!;
  expect(runs).not.toBeNull();
  const reference = maskRowsFromStrokes(strokes);
  expect(Buffer.compare(inflateSync(runs.zlib), Buffer.from(reference.rows))).toBe(0);
  expect(runs.transparent).toBe(reference.transparent);
  return runs;
}

describe('mask runs → zlib', () => {
  it('gives canonical Huffman codes, bit-reversed (RFC 1951 §3.2.2 example)', () => {
    // Lengths (3, 3, 3, 3, 3, 2, 4, 4) → codes 010 011 100 101 110 00 1110 1111, reversed for LSB-first.
    const rev = (code: number, len: number) =>
      parseInt([...code.toString(2).padStart(len, '0')].reverse().join(''), 2);
    expect([...canonicalCodes([3, 3, 3, 3, 3, 2, 4, 4])]).toEqual([
      rev(0b010, 3),
      rev(0b011, 3),
      rev(0b100, 3),
      rev(0b101, 3),
      rev(0b110, 3),
      rev(0b00, 2),
      rev(0b1110, 4),
      rev(0b1111, 4),
    ]);
  });

  it('inflates to exactly the PNG rows of the thresholded mask: painted ≥ 128 → 0, else 255', () => {
    const runs = sameAsReference(7, 3, (x) => (x === 2 ? 255 : x === 3 ? 127 : x === 4 ? 128 : 0));
    expect(runs.transparent).toBe(6);
  });

  it('handles every run length around deflate’s 258-byte copy limit, across rows', () => {
    // Runs of 1…200 pixels (4…800 bytes), alternating paint, on rows of odd widths.
    const lengths = Array.from({ length: 200 }, (_, i) => i + 1);
    const starts: number[] = [];
    let total = 0;
    for (const l of lengths) starts.push((total += l));
    const at = (i: number) => starts.findIndex((s) => s > i) % 2 === 0;
    for (const w of [61, 64, 65, 997])
      sameAsReference(w, Math.ceil(total / w), (x, y) => (at(y * w + x) ? 255 : 0));
  });

  it('handles blank, full and single-pixel masks, and long runs over many rows', () => {
    for (const [w, h] of [
      [1, 1],
      [3, 1],
      [1, 300],
      [640, 480],
    ] as const) {
      expect(sameAsReference(w, h, () => 0).transparent).toBe(0);
      expect(sameAsReference(w, h, () => 255).transparent).toBe(w * h);
    }
    sameAsReference(300, 200, (x, y) => (y >= 50 && y < 150 ? 200 : x < 10 ? 255 : 0));
  });

  it('makes a PNG that an independent decoder reads as RGBA of the right size, alpha 0 or 255', async () => {
    const w = 257;
    const h = 33;
    const { alpha } = plane(w, h, (x, y) => ((x - 128) ** 2 + (y - 16) ** 2 < 200 ? 255 : 0));
    const runs = maskRunsFromAlpha(alpha, w, h)!;
    const img = sharp(Buffer.concat(pngFromZlib(w, h, runs.zlib)));
    const meta = await img.metadata();
    expect([meta.format, meta.width, meta.height, meta.channels, meta.hasAlpha]).toEqual([
      'png',
      w,
      h,
      4,
      true,
    ]);
    const { data } = await img.raw().toBuffer({ resolveWithObject: true });
    let zero = 0;
    for (let i = 0; i < w * h; i++) {
      const a = data[i * 4 + 3]!;
      expect(a === 0 || a === 255).toBe(true);
      expect(data[i * 4]).toBe(a); // colour follows alpha
      if (a === 0) zero++;
    }
    expect(zero).toBe(runs.transparent);
    expect(zero).toBeGreaterThan(500);
  });

  it('is smaller than zlib’s default level for a stroke-like mask (4K, four thick strokes)', () => {
    const w = 3840;
    const h = 2160;
    const f = (x: number, y: number) => (Math.floor((y / h) * 8) % 2 === 1 && x > 200 && x < 3600 ? 255 : 0);
    const runs = sameAsReference(w, h, f);
    const zlib = deflateSync(maskRowsFromStrokes(plane(w, h, f).strokes).rows);
    expect(runs.zlib.length).toBeLessThan(zlib.length);
  });

  it('gives up (null) on a mask fragmented into tiny runs, where plain zlib does better', () => {
    const { alpha } = plane(400, 300, (x, y) => ((x + y) % 2 ? 255 : 0));
    expect(maskRunsFromAlpha(alpha, 400, 300)).toBeNull();
  });

  it('refuses an alpha plane of the wrong size', () => {
    expect(() => maskRunsFromAlpha(new Uint8Array(10), 4, 3)).toThrow(/10 pixels, not 4 × 3/);
  });
});
