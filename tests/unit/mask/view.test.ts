import { describe, expect, it } from 'vitest';
import {
  anchorScroll,
  fitScale,
  keyAction,
  MAX_ZOOM,
  MIN_ZOOM,
  pinchZoom,
  zoomStep,
} from '../../../src/lib/mask/view';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) =>
  keyAction({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('mask editor view rules', () => {
  it.each([
    ['z', { ctrlKey: true }, 'undo'],
    ['z', { metaKey: true }, 'undo'],
    ['Z', { ctrlKey: true, shiftKey: true }, 'redo'],
    ['y', { ctrlKey: true }, 'redo'],
    ['[', {}, 'smaller'],
    [']', {}, 'bigger'],
    ['b', {}, 'brush'],
    ['E', {}, 'eraser'],
    ['r', {}, 'rectangle'],
    ['l', {}, 'lasso'],
    ['x', {}, null],
    ['b', { ctrlKey: true }, null],
  ] as const)('%s %o → %s', (k, mods, action) => {
    expect(key(k, mods)).toBe(action);
  });

  it('steps zoom through fixed levels and stops at the ends', () => {
    expect(zoomStep(1, 1)).toBe(1.5);
    expect(zoomStep(1, -1)).toBe(0.75);
    expect(zoomStep(8, 1)).toBe(8);
    expect(zoomStep(0.25, -1)).toBe(0.25);
    expect(zoomStep(1.2, 1)).toBe(1.5);
  });

  it('fits an image in the box without enlarging big images', () => {
    expect(fitScale({ width: 3840, height: 2160 }, { width: 960, height: 600 })).toBeCloseTo(0.25);
    expect(fitScale({ width: 1024, height: 1024 }, { width: 2000, height: 2000 })).toBe(1);
    expect(fitScale({ width: 64, height: 64 }, { width: 2000, height: 2000 })).toBe(4);
  });
});

describe('pinch zoom', () => {
  it('scales the start zoom by the change in finger distance, within the zoom range', () => {
    expect(pinchZoom(1, 100, 150)).toBe(1.5);
    expect(pinchZoom(2, 200, 100)).toBe(1);
    expect(pinchZoom(4, 100, 1000)).toBe(MAX_ZOOM);
    expect(pinchZoom(0.5, 100, 10)).toBe(MIN_ZOOM);
    expect(pinchZoom(1.5, 0, 40)).toBe(1.5); // no distance yet: unchanged
  });

  it('scrolls so the point under the fingers stays under them', () => {
    // The point a quarter across a 400-px frame at x = 100 was at 200; the frame is now 800 px from x = 0.
    expect(anchorScroll(0.25, 0, 800, 200)).toBe(0);
    expect(anchorScroll(0.5, -100, 800, 200)).toBe(100);
  });
});
