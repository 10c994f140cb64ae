import { describe, expect, it } from 'vitest';
import {
  compositeOutside,
  featherMask,
  hasTransparency,
  invertMask,
  maskFromImage,
  maskFromStrokes,
  maskStats,
  strokesFromMask,
  type Pixels,
} from '../../../src/lib/mask/alpha';

/** An RGBA image from a function of (x, y). */
function image(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): Pixels {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}
const alphaAt = (p: Pixels, x: number, y: number) => p.data[(y * p.width + x) * 4 + 3]!;
const rgbaAt = (p: Pixels, x: number, y: number) => [
  ...p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4),
];

describe('maskFromStrokes', () => {
  // A 6×4 strokes layer: a painted 2×2 square at (1,1), an anti-aliased edge pixel, the rest transparent.
  const strokes = image(6, 4, (x, y) =>
    x >= 1 && x <= 2 && y >= 1 && y <= 2
      ? [255, 0, 0, 255]
      : x === 3 && y === 1
        ? [255, 0, 0, 100]
        : [0, 0, 0, 0],
  );

  it('turns painted pixels to alpha 0 and everything else to 255, at the same size', () => {
    const m = maskFromStrokes(strokes);
    expect([m.width, m.height, m.data.length]).toEqual([6, 4, 6 * 4 * 4]);
    expect(alphaAt(m, 1, 1)).toBe(0);
    expect(alphaAt(m, 2, 2)).toBe(0);
    expect(alphaAt(m, 0, 0)).toBe(255);
    expect(alphaAt(m, 5, 3)).toBe(255);
    expect(alphaAt(m, 3, 1)).toBe(255); // 100 < the default threshold of 128
    expect(alphaAt(maskFromStrokes(strokes, 50), 3, 1)).toBe(0);
    expect(new Set(Array.from({ length: 24 }, (_, i) => m.data[i * 4 + 3]))).toEqual(new Set([0, 255]));
  });

  it('is black where edited and white where kept', () => {
    const m = maskFromStrokes(strokes);
    expect(rgbaAt(m, 1, 1)).toEqual([0, 0, 0, 0]);
    expect(rgbaAt(m, 0, 0)).toEqual([255, 255, 255, 255]);
  });

  it('counts what will be edited', () => {
    expect(maskStats(maskFromStrokes(strokes))).toEqual({
      pixels: 24,
      transparent: 4,
      opaque: 20,
      editFraction: 4 / 24,
    });
    expect(maskStats(maskFromStrokes(image(2, 2, () => [0, 0, 0, 0]))).editFraction).toBe(0);
    expect(maskStats(maskFromStrokes(image(2, 2, () => [9, 9, 9, 255]))).editFraction).toBe(1);
  });
});

describe('maskFromImage (import)', () => {
  it.each([
    ['black', [0, 0, 0], 0],
    ['white', [255, 255, 255], 255],
    ['mid grey', [128, 128, 128], 128],
    ['pure green (bright)', [0, 255, 0], 182],
    ['pure blue (dark)', [0, 0, 255], 18],
  ] as const)('an opaque black/white image: %s becomes alpha by luminance', (_n, rgb, alpha) => {
    const { mask, source } = maskFromImage(image(1, 1, () => [rgb[0], rgb[1], rgb[2], 255]));
    expect(source).toBe('luminance');
    expect(alphaAt(mask, 0, 0)).toBe(alpha);
  });

  it('uses a PNG with real alpha as is, whatever its colours', () => {
    const img = image(3, 1, (x) => [x * 100, 50, 50, [0, 77, 255][x]!]);
    expect(hasTransparency(img)).toBe(true);
    const { mask, source } = maskFromImage(img);
    expect(source).toBe('alpha');
    expect([0, 1, 2].map((x) => alphaAt(mask, x, 0))).toEqual([0, 77, 255]);
  });
});

describe('invertMask', () => {
  it('swaps edit and keep, and twice is identity', () => {
    const m = maskFromStrokes(image(2, 1, (x) => [0, 0, 0, x ? 255 : 0]));
    const inv = invertMask(m);
    expect([alphaAt(inv, 0, 0), alphaAt(inv, 1, 0)]).toEqual([0, 255]);
    expect(invertMask(inv).data).toEqual(m.data);
  });
});

