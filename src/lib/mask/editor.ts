/**
 * The mask studio's canvas: the only module that imports fabric (load it with a dynamic `import()`).
 * A strokes-only Fabric canvas whose logical size is the image's pixel size, scaled with CSS; the photo stays
 * in an <img> underneath and is never part of what is exported. Tools are brushes and pointer handlers;
 * undo/redo keeps snapshots of the (immutable) object list. Pixels are turned into the mask by ./alpha.
 */
import {
  Canvas,
  FabricImage,
  Path,
  PencilBrush,
  Rect,
  type FabricObject,
  type TPointerEventInfo,
} from 'fabric';
import {
  featherMask,
  invertMask,
  maskFromImage,
  maskFromStrokes,
  strokesFromMask,
  type MaskPixels,
  type MaskStats,
} from './alpha';
import { encodeMaskPng, maskRowsFromMask, maskRowsFromStrokes } from './png';

/** Fabric's canvas, telling whether a render is still queued for the next frame. */
class MaskCanvas extends Canvas {
  get renderPending(): boolean {
    return Boolean(this.nextRenderHandle);
  }
}

export type MaskTool = 'brush' | 'eraser' | 'rectangle' | 'lasso';

export interface MaskEditorState {
  tool: MaskTool;
  brushSize: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Nothing painted at all. */
  empty: boolean;
}

export interface ExportedMask {
  blob: Blob;
  width: number;
  height: number;
  stats: MaskStats;
  /** Time from canvas to PNG Blob. */
  ms: number;
}

/** Paint colour of the strokes (shown as a tint through the layer's CSS opacity). */
export const PAINT: [number, number, number] = [255, 45, 111];
const PAINT_CSS = `rgb(${PAINT.join(' ')})`;
const ERASER_PREVIEW = 'rgba(30, 30, 40, 0.85)';
const HISTORY_LIMIT = 100;

const inert = { selectable: false, evented: false, objectCaching: false } as const;

export class MaskEditor {
  readonly width: number;
  readonly height: number;
  private readonly canvas: MaskCanvas;
  private readonly onChange: (state: MaskEditorState) => void;
  private tool: MaskTool = 'brush';
  private size: number;
  private past: FabricObject[][] = [];
  private future: FabricObject[][] = [];
  private rect: { shape: Rect; x: number; y: number } | null = null;
  private lasso: { x: number; y: number }[] | null = null;
  /** The gesture under way is not a stroke (it became a pinch): drop what it drew when it ends. */
  private discarding = false;

  constructor(
    element: HTMLCanvasElement,
    size: { width: number; height: number },
    onChange: (state: MaskEditorState) => void,
  ) {
    this.width = size.width;
    this.height = size.height;
    this.onChange = onChange;
    this.size = Math.max(4, Math.round(Math.min(size.width, size.height) / 16));
    this.canvas = new MaskCanvas(element, {
      width: size.width,
      height: size.height,
      // One backing pixel per image pixel: the export is exactly the image's size, and 4K stays affordable.
      enableRetinaScaling: false,
      isDrawingMode: true,
      selection: false,
      skipTargetFind: true,
      preserveObjectStacking: true,
      freeDrawingCursor: 'crosshair',
      defaultCursor: 'crosshair',
      // Pointer events: mouse, pen and touch take one path (the layer has touch-action: none).
      enablePointerEvents: true,
    });
    this.canvas.on('before:path:created', ({ path }) => {
      path.set({
        ...inert,
        globalCompositeOperation: this.tool === 'eraser' ? 'destination-out' : 'source-over',
      });
    });
    this.canvas.on('path:created', ({ path }) => {
      if (!this.discarding) return this.committed(this.objects().filter((o) => o !== path));
      this.discarding = false;
      this.canvas.remove(path);
      this.canvas.requestRenderAll();
    });
    this.canvas.on('mouse:down', (e) => this.down(e));
    this.canvas.on('mouse:move', (e) => this.move(e));
    this.canvas.on('mouse:up', () => this.up());
    this.setTool('brush');
  }

  /** Scales the canvas on screen (CSS only: the backing store stays at the image's pixel size). */
  setDisplaySize(width: number, height: number): void {
    this.canvas.setDimensions({ width: `${width}px`, height: `${height}px` }, { cssOnly: true });
    this.canvas.calcOffset();
  }

  setTool(tool: MaskTool): void {
    this.tool = tool;
    const drawing = tool === 'brush' || tool === 'eraser';
    this.canvas.isDrawingMode = drawing;
    if (drawing) {
      const brush = new PencilBrush(this.canvas);
      brush.color = tool === 'eraser' ? ERASER_PREVIEW : PAINT_CSS;
      brush.width = this.size;
      brush.decimate = 0.4;
      this.canvas.freeDrawingBrush = brush;
    }
    this.emit();
  }

