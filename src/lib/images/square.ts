/** Squaring an image for DALL·E 2 variations: which part to keep and how big the result is. Pure. */

export interface SquareCrop {
  /** Top-left corner and side of the centred square taken from the source. */
  sx: number;
  sy: number;
  side: number;
  /** Edge of the output square: the source's short side, never above `maxEdge`. */
  edge: number;
}

/** The largest centred square of a width × height image, scaled down to at most `maxEdge` pixels a side. */
export function centredSquare(width: number, height: number, maxEdge = 1024): SquareCrop {
  if (!(width > 0 && height > 0)) throw new RangeError(`Not an image size: ${width} × ${height}`);
  const side = Math.min(width, height);
  return {
    sx: Math.floor((width - side) / 2),
    sy: Math.floor((height - side) / 2),
    side,
    edge: Math.max(1, Math.min(side, Math.round(maxEdge))),
  };
}

/** Output edges to try, largest first, until the PNG is small enough (a noisy 1024² photo can pass 4 MB). */
export const SQUARE_EDGES = [1024, 768, 512, 256] as const;
