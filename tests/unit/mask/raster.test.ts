import { describe, expect, it } from 'vitest';
import { copyAlpha, intersect, pixelBox, tilesOf, unionBox } from '../../../src/lib/mask/raster';

describe('mask raster bookkeeping', () => {
  it('grows a box to whole pixels and clips it to the image', () => {
    expect(pixelBox({ left: 1.5, top: 2.2, width: 3, height: 1 }, 100, 100)).toEqual({
      left: 1,
      top: 2,
      width: 4,
      height: 2,
    });
    expect(pixelBox({ left: -10, top: 90, width: 30, height: 40 }, 100, 100)).toEqual({
      left: 0,
      top: 90,
      width: 20,
      height: 10,
    });
    expect(pixelBox({ left: 120, top: 0, width: 10, height: 10 }, 100, 100)).toBeNull();
    expect(pixelBox({ left: 5, top: 5, width: 0, height: 10 }, 100, 100)).toBeNull();
  });

  it('unites boxes, either of which may be missing', () => {
    const a = { left: 0, top: 10, width: 5, height: 5 };
    const b = { left: 20, top: 0, width: 10, height: 3 };
    expect(unionBox(a, b)).toEqual({ left: 0, top: 0, width: 30, height: 15 });
    expect(unionBox(null, b)).toEqual(b);
    expect(unionBox(a, null)).toEqual(a);
    expect(unionBox(null, null)).toBeNull();
  });

  it('copies the alpha of a box’s RGBA pixels into place, leaving the rest alone', () => {
    const width = 5;
    const alpha = new Uint8Array(5 * 4).fill(7);
    const box = { left: 1, top: 1, width: 3, height: 2 };
    const rgba = new Uint8ClampedArray(3 * 2 * 4);
    for (let i = 0; i < 6; i++) {
      rgba[i * 4] = 99;
      rgba[i * 4 + 3] = 10 + i;
    }
    copyAlpha(rgba, box, alpha, width);
    expect([...alpha]).toEqual([
      7,
      7,
      7,
      7,
      7, //
      7,
      10,
      11,
      12,
      7,
      7,
      13,
      14,
      15,
      7,
      7,
      7,
      7,
      7,
      7,
    ]);
  });

  it('lists the tiles a box reaches, row by row, and only those', () => {
    // 10 columns of 4-pixel tiles.
    expect(tilesOf({ left: 0, top: 0, width: 4, height: 4 }, 10, 4)).toEqual([0]);
    expect(tilesOf({ left: 3, top: 3, width: 2, height: 2 }, 10, 4)).toEqual([0, 1, 10, 11]);
    expect(tilesOf({ left: 4, top: 8, width: 9, height: 1 }, 10, 4)).toEqual([21, 22, 23]);
    expect(tilesOf({ left: 39, top: 0, width: 1, height: 5 }, 10, 4)).toEqual([9, 19]);
  });

  it('intersects boxes, null when they only touch or are apart', () => {
    const a = { left: 0, top: 0, width: 10, height: 10 };
    expect(intersect(a, { left: 5, top: -5, width: 10, height: 8 })).toEqual({
      left: 5,
      top: 0,
      width: 5,
      height: 3,
    });
    expect(intersect(a, { left: 10, top: 0, width: 5, height: 5 })).toBeNull();
    expect(intersect(a, { left: 20, top: 20, width: 5, height: 5 })).toBeNull();
  });
});
