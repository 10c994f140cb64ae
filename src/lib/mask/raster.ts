/**
 * The mask at full resolution, kept up to date in idle time: tiles (small canvases, made where something is
 * drawn) that the committed objects are drawn into once each (in order, so an eraser's `destination-out`
 * works), and a copy of their alpha channel, one byte a pixel, refreshed only where something was drawn, a
 * band at a time. The export then reads no pixels
 * from the canvas: it encodes the alpha copy (see ./runs). Knows nothing of fabric: objects only need
 * `render(ctx)` and a bounding box (null = could be anywhere). Browser-only (a canvas).
 */

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Drawable {
  render(ctx: CanvasRenderingContext2D): void;
}

/** Pixels read per `getImageData` call: a band that takes a few milliseconds at most. */
const BAND_PIXELS = 1 << 16;

/** `box` grown to whole pixels and clipped to a width × height image; null when nothing is left. */
export function pixelBox(box: Box, width: number, height: number): Box | null {
  const left = Math.max(0, Math.floor(box.left));
  const top = Math.max(0, Math.floor(box.top));
  const right = Math.min(width, Math.ceil(box.left + box.width));
  const bottom = Math.min(height, Math.ceil(box.top + box.height));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

/** The smallest box holding both (either may be null). */
export function unionBox(a: Box | null, b: Box | null): Box | null {
  if (!a || !b) return a ?? b;
  const left = Math.min(a.left, b.left);
  const top = Math.min(a.top, b.top);
  const right = Math.max(a.left + a.width, b.left + b.width);
  const bottom = Math.max(a.top + a.height, b.top + b.height);
  return { left, top, width: right - left, height: bottom - top };
}

/** Copies the alpha of `rgba` (the pixels of `box`) into `alpha`, a width-wide one-byte-a-pixel image. */
export function copyAlpha(
  rgba: Uint8ClampedArray | Uint8Array,
  box: Box,
  alpha: Uint8Array,
  width: number,
): void {
  for (let y = 0, i = 3; y < box.height; y++) {
    let o = (box.top + y) * width + box.left;
    for (const end = o + box.width; o < end; o++, i += 4) alpha[o] = rgba[i]!;
  }
}

type Deadline = { timeRemaining(): number };

/** Runs `fn` when the page is idle (or soon, where there is no requestIdleCallback); returns a cancel. */
function whenIdle(fn: (deadline: Deadline) => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: 1000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(() => {
    const start = performance.now();
    fn({ timeRemaining: () => Math.max(0, 10 - (performance.now() - start)) });
  }, 50);
  return () => clearTimeout(id);
}

/** Side of the square tiles the raster is kept in: small enough that setting up or reading one is quick. */
export const TILE = 256;

/** The tiles (their indexes, row by row, `columns` to a row) that a pixel box overlaps. */
export function tilesOf(box: Box, columns: number, tile = TILE): number[] {
  const out: number[] = [];
  const x0 = Math.floor(box.left / tile);
  const x1 = Math.floor((box.left + box.width - 1) / tile);
  const y0 = Math.floor(box.top / tile);
  const y1 = Math.floor((box.top + box.height - 1) / tile);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push(y * columns + x);
  return out;
}

interface Tile {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** Image coordinates of its top-left pixel and its size (edge tiles are smaller). */
  box: Box;
  /** Where it changed since its alpha was last copied (image coordinates). */
  dirty: Box | null;
}

export class MaskRaster<T extends Drawable> {
  /** The strokes' alpha, one byte a pixel, row by row (current once `flush` returns). */
  readonly alpha: Uint8Array<ArrayBuffer>;
  private readonly columns: number;
  /**
   * The mask's pixels in TILE × TILE canvases, made the first time something is drawn there. A canvas's
   * first draw sets up its whole backing store (measured at ~25 ms a megapixel here: 190 ms for one 4K
   * canvas, which was the painting bench's worst frame); a 256² tile costs 1–3 ms, so each step of catching
   * up (one object into one tile, one band of one tile read back) stays inside an idle period.
   */
  private readonly tiles = new Map<number, Tile>();
  /** The objects the tiles show, in order; the last may be partly drawn (see `pending`). */
  private drawn: T[] = [];
  /** Tiles the last object in `drawn` still has to be drawn into. */
  private pending: number[] = [];
  private cancel: (() => void) | null = null;

  constructor(
    readonly width: number,
    readonly height: number,
    /** The objects that make the mask, in drawing order. */
    private readonly objects: () => T[],
    /** Where an object can paint, in image pixels; null for anywhere. */
    private readonly bounds: (o: T) => Box | null,
  ) {
    this.alpha = new Uint8Array(width * height);
    this.columns = Math.ceil(width / TILE);
  }

  /** The objects changed: catch up in idle time, one small step at a time, stopping before frames suffer. */
  schedule(): void {
    if (this.cancel) return;
    this.cancel = whenIdle((deadline) => {
      this.cancel = null;
      // A step is short (one object into one tile, or one band): one always runs, so a page that is never
      // idle (the callback then comes on its timeout, with no time left) still catches up.
      do if (!this.step()) return;
      while (deadline.timeRemaining() > 3);
      this.schedule();
    });
  }

  /** Brings everything up to date now; returns the alpha. */
  flush(): Uint8Array<ArrayBuffer> {
    this.cancel?.();
    this.cancel = null;
    while (this.step());
    return this.alpha;
  }

  /** The strokes as RGBA at the image's size (for invert, feather and the like). */
  pixels(): ImageData {
    this.flush();
    const out = new ImageData(this.width, this.height);
    for (const t of this.tiles.values()) {
      const { left, top, width, height } = t.box;
      const rgba = t.ctx.getImageData(0, 0, width, height).data;
      for (let y = 0; y < height; y++)
        out.data.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), ((top + y) * this.width + left) * 4);
    }
    return out;
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = null;
    // Let the browser drop the tiles' pixels now rather than at the next collection.
    for (const t of this.tiles.values()) t.canvas.width = t.canvas.height = 0;
    this.tiles.clear();
  }

  /**
   * One unit of catching up: draw the next object into the next tile it reaches (after an undo, redo or
   * clear, when the list no longer extends what was drawn, start again from blank tiles), or else copy the
   * next band of a changed tile's alpha. False when there was nothing left to do.
   */
  private step(): boolean {
    const objects = this.objects();
    if (this.drawn.length > objects.length || this.drawn.some((o, i) => o !== objects[i])) {
      // Tiles and alpha both blank again; what gets drawn marks where to read.
      for (const t of this.tiles.values()) {
        t.ctx.clearRect(0, 0, t.box.width, t.box.height);
        t.dirty = null;
      }
      this.alpha.fill(0);
      this.drawn = [];
      this.pending = [];
    }
    if (!this.pending.length) {
      const next = objects[this.drawn.length];
      if (!next) return this.readBand();
      this.drawn.push(next);
      const b = this.bounds(next);
      const box = b ? pixelBox(b, this.width, this.height) : this.all();
      this.pending = box ? tilesOf(box, this.columns) : [];
      return true;
    }
    const object = this.drawn[this.drawn.length - 1]!;
    const t = this.tile(this.pending.shift()!);
    t.ctx.save();
    t.ctx.translate(-t.box.left, -t.box.top);
    object.render(t.ctx);
    t.ctx.restore();
    const b = this.bounds(object);
    const clip = (box: Box) => pixelBox(box, this.width, this.height);
    const touched = b ? clip(b) : this.all();
    const inTile = touched && intersect(touched, t.box);
    t.dirty = unionBox(t.dirty, inTile);
    return true;
  }

  private all(): Box {
    return { left: 0, top: 0, width: this.width, height: this.height };
  }

  private tile(index: number): Tile {
    let t = this.tiles.get(index);
    if (!t) {
      const left = (index % this.columns) * TILE;
      const top = Math.floor(index / this.columns) * TILE;
      const box = {
        left,
        top,
        width: Math.min(TILE, this.width - left),
        height: Math.min(TILE, this.height - top),
      };
      const canvas = document.createElement('canvas');
      canvas.width = box.width;
      canvas.height = box.height;
      // Read back often: keep it in memory rather than on a GPU.
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      t = { canvas, ctx, box, dirty: null };
      this.tiles.set(index, t);
    }
    return t;
  }

  /** Copies the alpha of the next band of a changed tile; false if there was none. */
  private readBand(): boolean {
    for (const t of this.tiles.values()) {
      const d = t.dirty;
      if (!d) continue;
      const rows = Math.max(1, Math.min(d.height, Math.floor(BAND_PIXELS / d.width)));
      const band = { left: d.left, top: d.top, width: d.width, height: rows };
      copyAlpha(
        t.ctx.getImageData(band.left - t.box.left, band.top - t.box.top, band.width, rows).data,
        band,
        this.alpha,
        this.width,
      );
      t.dirty = rows === d.height ? null : { ...d, top: d.top + rows, height: d.height - rows };
      return true;
    }
    return false;
  }
}

/** The overlap of two boxes, or null. */
export function intersect(a: Box, b: Box): Box | null {
  const left = Math.max(a.left, b.left);
  const top = Math.max(a.top, b.top);
  const right = Math.min(a.left + a.width, b.left + b.width);
  const bottom = Math.min(a.top + a.height, b.top + b.height);
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}
