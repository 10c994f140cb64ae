/**
 * What an edit changed where it should not have: a heat map over the result, pure over pixel data. Outside the
 * mask (mask alpha 255) every pixel that differs from the original is coloured by how much it differs (dark red
 * for a level or two, through orange to white-hot for large changes); unchanged pixels show the result in dim
 * grey for orientation; the area the mask allowed to change is tinted blue.
 */
import type { MaskPixels, Pixels } from './alpha';

export interface ChangeStats {
  /** Pixels fully outside the mask (mask alpha 255). */
  outside: number;
  /** Of those, how many differ from the original in any colour channel by more than the threshold. */
  changed: number;
  /** Largest per-channel difference outside the mask (0…255). */
  maxDelta: number;
  /** Mean largest-channel difference over the changed pixels (0 when none changed). */
  meanDelta: number;
}

export interface ChangeMap {
  pixels: MaskPixels;
  stats: ChangeStats;
}

/** Heat colour for a difference d (1…255): dark red → red → orange → yellow → white, readable even for d = 1. */
export function heatColour(d: number): [number, number, number] {
  // A square-root ramp so that the drift of a level or two is visible, and big changes saturate.
  const t = Math.sqrt(Math.min(255, Math.max(1, d)) / 255);
  const r = Math.round(140 + 115 * Math.min(1, t * 2));
  const g = Math.round(255 * Math.max(0, Math.min(1, (t - 0.25) / 0.55)));
  const b = Math.round(255 * Math.max(0, (t - 0.75) / 0.25));
  return [r, g, b];
}

/**
 * The heat map of `result` against `original` outside `mask` (all three the same size, RGBA). A difference
 * counts when the largest channel difference is above `threshold` (0: any change at all).
 */
export function changesOutsideMask(original: Pixels, result: Pixels, mask: Pixels, threshold = 0): ChangeMap {
  const { width, height } = result;
  for (const p of [original, mask])
    if (p.width !== width || p.height !== height)
      throw new RangeError(`Sizes differ: ${p.width}×${p.height} vs ${width}×${height}`);
  const o = original.data;
  const r = result.data;
  const m = mask.data;
  const out = new Uint8ClampedArray(width * height * 4);
  const ramp: [number, number, number][] = Array.from({ length: 256 }, (_, d) => heatColour(d));
  let outside = 0;
  let changed = 0;
  let maxDelta = 0;
  let sum = 0;
  for (let i = 0; i < r.length; i += 4) {
    const grey = (r[i]! * 54 + r[i + 1]! * 183 + r[i + 2]! * 19) >> 8;
    out[i + 3] = 255;
    if (m[i + 3] !== 255) {
      // Inside the mask (or on its feathered edge): allowed to change. Blue tint.
      out[i] = grey >> 2;
      out[i + 1] = (grey >> 2) + 20;
      out[i + 2] = 70 + (grey >> 2);
      continue;
    }
    outside++;
    const d = Math.max(
      Math.abs(r[i]! - o[i]!),
      Math.abs(r[i + 1]! - o[i + 1]!),
      Math.abs(r[i + 2]! - o[i + 2]!),
    );
    if (d > threshold) {
      changed++;
      sum += d;
      if (d > maxDelta) maxDelta = d;
      const c = ramp[d]!;
      out[i] = c[0];
      out[i + 1] = c[1];
      out[i + 2] = c[2];
    } else {
      const v = grey >> 1;
      out[i] = v;
      out[i + 1] = v;
      out[i + 2] = v;
    }
  }
  return {
    pixels: { width, height, data: out },
    stats: { outside, changed, maxDelta, meanDelta: changed ? sum / changed : 0 },
  };
}

/** One line for the result view: how much of the outside changed. */
export function describeChanges(s: ChangeStats): string {
  if (s.outside === 0) return 'The mask covers the whole image: there is no outside to compare.';
  if (s.changed === 0) return 'Nothing changed outside the mask: every pixel there matches the original.';
  const pct = (100 * s.changed) / s.outside;
  const shown = pct < 0.1 ? '< 0.1' : pct.toFixed(pct < 10 ? 1 : 0);
  return `${shown}% of the pixels outside the mask changed (largest difference ${s.maxDelta} of 255, average ${s.meanDelta.toFixed(1)}).`;
}
