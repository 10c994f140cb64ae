import { describe, expect, it } from 'vitest';
import { changesOutsideMask, describeChanges, heatColour } from '../../../src/lib/mask/heatmap';

/** w × h RGBA filled by f(x, y) → [r, g, b, a]. */
function px(w: number, h: number, f: (x: number, y: number) => number[]) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}

// A 4×2 image; the mask edits the left column (alpha 0), keeps the rest (255), and one feathered pixel (128).
const original = px(4, 2, (x, y) => [10 * x, 20 * y, 100, 255]);
const mask = px(4, 2, (x, y) =>
  x === 0 ? [0, 0, 0, 0] : x === 1 && y === 0 ? [128, 128, 128, 128] : [255, 255, 255, 255],
);

describe('changesOutsideMask', () => {
  it('counts only pixels fully outside the mask, by their largest channel difference', () => {
    const result = px(4, 2, (x, y) => {
      const [r, g, b] = [10 * x, 20 * y, 100];
      if (x === 0) return [255, 255, 255, 255]; // inside: any change is allowed
      if (x === 1 && y === 0) return [0, 0, 0, 255]; // feathered edge: allowed
      if (x === 2 && y === 1) return [r, g + 1, b - 3, 255]; // outside, off by 3
      if (x === 3 && y === 0) return [r + 200, g, b, 255]; // outside, off by 200
      return [r, g, b, 255];
    });
    const { stats, pixels } = changesOutsideMask(original, result, mask);
    expect(stats).toEqual({ outside: 5, changed: 2, maxDelta: 200, meanDelta: 101.5 });
    const at = (x: number, y: number) => Array.from(pixels.data.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    expect(at(3, 0).slice(0, 3)).toEqual(heatColour(200));
    expect(at(2, 1).slice(0, 3)).toEqual(heatColour(3));
    // Unchanged outside pixels are grey (r = g = b), the inside is tinted blue; everything is opaque.
    const [r, g, b] = at(2, 0);
    expect(r === g && g === b).toBe(true);
    const inside = at(0, 0);
    expect(inside[2]).toBeGreaterThan(inside[0]!);
    expect(pixels.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it('finds nothing when the result equals the original outside the mask (what "keep outside" guarantees)', () => {
    const result = px(4, 2, (x, y) => (x === 0 ? [1, 2, 3, 255] : [10 * x, 20 * y, 100, 255]));
    const { stats } = changesOutsideMask(original, result, mask);
    expect(stats).toEqual({ outside: 5, changed: 0, maxDelta: 0, meanDelta: 0 });
    expect(describeChanges(stats)).toMatch(/Nothing changed outside the mask/);
  });

  it('ignores differences up to the threshold', () => {
    const result = px(4, 2, (x, y) => [10 * x + 2, 20 * y, 100, 255]);
    expect(changesOutsideMask(original, result, mask, 2).stats.changed).toBe(0);
    expect(changesOutsideMask(original, result, mask, 1).stats.changed).toBe(5);
  });

  it('refuses images of different sizes', () => {
    expect(() =>
      changesOutsideMask(
        px(2, 2, () => [0, 0, 0, 255]),
        original,
        mask,
      ),
    ).toThrow(/Sizes differ/);
  });
});

describe('heatColour and describeChanges', () => {
  it('makes a one-level drift visible and a large change brighter', () => {
    const small = heatColour(1);
    const big = heatColour(255);
    expect(small[0]).toBeGreaterThanOrEqual(140);
    expect(big).toEqual([255, 255, 255]);
    expect(big[1]).toBeGreaterThan(heatColour(40)[1]);
  });

  it('says how much of the outside changed', () => {
    expect(describeChanges({ outside: 1000, changed: 250, maxDelta: 2, meanDelta: 1.5 })).toBe(
      '25% of the pixels outside the mask changed (largest difference 2 of 255, average 1.5).',
    );
    expect(describeChanges({ outside: 0, changed: 0, maxDelta: 0, meanDelta: 0 })).toMatch(/no outside/);
  });
});
