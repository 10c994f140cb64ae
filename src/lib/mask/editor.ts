/**
 * The mask studio's canvas: the only module that imports fabric (load it with a dynamic `import()`).
 * A strokes-only Fabric canvas in image coordinates; the photo stays in an <img> underneath and is never part
 * of what is exported. What is on screen is drawn at the size it is shown (a viewport scale, at most one
 * backing pixel per image pixel), so painting on a 4K image moves screen-sized bitmaps, not 8-megapixel ones.
 * The mask itself is a separate full-resolution raster (./raster) that each finished stroke is drawn into
 * once, and whose alpha is copied out, in idle time, so exporting only encodes bytes that are already there.
 * Tools are brushes and pointer handlers; undo/redo keeps snapshots of the (immutable) object list. Pixels
 * are turned into the mask by ./alpha, ./png and ./runs (see ./export).
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
  invertMask,
  maskFromImage,
  maskFromStrokes,
  maskStats,
  strokesFromMask,
  type MaskPixels,
} from './alpha';
import { exportMask, type ExportedMask } from './export';
import { MaskRaster, type Box } from './raster';
import { backingScale } from './view';

export type MaskTool = 'brush' | 'eraser' | 'rectangle' | 'lasso';
export type { ExportedMask } from './export';

export interface MaskEditorState {
  tool: MaskTool;
  brushSize: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Nothing painted at all. */
  empty: boolean;
}

/** Paint colour of the strokes (shown as a tint through the layer's CSS opacity). */
export const PAINT: [number, number, number] = [255, 45, 111];
const PAINT_CSS = `rgb(${PAINT.join(' ')})`;
/**
 * Drawn opaque (so the top canvas adds each move's segment only) and seen through the top canvas's opacity
 * (the `erasing` class, styled by the dialog).
 */
const ERASER_PREVIEW = 'rgb(30 30 40)';
const HISTORY_LIMIT = 100;

const inert = { selectable: false, evented: false, objectCaching: false } as const;

/**
 * Fabric's pencil, kept incremental: no colour parse on every pointer move (fabric checks the colour's alpha
 * each time to decide whether to redraw the whole path; the colours here are opaque), and at the end of a
 * stroke only the new path is painted onto the lower canvas instead of fabric re-rendering every object.
 */
class MaskBrush extends PencilBrush {
  override needsFullRender(): boolean {
    return this._hasStraightLine;
  }

  override _finalizeAndAddPath(): void {
    const canvas = this.canvas;
    const count = canvas.getObjects().length;
    // A full repaint already due (after a resize, say) stays due and will show the new path too.
    const due = (canvas as unknown as { nextRenderHandle?: number }).nextRenderHandle;
    super._finalizeAndAddPath();
    const objects = canvas.getObjects();
    // Nothing added (an empty path), or the path was taken away again (a gesture that became a pinch).
    if (due || objects.length <= count) return;
    canvas.cancelRequestedRender();
    const ctx = canvas.getContext();
    ctx.save();
    ctx.transform(...canvas.viewportTransform);
    objects[objects.length - 1]!.render(ctx);
    ctx.restore();
  }
}

/**
 * Where an object can paint, in image pixels: its bounding box (which counts half the stroke width each
 * side) with another half stroke and 2 px to spare for round caps and anti-aliasing; null (anywhere) for an
 * image.
 */
function objectBounds(o: FabricObject): Box | null {
  if (o instanceof FabricImage) return null;
  o.setCoords();
  const r = o.getBoundingRect();
  const pad = 2 + (o.strokeWidth ?? 0) / 2;
  return { left: r.left - pad, top: r.top - pad, width: r.width + 2 * pad, height: r.height + 2 * pad };
}

export class MaskEditor {
  readonly width: number;
  readonly height: number;
  private readonly canvas: Canvas;
  /** The mask at full resolution, kept up to date in idle time; the export reads it. */
  private readonly raster: MaskRaster<FabricObject>;
  /** Backing pixels per image pixel of the on-screen canvas. */
  private scale: number;
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
    // Until the dialog tells the shown size: at most 1024 backing pixels across.
    this.scale = backingScale(1024, Math.max(size.width, size.height));
    this.canvas = new Canvas(element, {
      width: Math.ceil(size.width * this.scale),
      height: Math.ceil(size.height * this.scale),
      // The viewport scale below decides the backing size (the device pixel ratio is part of it).
      enableRetinaScaling: false,
      isDrawingMode: true,
      selection: false,
      skipTargetFind: true,
      preserveObjectStacking: true,
      // Each change asks for the repaint it needs (a finished stroke paints only itself, see MaskBrush).
      renderOnAddRemove: false,
      freeDrawingCursor: 'crosshair',
      defaultCursor: 'crosshair',
      // Pointer events: mouse, pen and touch take one path (the layer has touch-action: none).
      enablePointerEvents: true,
    });
    this.canvas.setViewportTransform([this.scale, 0, 0, this.scale, 0, 0]);
    this.raster = new MaskRaster(size.width, size.height, () => this.committedObjects(), objectBounds);
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

