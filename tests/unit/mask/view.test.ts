import { describe, expect, it } from 'vitest';
import {
  anchorScroll,
  backingScale,
  fitScale,
  keyAction,
  MAX_ZOOM,
  MIN_ZOOM,
  pinchZoom,
  wheelAction,
  wheelPixels,
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

describe('wheel', () => {
  const wheel = (e: Partial<Parameters<typeof wheelAction>[1]>) => ({
    deltaX: 0,
    deltaY: 0,
    deltaMode: 0,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    ...e,
  });
  const zoomOf = (a: ReturnType<typeof wheelAction>) => (a.kind === 'zoom' ? a.zoom : NaN);

  it('a plain wheel zooms: 1.25× a notch in (up), the same out (down)', () => {
    expect(zoomOf(wheelAction(1, wheel({ deltaY: -100 })))).toBeCloseTo(1.25, 9);
    expect(zoomOf(wheelAction(2, wheel({ deltaY: 100 })))).toBeCloseTo(1.6, 9);
    // Half a notch (a smooth wheel) zooms by the square root; three lines (Firefox) are about a notch.
    expect(zoomOf(wheelAction(1, wheel({ deltaY: -50 })))).toBeCloseTo(Math.sqrt(1.25), 9);
    expect(zoomOf(wheelAction(1, wheel({ deltaY: -3, deltaMode: 1 })))).toBeCloseTo(1.25 ** 1.2, 9);
  });

  it('Ctrl/⌘+wheel (a trackpad pinch) follows the pinch scale, capped at 1.5× an event', () => {
    expect(zoomOf(wheelAction(1, wheel({ deltaY: -100 * Math.log(1.1), ctrlKey: true })))).toBeCloseTo(
      1.1,
      9,
    );
    expect(zoomOf(wheelAction(1, wheel({ deltaY: 100 * Math.log(1.1), metaKey: true })))).toBeCloseTo(
      1 / 1.1,
      9,
    );
    expect(zoomOf(wheelAction(1, wheel({ deltaY: -100, ctrlKey: true })))).toBe(1.5);
  });

  it('stays within the zoom range', () => {
    expect(zoomOf(wheelAction(MAX_ZOOM, wheel({ deltaY: -100 })))).toBe(MAX_ZOOM);
    expect(zoomOf(wheelAction(MIN_ZOOM, wheel({ deltaY: 100 })))).toBe(MIN_ZOOM);
  });

  it('Shift+wheel pans sideways, and so does a mostly sideways swipe', () => {
    expect(wheelAction(1, wheel({ deltaY: 100, shiftKey: true }))).toEqual({ kind: 'pan', dx: 100, dy: 0 });
    expect(wheelAction(1, wheel({ deltaX: 30, deltaY: 4 }))).toEqual({ kind: 'pan', dx: 30, dy: 4 });
    // Some platforms already turn Shift+wheel into deltaX.
    expect(wheelAction(1, wheel({ deltaX: 100, shiftKey: true }))).toEqual({ kind: 'pan', dx: 100, dy: 0 });
  });

  it('counts lines and pages in pixels', () => {
    expect([wheelPixels(3, 0), wheelPixels(3, 1), wheelPixels(1, 2)]).toEqual([3, 120, 800]);
  });
});

describe('backing scale of the editor canvas', () => {
  it('follows the shown size in quarter-octave steps, rounded up, never above the image’s pixels', () => {
    // A 3840-wide image shown 1150 px wide: 0.2995 → the next step up, 2^(−7/4) ≈ 0.297 is too small.
    expect(backingScale(1150, 3840)).toBeCloseTo(2 ** -1.5, 6);
    expect(backingScale(1150, 3840)).toBeGreaterThanOrEqual(1150 / 3840);
    // Exactly on a step stays there; shown at or above its own size, 1.
    expect(backingScale(1920, 3840)).toBe(0.5);
    expect(backingScale(3840, 3840)).toBe(1);
    expect(backingScale(8000, 3840)).toBe(1);
    // The device pixel ratio counts: a 2× screen needs twice the pixels.
    expect(backingScale(960, 3840, 2)).toBe(0.5);
  });

  it('changes only when the shown size crosses a step (a pinch does not re-render every move)', () => {
    const steps = new Set(Array.from({ length: 200 }, (_, i) => backingScale(1000 + i, 3840)));
    expect(steps.size).toBeLessThanOrEqual(2);
  });

  it('falls back to 1 for a size it cannot use', () => {
    expect(backingScale(0, 3840)).toBe(1);
    expect(backingScale(NaN, 3840)).toBe(1);
    expect(backingScale(100, 0)).toBe(1);
  });
});
