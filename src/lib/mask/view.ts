/** The mask editor's view and keyboard rules, pure (no fabric, no DOM). */
import type { MaskTool } from './editor';

const ZOOMS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8];

/** The next zoom level up (dir 1) or down (−1) from `zoom` (1 = fit). */
export function zoomStep(zoom: number, dir: 1 | -1): number {
  if (dir > 0) return ZOOMS.find((z) => z > zoom + 1e-6) ?? ZOOMS[ZOOMS.length - 1]!;
  return [...ZOOMS].reverse().find((z) => z < zoom - 1e-6) ?? ZOOMS[0]!;
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