  /**
   * Shows the canvas at `width` × `height` CSS pixels. Its backing store follows (at most the image's pixel
   * size); the mask raster, and so the export, stays at the image's size whatever the zoom.
   */
  setDisplaySize(width: number, height: number): void {
    const scale = backingScale(width, this.width, globalThis.devicePixelRatio || 1);
    if (scale !== this.scale) {
      this.scale = scale;
      this.canvas.setDimensions(
        { width: Math.ceil(this.width * scale), height: Math.ceil(this.height * scale) },
        { backstoreOnly: true },
      );
      this.canvas.setViewportTransform([scale, 0, 0, scale, 0, 0]);
      this.canvas.requestRenderAll();
    }
    this.canvas.setDimensions({ width: `${width}px`, height: `${height}px` }, { cssOnly: true });
    this.canvas.calcOffset();
  }

  setTool(tool: MaskTool): void {
    this.tool = tool;
    const drawing = tool === 'brush' || tool === 'eraser';
    this.canvas.isDrawingMode = drawing;
    this.canvas.upperCanvasEl.classList.toggle('erasing', tool === 'eraser');
    if (drawing) {
      const brush = new MaskBrush(this.canvas);
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
   * An image of another size is stretched to the source's size. `hardened`: it had grey levels (partial
   * alpha), which the mask cannot keep (the API's mask is 0 or 255): under half opaque is edited, the rest kept.
   */
  async importMask(
    blob: Blob,
  ): Promise<{ source: 'alpha' | 'luminance'; scaledFrom: string | null; hardened: boolean }> {
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
      const { pixels, transparent, opaque } = maskStats(mask);
      return {
        source,
        scaledFrom: scaled ? `${bitmap.width} × ${bitmap.height}` : null,
        hardened: transparent + opaque < pixels,
      };
    } finally {
      bitmap.close();
    }
  }

  /**
   * The PNG the API receives (exactly width × height, 8-bit RGBA, alpha 0 where painted and 255 elsewhere) and,
   * with a feather, the soft mask and the mask as painted: see ./export.
   */
  async exportMask(feather = 0): Promise<ExportedMask> {
    const started = performance.now();
    // Usually already current (it catches up in idle time after each stroke).
    const alpha = this.raster.flush();
    performance.measure('atelier:mask-export:read', { start: started, end: performance.now() });
    const out = await exportMask(
      { width: this.width, height: this.height, alpha, strokes: () => this.strokePixels() },
      feather,
    );
    return { ...out, ms: performance.now() - started };
  }

  dispose(): void {
    this.raster.dispose();
    void this.canvas.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  private objects(): FabricObject[] {
    return [...this.canvas.getObjects()];
  }

  /** The strokes at the image's pixel size. */
  private strokePixels(): ImageData {
    return this.raster.pixels();
  }

  /** The objects that are part of the mask: all but a rectangle still being dragged out. */
  private committedObjects(): FabricObject[] {
    const shape = this.rect?.shape;
    return this.objects().filter((o) => o !== shape);
  }

  private replaceWith(pixels: MaskPixels): void {
    const c = document.createElement('canvas');
    c.width = this.width;
    c.height = this.height;
    c.getContext('2d')!.putImageData(new ImageData(pixels.data, this.width, this.height), 0, 0);
    const before = this.objects();
    // Not cached (like every object here): a cache is made at the shown scale, and the raster needs full size.
    this.show([new FabricImage(c, { ...inert, left: 0, top: 0, originX: 'left', originY: 'top' })]);
    this.committed(before);
  }

  private show(objects: FabricObject[]): void {
    this.canvas.remove(...this.canvas.getObjects());
    if (objects.length) this.canvas.add(...objects);
    this.canvas.requestRenderAll();
    this.raster.schedule();
    this.emit();
  }

  /** Records the object list as it was before a change. */
  private committed(before: FabricObject[]): void {
    this.past.push(before);
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
    this.future = [];
    this.raster.schedule();
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
    // The points are image coordinates; the top canvas is at the shown scale.
    ctx.setTransform(this.scale, 0, 0, this.scale, 0, 0);
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