  setBrushSize(px: number): void {
    this.size = Math.max(1, Math.min(2000, Math.round(px)));
    if (this.canvas.freeDrawingBrush) this.canvas.freeDrawingBrush.width = this.size;
    this.emit();
  }

  get state(): MaskEditorState {
    return {
      tool: this.tool,
      brushSize: this.size,
      canUndo: this.past.length > 0,
      canRedo: this.future.length > 0,
      empty: this.objects().length === 0,
    };
  }

  /**
   * The stroke, rectangle or lasso being drawn is not wanted (a second finger turned it into a pinch): its
   * preview goes now, and whatever it would have added is dropped when the pointer lifts.
   */
  abortStroke(): void {
    this.discarding = true;
    this.lasso = null;
    if (this.rect) {
      this.canvas.remove(this.rect.shape);
      this.rect = null;
    }
    this.canvas.clearContext(this.canvas.contextTop);
    this.canvas.requestRenderAll();
  }

  /** Forgets undo/redo (after loading an existing mask, which is the starting point, not a step). */
  resetHistory(): void {
    this.past = [];
    this.future = [];
    this.emit();
  }

  undo(): void {
    const previous = this.past.pop();
    if (!previous) return;
    this.future.push(this.objects());
    this.show(previous);
  }

  redo(): void {
    const next = this.future.pop();
    if (!next) return;
    this.past.push(this.objects());
    this.show(next);
  }

  clear(): void {
    if (!this.objects().length) return;
    const before = this.objects();
    this.show([]);
    this.committed(before);
  }

  /** Edit ↔ keep: bakes the current strokes into one raster and inverts it. */
  invert(): void {
    const inverted = invertMask(maskFromStrokes(this.strokePixels()));
    this.replaceWith(strokesFromMask(inverted, PAINT));
  }

  /**
   * Imports a mask file: a PNG with transparency is used as is; an opaque (black/white) image by luminance.
   * An image of another size is stretched to the source's size.
   */
  async importMask(blob: Blob): Promise<{ source: 'alpha' | 'luminance'; scaledFrom: string | null }> {
    const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none' });
    try {
      const c = document.createElement('canvas');
      c.width = this.width;
      c.height = this.height;
      const ctx = c.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(bitmap, 0, 0, this.width, this.height);
      const { mask, source } = maskFromImage(ctx.getImageData(0, 0, this.width, this.height));
      this.replaceWith(strokesFromMask(mask, PAINT));
      const scaled = bitmap.width !== this.width || bitmap.height !== this.height;
      return { source, scaledFrom: scaled ? `${bitmap.width} × ${bitmap.height}` : null };
    } finally {
      bitmap.close();
    }
  }

  /** The mask as pixels: painted → alpha 0, the rest opaque; `feather` softens the edge (image pixels). */
  maskPixels(feather = 0): MaskPixels {
    const mask = maskFromStrokes(this.strokePixels());
    return feather > 0 ? featherMask(mask, feather) : mask;
  }

  /**
   * The PNG the API receives: exactly width × height, grey + alpha. One pass from the strokes' pixels to PNG
   * rows (alpha 0 where painted, 255 elsewhere), then native zlib: no second canvas, no premultiplied
   * round trip, half the bytes of RGBA to compress.
   */
  async exportMask(feather = 0): Promise<ExportedMask> {
    const started = performance.now();
    const strokes = this.strokePixels();
    const read = performance.now();
    const rows =
      feather > 0
        ? maskRowsFromMask(featherMask(maskFromStrokes(strokes), feather))
        : maskRowsFromStrokes(strokes);
    const computed = performance.now();
    const blob = await encodeMaskPng(rows);
    const done = performance.now();
    // User Timing for `npm run bench` and DevTools: where the export's time goes.
    performance.measure('atelier:mask-export:read', { start: started, end: read });
    performance.measure('atelier:mask-export:alpha', { start: read, end: computed });
    performance.measure('atelier:mask-export:encode', { start: computed, end: done });
    const stats: MaskStats = {
      pixels: this.width * this.height,
      transparent: rows.transparent,
      opaque: rows.opaque,
      editFraction: rows.editFraction,
    };
    return { blob, width: this.width, height: this.height, stats, ms: done - started };
  }

