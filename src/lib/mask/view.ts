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