describe('featherMask', () => {
  // 40×1 rows are too thin for a 2-D blur to be interesting: a 40×40 mask, left half edited.
  const hard = maskFromStrokes(image(40, 40, (x) => [0, 0, 0, x < 20 ? 255 : 0]));

  it('softens only near the edge and keeps the size', () => {
    const soft = featherMask(hard, 6);
    expect([soft.width, soft.height]).toEqual([40, 40]);
    expect(alphaAt(soft, 0, 20)).toBe(0); // far inside the edit
    expect(alphaAt(soft, 39, 20)).toBe(255); // far outside
    const row = Array.from({ length: 40 }, (_, x) => alphaAt(soft, x, 20));
    for (let x = 1; x < 40; x++) expect(row[x]!).toBeGreaterThanOrEqual(row[x - 1]!); // monotone ramp
    expect(row[18]!).toBeGreaterThan(0);
    expect(row[21]!).toBeLessThan(255);
    expect(row.filter((a) => a > 0 && a < 255).length).toBeLessThanOrEqual(12);
  });

  it('is the identity for radius 0 and leaves a uniform mask uniform', () => {
    expect(featherMask(hard, 0).data.filter((_, i) => i % 4 === 3)).toEqual(
      hard.data.filter((_, i) => i % 4 === 3),
    );
    const full = featherMask(maskFromStrokes(image(8, 8, () => [0, 0, 0, 255])), 5);
    expect(maskStats(full).transparent).toBe(64);
  });
});

describe('strokesFromMask and compositeOutside', () => {
  it('shows an imported mask as paint and round-trips', () => {
    const m = maskFromStrokes(image(3, 1, (x) => [0, 0, 0, x === 1 ? 255 : 0]));
    const strokes = strokesFromMask(m, [255, 80, 80]);
    expect(rgbaAt(strokes, 1, 0)).toEqual([255, 80, 80, 255]);
    expect(alphaAt(strokes, 0, 0)).toBe(0);
    expect(maskFromStrokes(strokes).data).toEqual(m.data);
  });

  it('keeps the original byte for byte outside the mask and blends on a feathered edge', () => {
    const original = image(3, 1, () => [10, 20, 30, 255]);
    const result = image(3, 1, () => [200, 200, 200, 255]);
    const mask = image(3, 1, (x) => [0, 0, 0, [0, 255, 51][x]!]);
    const out = compositeOutside(original, result, mask);
    expect(rgbaAt(out, 0, 0)).toEqual([200, 200, 200, 255]); // edited: the result
    expect(rgbaAt(out, 1, 0)).toEqual([10, 20, 30, 255]); // kept: the original, exactly
    expect(rgbaAt(out, 2, 0)).toEqual([162, 164, 166, 255]); // 20 % original
    expect(() =>
      compositeOutside(
        image(2, 2, () => [0, 0, 0, 0]),
        result,
        mask,
      ),
    ).toThrow(RangeError);
  });
});

describe('at 3840×2160', () => {
  it('keeps the exact size and every pixel (timing is measured in the browser, not here)', () => {
    const w = 3840;
    const h = 2160;
    const strokes = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
    for (let i = 3; i < strokes.data.length; i += 4 * 7) strokes.data[i] = 255;
    const m = maskFromStrokes(strokes);
    expect([m.width, m.height, m.data.length]).toEqual([w, h, w * h * 4]);
    expect(maskStats(m).transparent).toBe(Math.ceil((w * h) / 7));
  });
});

describe('maskFromStrokes in place', () => {
  it('gives the same mask when writing over the strokes themselves', () => {
    const strokes = image(5, 3, (x, y) => [9, 9, 9, (x + y) % 2 ? 255 : 40]);
    const expected = maskFromStrokes(strokes);
    const copy = { ...strokes, data: new Uint8ClampedArray(strokes.data) };
    const inPlace = maskFromStrokes(copy, 128, copy.data);
    expect(inPlace.data).toBe(copy.data);
    expect(inPlace.data).toEqual(expected.data);
  });
});
