import { describe, expect, it } from 'vitest';
import {
  centredSquare,
  paddingRects,
  squaredName,
  squaredNotice,
  squarePlan,
} from '../../../src/lib/images/square';

describe('centredSquare', () => {
  it('takes the centre of a landscape image and keeps small images at their size', () => {
    expect(centredSquare(640, 480)).toEqual({ sx: 80, sy: 0, side: 480, edge: 480 });
  });
  it('takes the centre of a portrait image and scales a large one down to 1024', () => {
    expect(centredSquare(3000, 4001)).toEqual({ sx: 0, sy: 500, side: 3000, edge: 1024 });
  });
  it('honours a smaller limit, and a square stays whole', () => {
    expect(centredSquare(2048, 2048, 512)).toEqual({ sx: 0, sy: 0, side: 2048, edge: 512 });
  });
  it('refuses a size that is not an image', () => {
    expect(() => centredSquare(0, 10)).toThrow(RangeError);
  });
});

describe('squarePlan', () => {
  it('crop: the centred square fills the output', () => {
    expect(squarePlan(640, 480, 'crop')).toEqual({
      mode: 'crop',
      ...{ sx: 80, sy: 0, sw: 480, sh: 480 },
      ...{ dx: 0, dy: 0, dw: 480, dh: 480 },
      edge: 480,
    });
  });

  it.each([
    // width, height, max → where the whole image lands in the square
    [300, 200, 1024, { dx: 0, dy: 50, dw: 300, dh: 200, edge: 300 }],
    [200, 300, 1024, { dx: 50, dy: 0, dw: 200, dh: 300, edge: 300 }],
    [4032, 3024, 1024, { dx: 0, dy: 128, dw: 1024, dh: 768, edge: 1024 }],
    [3000, 1001, 512, { dx: 0, dy: 170, dw: 512, dh: 171, edge: 512 }],
    [301, 200, 1024, { dx: 0, dy: 50, dw: 301, dh: 200, edge: 301 }],
    [1000, 1, 256, { dx: 0, dy: 127, dw: 256, dh: 1, edge: 256 }],
    [512, 512, 256, { dx: 0, dy: 0, dw: 256, dh: 256, edge: 256 }],
  ])('pad: %i × %i at most %i keeps the whole image centred', (w, h, max, dest) => {
    const p = squarePlan(w, h, 'pad', max);
    expect(p).toEqual({ mode: 'pad', sx: 0, sy: 0, sw: w, sh: h, ...dest });
    // The image and its bands tile the square exactly.
    const area = paddingRects(p).reduce((a, [, , rw, rh]) => a + rw * rh, p.dw * p.dh);
    expect(area).toBe(p.edge * p.edge);
  });

  it('pad: the bands are the strips either side of the image, never empty', () => {
    expect(paddingRects(squarePlan(300, 200, 'pad'))).toEqual([
      [0, 0, 300, 50],
      [0, 250, 300, 50],
    ]);
    expect(paddingRects(squarePlan(200, 301, 'pad'))).toEqual([
      [0, 0, 50, 301],
      [250, 0, 51, 301],
    ]);
    expect(paddingRects(squarePlan(300, 200, 'crop'))).toEqual([]);
  });

  it('refuses a size that is not an image', () => {
    expect(() => squarePlan(10, 0, 'pad')).toThrow(RangeError);
  });
});

describe('what squaring is called and says', () => {
  it('names the copy after the file and the way it was made', () => {
    expect(squaredName('dune.jpg', 'crop')).toBe('dune-square.png');
    expect(squaredName('dune.photo.jpg', 'pad')).toBe('dune.photo-padded.png');
  });

  it('says what became of the image and of its mask', () => {
    const from = { name: 'dune.jpg', width: 300, height: 200 };
    expect(squaredNotice(from, 'dune-square.png', 200, 'crop', 'none')).toBe(
      '“dune.jpg” (300 × 200) is now “dune-square.png”, its centred square as a 200 × 200 PNG. Your file is unchanged.',
    );
    expect(squaredNotice(from, 'dune-padded.png', 300, 'pad', 'squared')).toMatch(
      /all of it, centred on transparent bands .* as a 300 × 300 PNG\. The mask was padded the same way\./,
    );
    expect(squaredNotice(from, 'dune-square.png', 200, 'crop', 'lost')).toMatch(
      /The mask could not be squared with it and was removed; paint it again\./,
    );
  });
});
