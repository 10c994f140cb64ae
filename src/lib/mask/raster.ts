/**
 * The mask at full resolution, kept up to date in idle time: a canvas that the committed objects are drawn
 * into once each (in order, so an eraser's `destination-out` works), and a copy of its alpha channel, one
 * byte a pixel, refreshed only where something was drawn, a band at a time. The export then reads no pixels
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

export class MaskRaster<T extends Drawable> {
  /** The strokes' alpha, one byte a pixel, row by row (current once `flush` returns). */
  readonly alpha: Uint8Array<ArrayBuffer>;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  /** The objects the canvas shows, in order. */
  private drawn: T[] = [];
  /** Where the canvas changed since its alpha was last copied. */
  private dirty: Box | null = null;
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
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    // Read back often: keep it in memory rather than on a GPU.
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
  }

  /** The objects changed: catch up in idle time, one small step at a time, stopping before frames suffer. */
  schedule(): void {
    if (this.cancel) return;
    this.cancel = whenIdle((deadline) => {
      this.cancel = null;
      while (deadline.timeRemaining() > 3) if (!this.step()) return;
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
    return this.ctx.getImageData(0, 0, this.width, this.height);
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = null;
    // Let the browser drop the 4-byte-a-pixel canvas now rather than at the next collection.
    this.canvas.width = this.canvas.height = 0;
  }

  /**
   * One unit of catching up: draw the next object not drawn yet (after an undo, redo or clear, when the list
   * no longer extends what was drawn, start again from a clear canvas), or else copy the next band of alpha.
   * False when there was nothing left to do.
   */
  private step(): boolean {
    const objects = this.objects();
    if (this.drawn.length > objects.length || this.drawn.some((o, i) => o !== objects[i])) {
      // Canvas and alpha both blank again; what gets drawn marks where to read.
      this.ctx.clearRect(0, 0, this.width, this.height);
      this.alpha.fill(0);
      this.drawn = [];
      this.dirty = null;
    }
    const next = objects[this.drawn.length];
    if (!next) return this.readBand();
    next.render(this.ctx);
    this.drawn.push(next);
    const box = this.bounds(next);
    const all = { left: 0, top: 0, width: this.width, height: this.height };
    this.dirty = unionBox(this.dirty, box ? pixelBox(box, this.width, this.height) : all);
    return true;
  }

  /** Copies the alpha of the dirty region's next band; false if there was none. */
  private readBand(): boolean {
    const d = this.dirty;
    if (!d) return false;
    const rows = Math.max(1, Math.min(d.height, Math.floor(BAND_PIXELS / d.width)));
    const band = { left: d.left, top: d.top, width: d.width, height: rows };
    copyAlpha(
      this.ctx.getImageData(band.left, band.top, band.width, rows).data,
      band,
      this.alpha,
      this.width,
    );
    this.dirty = rows === d.height ? null : { ...d, top: d.top + rows, height: d.height - rows };
    return true;
  }
}
