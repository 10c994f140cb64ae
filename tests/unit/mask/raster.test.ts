import { describe, expect, it } from 'vitest';
import { copyAlpha, pixelBox, unionBox } from '../../../src/lib/mask/raster';

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
});
