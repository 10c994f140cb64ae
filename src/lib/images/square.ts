/**
 * Squaring an image for DALL·E 2 (variations, and edits): which part to keep, where it lands and how big the
 * result is. Crop keeps the centred square; pad keeps the whole image centred on transparent pixels. Pure.
 */

export type SquareMode = 'crop' | 'pad';

export interface SquareCrop {
  /** Top-left corner and side of the centred square taken from the source. */
  sx: number;
  sy: number;
  side: number;
  /** Edge of the output square: the source's short side, never above `maxEdge`. */
  edge: number;
}

/** Where a squared image's pixels come from and go to (drawImage's nine arguments, minus the image). */
export interface SquarePlan {
  mode: SquareMode;
  /** The source rectangle, in the image's (upright) pixels. */
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  /** The destination rectangle in the output square. */
  dx: number;
  dy: number;
  dw: number;
  dh: number;
  /** Edge of the output square. */
  edge: number;
}

function checkSize(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new RangeError(`Not an image size: ${width} × ${height}`);
}

/** The largest centred square of a width × height image, scaled down to at most `maxEdge` pixels a side. */
export function centredSquare(width: number, height: number, maxEdge = 1024): SquareCrop {
  checkSize(width, height);
  const side = Math.min(width, height);
  return {
    sx: Math.floor((width - side) / 2),
    sy: Math.floor((height - side) / 2),
    side,
    edge: Math.max(1, Math.min(side, Math.round(maxEdge))),
  };
}

/**
 * How to square a width × height image. `crop`: its centred square fills the output. `pad`: the whole image,
 * scaled with its long side to the output's edge, centred; the bands left over stay transparent. The edge is
 * the side the square needs (short side to crop, long side to pad), never above `maxEdge`.
 */
export function squarePlan(width: number, height: number, mode: SquareMode, maxEdge = 1024): SquarePlan {
  checkSize(width, height);
  if (mode === 'crop') {
    const c = centredSquare(width, height, maxEdge);
    return {
      mode,
      sx: c.sx,
      sy: c.sy,
      sw: c.side,
      sh: c.side,
      dx: 0,
      dy: 0,
      dw: c.edge,
      dh: c.edge,
      edge: c.edge,
    };
  }
  const side = Math.max(width, height);
  const edge = Math.max(1, Math.min(side, Math.round(maxEdge)));
  const scale = edge / side;
  const dw = Math.max(1, Math.min(edge, Math.round(width * scale)));
  const dh = Math.max(1, Math.min(edge, Math.round(height * scale)));
  return {
    mode,
    sx: 0,
    sy: 0,
    sw: width,
    sh: height,
    dx: Math.floor((edge - dw) / 2),
    dy: Math.floor((edge - dh) / 2),
    dw,
    dh,
    edge,
  };
}

/** The output's rectangles outside the destination (the padding), as [x, y, w, h]; empty ones left out. */
export function paddingRects(p: SquarePlan): [number, number, number, number][] {
  const right = p.edge - p.dx - p.dw;
  const bottom = p.edge - p.dy - p.dh;
  const rects: [number, number, number, number][] = [
    [0, 0, p.edge, p.dy],
    [0, p.dy + p.dh, p.edge, bottom],
    [0, p.dy, p.dx, p.dh],
    [p.dx + p.dw, p.dy, right, p.dh],
  ];
  return rects.filter(([, , w, h]) => w > 0 && h > 0);
}

/** Output edges to try, largest first, until the PNG is small enough (a noisy 1024² photo can pass 4 MB). */
export const SQUARE_EDGES = [1024, 768, 512, 256] as const;

/** The name a squared copy goes under: the user's base name, `-square.png` (crop) or `-padded.png`. */
export function squaredName(name: string, mode: SquareMode): string {
  return name.replace(/\.[^.]*$/, '') + (mode === 'crop' ? '-square.png' : '-padded.png');
}

/** What the user is told after squaring, mask included ('lost': it could not be squared and was removed). */
export function squaredNotice(
  from: { name: string; width: number; height: number },
  name: string,
  edge: number,
  mode: SquareMode,
  mask: 'none' | 'squared' | 'lost',
): string {
  const how =
    mode === 'crop'
      ? 'its centred square'
      : 'all of it, centred on transparent bands (a DALL·E 2 edit may fill them)';
  const masked =
    mask === 'none'
      ? ''
      : mask === 'squared'
        ? ` The mask was ${mode === 'crop' ? 'cropped' : 'padded'} the same way.`
        : ' The mask could not be squared with it and was removed; paint it again.';
  return `“${from.name}” (${from.width} × ${from.height}) is now “${name}”, ${how} as a ${edge} × ${edge} PNG.${masked} Your file is unchanged.`;
}
