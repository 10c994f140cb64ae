import { describe, expect, it } from 'vitest';
import { centredSquare } from '../../../src/lib/images/square';

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
