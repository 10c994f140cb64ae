/**
 * The mask editor's stage, beside MaskDialog.svelte: zoom (buttons, wheel, pinch) around the point under the
 * pointer, pan (scrolling, Space-drag, the middle button, Shift+wheel, a sideways swipe) and the keyboard
 * (tools, `[` `]` brush size, undo/redo). Gesture bookkeeping and DOM wiring only: the arithmetic is in
 * lib/mask/view.ts, the painting in lib/mask/editor.ts.
 */
import { tick } from 'svelte';
import type { MaskEditor } from '../../lib/mask/editor';
import { anchorScroll, fitScale, keyAction, pinchZoom, wheelAction, zoomStep } from '../../lib/mask/view';

interface Point {
  x: number;
  y: number;
}

/** An image point to keep under a screen point while zooming: its place across the frame (0…1) and the screen point. */
interface Anchor {
  fx: number;
  fy: number;
  x: number;
  y: number;
}

const midpoint = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/** Wheel events this close together, with the pointer still, zoom around the same image point. */
const WHEEL_GESTURE_MS = 400;

export class MaskStage {
  /** 1 = the image fits the stage. */
  zoom = $state(1);
  /** The scale at which the image fits the stage. */
  fit = $state(1);
  /** Space is held: a drag pans instead of painting. */
  spaceHeld = $state(false);
  stage: HTMLDivElement | undefined = $state();
  frame: HTMLDivElement | undefined = $state();

  private readonly image: { width: number; height: number };
  private readonly editor: () => MaskEditor | null;
  /** The frame's size on screen, CSS pixels. */
  readonly shown = $derived.by(() => ({
    w: Math.round(this.image.width * this.fit * this.zoom),
    h: Math.round(this.image.height * this.fit * this.zoom),
  }));
  private pan: { id: number; x: number; y: number; left: number; top: number } | null = null;
  /** Touch points on the canvas, and the pinch they make once there are two. Never rendered: plain collections. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly touches = new Map<number, Point>();
  /** Pointers that took part in a pinch: their moves stay away from the canvas until they lift. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly pinchers = new Set<number>();
  private pinch: { distance: number; zoom: number; anchor: Anchor } | null = null;
  private wheel: { anchor: Anchor; at: number } | null = null;

  constructor(image: { width: number; height: number }, editor: () => MaskEditor | null) {
    this.image = image;
    this.editor = editor;
  }

  /** Listens on the window (a pan or pinch goes on outside the stage); returns the cleanup. */
  attach(): () => void {
    const capture = { capture: true };
    window.addEventListener('pointermove', this.onPointerMove, capture);
    window.addEventListener('pointerup', this.onPointerEnd, capture);
    window.addEventListener('pointercancel', this.onPointerEnd, capture);
    return () => {
      window.removeEventListener('pointermove', this.onPointerMove, capture);
      window.removeEventListener('pointerup', this.onPointerEnd, capture);
      window.removeEventListener('pointercancel', this.onPointerEnd, capture);
    };
  }

  refit(): void {
    const stage = this.stage;
    if (stage)
      this.fit = fitScale(this.image, { width: stage.clientWidth - 24, height: stage.clientHeight - 24 });
  }

  zoomBy(dir: 1 | -1): void {
    this.zoom = zoomStep(this.zoom, dir);
  }

  onKey = (e: KeyboardEvent): void => {
    const mask = this.editor();
    // The dialog is modal, so keys on the page are the editor's (a disabled button may have had focus).
    if (!mask || (e.target as HTMLElement).matches('input:not([type="range"]), textarea')) return;
    if (e.key === ' ') {
      // Space-drag pans (and a focused button must not be pressed by it).
      e.preventDefault();
      this.spaceHeld = true;
      return;
    }
    const action = keyAction(e);
    if (!action) return;
    e.preventDefault();
    if (action === 'undo') mask.undo();
    else if (action === 'redo') mask.redo();
    else if (action === 'smaller' || action === 'bigger')
      mask.setBrushSize(mask.state.brushSize * (action === 'bigger' ? 1.25 : 0.8));
    else mask.setTool(action);
  };

  onKeyUp = (e: KeyboardEvent): void => {
    if (e.key !== ' ' || !this.spaceHeld) return;
    e.preventDefault();
    this.spaceHeld = false;
  };

  onBlur = (): void => {
    this.spaceHeld = false;
  };

