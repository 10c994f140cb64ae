/** The mask editor's view and keyboard rules, pure (no fabric, no DOM). */
import type { MaskTool } from './editor';

const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8];

/** The next zoom level up (dir 1) or down (−1) from `zoom` (1 = fit). */
export function zoomStep(zoom: number, dir: 1 | -1): number {
  if (dir > 0) return ZOOMS.find((z) => z > zoom + 1e-6) ?? ZOOMS[ZOOMS.length - 1]!;
  return [...ZOOMS].reverse().find((z) => z < zoom - 1e-6) ?? ZOOMS[0]!;
}

export const MIN_ZOOM = ZOOMS[0]!;
export const MAX_ZOOM = ZOOMS[ZOOMS.length - 1]!;

/** Zoom after a pinch: the start zoom scaled by how far the fingers moved apart, kept within the zoom range. */
export function pinchZoom(startZoom: number, startDistance: number, distance: number): number {
  if (!(startDistance > 0) || !(distance > 0)) return startZoom;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, (startZoom * distance) / startDistance));
}

/** Pixels a wheel delta stands for (`deltaMode` 1 counts lines, 2 pages). */
export function wheelPixels(delta: number, mode: number): number {
  return delta * (mode === 1 ? 40 : mode === 2 ? 800 : 1);
}

/** A plain wheel's notch (100 px) zooms by this much. */
const NOTCH_ZOOM = 1.25;

export type WheelAction = { kind: 'zoom'; zoom: number } | { kind: 'pan'; dx: number; dy: number };

/**
 * What a wheel turn does on the stage, as in image editors: a plain wheel zooms (1.25× a notch, towards the
 * pointer); Ctrl/⌘+wheel too, at the rate of a trackpad pinch (which browsers send as Ctrl+wheel, a scale s as
 * deltaY ≈ −100·ln s); Shift+wheel, or a mostly sideways swipe, pans.
 */
export function wheelAction(
  zoom: number,
  e: Pick<WheelEvent, 'deltaX' | 'deltaY' | 'deltaMode' | 'shiftKey' | 'ctrlKey' | 'metaKey'>,
): WheelAction {
  const dx = wheelPixels(e.deltaX, e.deltaMode);
  const dy = wheelPixels(e.deltaY, e.deltaMode);
  const pinch = e.ctrlKey || e.metaKey;
  if (!pinch && e.shiftKey) return { kind: 'pan', dx: dx || dy, dy: dx ? dy : 0 };
  if (!pinch && Math.abs(dx) > Math.abs(dy)) return { kind: 'pan', dx, dy };
  // A pinch follows the fingers; a mouse notch with Ctrl held is capped at 1.5× so it is not a leap.
  const factor = pinch ? Math.min(1.5, Math.max(1 / 1.5, Math.exp(-dy / 100))) : NOTCH_ZOOM ** (-dy / 100);
  return { kind: 'zoom', zoom: Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom * factor)) };
}

/**
 * How far to scroll so that the image point which was at `fraction` (0…1 across the frame) sits under the
 * screen position `at` again, after the frame moved to `frameStart` with size `frameSize` (one axis).
 */
export function anchorScroll(fraction: number, frameStart: number, frameSize: number, at: number): number {
  return frameStart + fraction * frameSize - at;
}

/** The scale that fits an image inside a box, never enlarging beyond 1:1 … unless the image is tiny. */
export function fitScale(
  image: { width: number; height: number },
  box: { width: number; height: number },
): number {
  if (box.width <= 0 || box.height <= 0) return 1;
  const s = Math.min(box.width / image.width, box.height / image.height);
  return Math.min(s, Math.max(1, Math.min(4, 512 / Math.max(image.width, image.height))));
}

/**
 * Backing pixels per image pixel for the editor's canvas shown `shown` CSS pixels wide: what the screen can
 * show, rounded up to a quarter octave (so a pinch re-renders now and then, not on every move), and never
 * more than 1 (zoomed in, the image's own pixels are enlarged).
 */
export function backingScale(shown: number, imageWidth: number, pixelRatio = 1): number {
  const s = (shown * pixelRatio) / imageWidth;
  if (!(s > 0) || !Number.isFinite(s)) return 1;
  return Math.min(1, 2 ** (Math.ceil(Math.log2(s) * 4 - 1e-9) / 4));
}

export type KeyAction = MaskTool | 'undo' | 'redo' | 'smaller' | 'bigger';

const TOOL_KEYS: Record<string, MaskTool> = { b: 'brush', e: 'eraser', r: 'rectangle', l: 'lasso' };

/** Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z or Ctrl+Y redo, [ ] brush size, B E R L tools. */
export function keyAction(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): KeyAction | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (mod && key === 'y') return 'redo';
  if (mod || e.altKey) return null;
  if (e.key === '[') return 'smaller';
  if (e.key === ']') return 'bigger';
  return TOOL_KEYS[key] ?? null;
}
