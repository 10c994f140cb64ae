import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { featherMask } from '../../../src/lib/mask/alpha';
import {
  crc32,
  encodeMaskPng,
  maskRowsFromMask,
  maskRowsFromStrokes,
  pngFromZlib,
} from '../../../src/lib/mask/png';

/** w × h strokes layer: alpha from f(x, y), paint colour irrelevant. */
function strokes(w: number, h: number, f: (x: number, y: number) => number) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      data[(y * w + x) * 4] = 255;
      data[(y * w + x) * 4 + 3] = f(x, y);
    }
  return { width: w, height: h, data };
}

async function decode(blob: Blob) {
  const img = sharp(Buffer.from(await blob.arrayBuffer()));
  const meta = await img.metadata();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  // sharp decodes to RGBA: alpha of pixel i, and its red (= alpha).
  const c = info.channels;
  return { meta, data, alpha: (i: number) => data[i * c + c - 1]!, grey: (i: number) => data[i * c]! };
}

describe('mask PNG encoder', () => {
  it('crc32 matches the PNG reference value', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes an RGBA PNG of exactly the strokes’ size: painted ≥ threshold → alpha 0, else 255', async () => {
    // 7 × 3, odd width on purpose; column 2 painted fully, column 3 at 127 (below), column 4 at 128 (at).
    const s = strokes(7, 3, (x) => (x === 2 ? 255 : x === 3 ? 127 : x === 4 ? 128 : 0));
    const rows = maskRowsFromStrokes(s);
    expect(rows).toMatchObject({ width: 7, height: 3, transparent: 6, opaque: 15 });
    expect(rows.editFraction).toBeCloseTo(6 / 21);
    const { meta, alpha, grey } = await decode(await encodeMaskPng(rows));
    expect([meta.format, meta.width, meta.height, meta.channels, meta.hasAlpha]).toEqual([
      'png',
      7,
      3,
      4,
      true,
    ]);
    for (const y of [0, 1, 2]) {
      const a = Array.from({ length: 7 }, (_, x) => alpha(y * 7 + x));
      expect(a).toEqual([255, 255, 0, 255, 0, 255, 255]);
      // Colour follows alpha: black where edited, white where kept.
      expect(Array.from({ length: 7 }, (_, x) => grey(y * 7 + x))).toEqual(a);
    }
  });

  it('keeps a feathered mask’s partial alpha', async () => {
    const hard = maskRowsFromStrokes(strokes(40, 10, (x) => (x < 20 ? 255 : 0)));
    expect(hard.transparent + hard.opaque).toBe(400);
    const soft = featherMask(
      { width: 40, height: 10, data: strokes(40, 10, (x) => (x < 20 ? 0 : 255)).data },
      6,
    );
    const rows = maskRowsFromMask(soft);
    expect(rows.transparent + rows.opaque).toBeLessThan(400);
    const { alpha } = await decode(await encodeMaskPng(rows));
    const row0 = Array.from({ length: 40 }, (_, x) => alpha(x));
    expect(row0[0]).toBe(0);
    expect(row0[39]).toBe(255);
    expect(row0.some((a) => a > 0 && a < 255)).toBe(true);
    expect(row0).toEqual([...row0].sort((a, b) => a - b)); // a ramp from edit to keep
  });

  it('assembles valid chunks around any zlib stream (here Node’s own deflate)', async () => {
    const rows = maskRowsFromStrokes(strokes(5, 5, (x, y) => (x === y ? 255 : 0)));
    const file = new Blob(pngFromZlib(5, 5, deflateSync(rows.rows)));
    const { alpha } = await decode(file);
    for (let i = 0; i < 5; i++) expect(alpha(i * 5 + i)).toBe(0);
    expect(alpha(1)).toBe(255);
  });

  it('uses an injected deflate when given one', async () => {
    const rows = maskRowsFromStrokes(strokes(3, 2, () => 0));
    const seen: number[] = [];
    await encodeMaskPng(rows, async (d) => {
      seen.push(d.length);
      return deflateSync(d);
    });
    expect(seen).toEqual([2 * (1 + 3 * 4)]); // two rows: a filter byte and 3 RGBA pixels each
  });
});