  dispose(): void {
    void this.canvas.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  private objects(): FabricObject[] {
    return [...this.canvas.getObjects()];
  }

  /**
   * The strokes layer's pixels, read straight from fabric's canvas: its backing store is the image's pixel
   * size (no retina scaling, identity viewport; zoom is CSS only), so nothing needs rendering again.
   */
  private strokePixels(): ImageData {
    const el = this.canvas.lowerCanvasEl;
    if (el.width !== this.width || el.height !== this.height)
      throw new Error(`The mask canvas is ${el.width}×${el.height}, not ${this.width}×${this.height}.`);
    if (this.canvas.renderPending) this.canvas.renderAll();
    return this.canvas.getContext().getImageData(0, 0, this.width, this.height);
  }

  private replaceWith(pixels: MaskPixels): void {
    const c = document.createElement('canvas');
    c.width = this.width;
    c.height = this.height;
    c.getContext('2d')!.putImageData(new ImageData(pixels.data, this.width, this.height), 0, 0);
    const before = this.objects();
    this.show([new FabricImage(c, { ...inert, left: 0, top: 0, originX: 'left', originY: 'top' })]);
    this.committed(before);
  }

  private show(objects: FabricObject[]): void {
    this.canvas.remove(...this.canvas.getObjects());
    if (objects.length) this.canvas.add(...objects);
    this.canvas.requestRenderAll();
    this.emit();
  }

  /** Records the object list as it was before a change. */
  private committed(before: FabricObject[]): void {
    this.past.push(before);
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
    this.future = [];
    this.emit();
  }

  private emit(): void {
    this.onChange(this.state);
  }

  private down(e: TPointerEventInfo): void {
    // A new gesture: an earlier aborted one that added nothing must not swallow this stroke.
    this.discarding = false;
    const { x, y } = e.scenePoint;
    if (this.tool === 'rectangle') {
      const shape = new Rect({
        ...inert,
        left: x,
        top: y,
        width: 0,
        height: 0,
        fill: PAINT_CSS,
        originX: 'left',
        originY: 'top',
      });
      this.rect = { shape, x, y };
      this.canvas.add(shape);
    } else if (this.tool === 'lasso') {
      this.lasso = [{ x, y }];
    }
  }

  private move(e: TPointerEventInfo): void {
    const { x, y } = e.scenePoint;
    if (this.rect) {
      const r = this.rect;
      r.shape.set({
        left: Math.min(r.x, x),
        top: Math.min(r.y, y),
        width: Math.abs(x - r.x),
        height: Math.abs(y - r.y),
      });
      this.canvas.requestRenderAll();
    } else if (this.lasso) {
      const last = this.lasso[this.lasso.length - 1]!;
      if (Math.hypot(x - last.x, y - last.y) < 2) return;
      this.lasso.push({ x, y });
      this.drawLassoPreview();
    }
  }

  private up(): void {
    if (this.discarding && !this.canvas.isDrawingMode) {
      this.discarding = false;
      return;
    }
    if (this.rect) {
      const { shape } = this.rect;
      this.rect = null;
      const before = this.objects().filter((o) => o !== shape);
      if ((shape.width ?? 0) < 1 || (shape.height ?? 0) < 1) {
        this.canvas.remove(shape);
        this.canvas.requestRenderAll();
      } else this.committed(before);
    } else if (this.lasso) {
      const points = this.lasso;
      this.lasso = null;
      this.canvas.clearContext(this.canvas.contextTop);
      if (points.length < 3) return this.canvas.requestRenderAll();
      const d = `M ${points.map((p) => `${p.x} ${p.y}`).join(' L ')} Z`;
      const before = this.objects();
      this.canvas.add(new Path(d, { ...inert, fill: PAINT_CSS, stroke: null }));
      this.canvas.requestRenderAll();
      this.committed(before);
    }
  }

  private drawLassoPreview(): void {
    const ctx = this.canvas.contextTop;
    const pts = this.lasso!;
    this.canvas.clearContext(ctx);
    ctx.save();
    ctx.beginPath();
    ctx.moveTo(pts[0]!.x, pts[0]!.y);
    for (const p of pts) ctx.lineTo(p.x, p.y);
    ctx.closePath();
    ctx.fillStyle = `rgb(${PAINT.join(' ')} / 0.5)`;
    ctx.fill();
    ctx.lineWidth = Math.max(1, this.width / 800);
    ctx.strokeStyle = PAINT_CSS;
    ctx.stroke();
    ctx.restore();
  }
}

/** Creates the editor on a <canvas> (call after `await import('…/mask/editor')`). */
export function createMaskEditor(
  element: HTMLCanvasElement,
  size: { width: number; height: number },
  onChange: (state: MaskEditorState) => void,
): MaskEditor {
  return new MaskEditor(element, size, onChange);
}