  /** Before the canvas sees a pointer: space-drag or the middle button pan; a second finger starts a pinch. */
  onPointerDownCapture = (e: PointerEvent): void => {
    const { stage, frame } = this;
    const mask = this.editor();
    if (!mask || !stage || !frame) return;
    if (this.spaceHeld || e.button === 1) {
      e.preventDefault();
      e.stopPropagation();
      stage.setPointerCapture(e.pointerId);
      this.pan = {
        id: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        left: stage.scrollLeft,
        top: stage.scrollTop,
      };
      return;
    }
    if (e.pointerType !== 'touch') return;
    this.touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (this.touches.size < 2) return;
    // Two fingers: not a stroke after all. The first finger's stroke is dropped; the canvas sees no more.
    e.stopPropagation();
    mask.abortStroke();
    for (const id of this.touches.keys()) this.pinchers.add(id);
    const [a, b] = [...this.touches.values()] as [Point, Point];
    this.pinch = {
      distance: Math.hypot(a.x - b.x, a.y - b.y),
      zoom: this.zoom,
      anchor: this.anchorAt(midpoint(a, b)),
    };
  };

  private onPointerMove = (e: PointerEvent): void => {
    const { pan, stage } = this;
    if (pan && e.pointerId === pan.id && stage) {
      e.stopPropagation();
      stage.scrollLeft = pan.left - (e.clientX - pan.x);
      stage.scrollTop = pan.top - (e.clientY - pan.y);
      return;
    }
    if (this.touches.has(e.pointerId)) this.touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (!this.pinchers.has(e.pointerId)) return;
    e.stopPropagation();
    const p = this.pinch;
    if (!p || this.touches.size < 2) return;
    // Zoom by the fingers' spread and keep the image point that was between them between them.
    const [a, b] = [...this.touches.values()] as [Point, Point];
    const m = midpoint(a, b);
    const zoom = pinchZoom(p.zoom, p.distance, Math.hypot(a.x - b.x, a.y - b.y));
    void this.zoomAround(zoom, { ...p.anchor, ...m }, () => this.pinch === p);
  };

  private onPointerEnd = (e: PointerEvent): void => {
    if (this.pan && e.pointerId === this.pan.id) {
      e.stopPropagation();
      this.pan = null;
      return;
    }
    // Lifting reaches the canvas, which ends (and drops) an aborted stroke.
    this.touches.delete(e.pointerId);
    this.pinchers.delete(e.pointerId);
    if (this.touches.size < 2) this.pinch = null;
  };

  /** A plain wheel or a pinch zooms around the pointer; Shift+wheel or a sideways swipe pans (view.ts). */
  onWheel = (e: WheelEvent): void => {
    const { stage, frame } = this;
    if (!stage || !frame) return;
    e.preventDefault();
    const action = wheelAction(this.zoom, e);
    if (action.kind === 'pan') {
      stage.scrollLeft += action.dx;
      stage.scrollTop += action.dy;
      return;
    }
    if (action.zoom === this.zoom) return;
    // A run of wheel events with the pointer still zooms around the same image point, so the rounding of the
    // frame's size and of the scroll position does not creep from one event to the next.
    const last = this.wheel;
    const anchor =
      last &&
      last.anchor.x === e.clientX &&
      last.anchor.y === e.clientY &&
      e.timeStamp - last.at < WHEEL_GESTURE_MS
        ? last.anchor
        : this.anchorAt({ x: e.clientX, y: e.clientY });
    this.wheel = { anchor, at: e.timeStamp };
    void this.zoomAround(action.zoom, anchor);
  };

  /** The image point under a screen point, as fractions of the frame. */
  private anchorAt(at: Point): Anchor {
    const r = this.frame!.getBoundingClientRect();
    return { fx: (at.x - r.left) / r.width, fy: (at.y - r.top) / r.height, x: at.x, y: at.y };
  }

  /**
   * Sets the zoom, then (once the frame has its new size, and while `still` holds) scrolls so that the
   * anchor's image point is under its screen point again.
   */
  private async zoomAround(zoom: number, anchor: Anchor, still = () => true): Promise<void> {
    this.zoom = zoom;
    await tick();
    const { stage, frame } = this;
    if (!stage || !frame || !still()) return;
    const r = frame.getBoundingClientRect();
    stage.scrollLeft += anchorScroll(anchor.fx, r.left, r.width, anchor.x);
    stage.scrollTop += anchorScroll(anchor.fy, r.top, r.height, anchor.y);
    // Where the stage could not scroll that far (the image is centred in it, or at an edge), the image point
    // now under the screen point is the one to hold from here on.
    const after = frame.getBoundingClientRect();
    if (Math.abs(after.left + anchor.fx * after.width - anchor.x) > 1)
      anchor.fx = (anchor.x - after.left) / after.width;
    if (Math.abs(after.top + anchor.fy * after.height - anchor.y) > 1)
      anchor.fy = (anchor.y - after.top) / after.height;
  }
}
