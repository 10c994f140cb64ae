/**
 * Token estimates for one request's parts: prompt text, input images, output images. Pure.
 * Facts: wire.md §8 and models-2026-11 §2.4 (shared reference). Everything here is an estimate except the
 * published table at its own sizes and qualities; the bill comes from the response's `usage`.
 */
import { parseSize } from '../models/sizes';
import { GPT_IMAGE_1_TOKENS } from '../models/tokens';
import type { OutputTokenTable } from '../models/types';
import { calibrationKey, type CalibrationTable } from './calibration';
import { exact, type Range } from './range';

export const STANDARD_SIZES = ['1024x1024', '1024x1536', '1536x1024'] as const;
export const AUTO_QUALITIES = ['low', 'medium', 'high'] as const;
const BASE_PIXELS = 1024 * 1024;
/** Each streamed partial image costs this many extra image output tokens (GUIDE "Partial images cost"). */
export const PARTIAL_IMAGE_TOKENS = 100;

/** Qualities above high (2.5 xhigh/max) have no published figure: a guess relative to high, then calibrated. */
export const BEYOND_HIGH: Readonly<Record<string, number>> = { xhigh: 1.5, max: 2 };
/** Per-image tokens back-computed from rounded prices are within about this factor. */
const DERIVED_SPREAD: [number, number] = [0.9, 1.1];

/** How far an area-scaled estimate may be off, by how many real responses have calibrated it. */
export function areaSpread(samples: number): [number, number] {
  if (samples >= 3) return [0.9, 1.1];
  if (samples >= 1) return [0.8, 1.25];
  return [0.6, 1.8];
}

/** Prompt text: about 4 characters per token (English); fewer for code or CJK, so the top is ~2 per token. */
export function textInputTokens(chars: number): Range {
  if (chars <= 0) return exact(0);
  return { low: Math.ceil(chars / 5), point: Math.ceil(chars / 4), high: Math.ceil(chars / 2) };
}

/** One 1024×1024 image at `quality` on a flexible-size model, before calibration; null for unknown qualities. */
export function baseTokens1024(quality: string): number | null {
  const high = GPT_IMAGE_1_TOKENS.perImage.high!['1024x1024']!;
  const table = GPT_IMAGE_1_TOKENS.perImage[quality]?.['1024x1024'];
  if (table !== undefined) return table;
  const factor = BEYOND_HIGH[quality];
  return factor ? Math.round(high * factor) : null;
}

/** The uncalibrated area-scaled estimate for one image (an animated GIF draws every frame). */
export function areaTokens(quality: string, pixels: number, frames = 1): number | null {
  const base = baseTokens1024(quality);
  return base === null ? null : (base * pixels * Math.max(1, frames)) / BASE_PIXELS;
}

export type OutputBasis = 'published' | 'derived' | 'area';

export interface OutputTokenEstimate {
  /** Image output tokens for ONE image. */
  tokens: Range;
  basis: OutputBasis;
  /** Responses that calibrated the point quality (area basis only). */
  samples: number;
  /** Qualities and sizes the range covers (several when the request leaves them to the model). */
  qualities: string[];
  sizes: string[];
}

export interface OutputTokenInput {
  /** The canonical model id (calibration is per model and quality). */
  model: string;
  table?: OutputTokenTable;
  /** 'auto' or '' leaves it to the model: low..high, medium as the point. */
  quality: string;
  /** 'auto' or "WxH". */
  size: string;
  frames: number;
  calibration: CalibrationTable;
}

/** Image output tokens for one image; null when the quality or size is one the estimator knows nothing about. */
export function imageOutputTokens(i: OutputTokenInput): OutputTokenEstimate | null {
  const autoQuality = i.quality === 'auto' || i.quality === '';
  const qualities: string[] = autoQuality ? [...AUTO_QUALITIES] : [i.quality];
  const pointQuality = autoQuality ? 'medium' : i.quality;
  const sizes: string[] = i.size === 'auto' ? [...STANDARD_SIZES] : [i.size];
  const pointSize = sizes[0]!;
  const pixels = (s: string) => {
    const d = parseSize(s);
    return d ? d.width * d.height : null;
  };
  if (sizes.some((s) => pixels(s) === null)) return null;

  const inTable = (q: string, s: string) => i.table?.perImage[q]?.[s];
  if (i.table && qualities.every((q) => sizes.every((s) => inTable(q, s) !== undefined))) {
    const [lo, hi] = i.table.basis === 'derived' ? DERIVED_SPREAD : [1, 1];
    const all = qualities.flatMap((q) => sizes.map((s) => inTable(q, s)!));
    return {
      tokens: {
        low: Math.round(Math.min(...all) * lo),
        point: inTable(pointQuality, pointSize)!,
        high: Math.round(Math.max(...all) * hi),
      },
      basis: i.table.basis,
      samples: 0,
      qualities,
      sizes,
    };
  }

  let low = Infinity;
  let high = 0;
  let point = 0;
  for (const q of qualities) {
    const cal = i.calibration[calibrationKey(i.model, q)];
    const [lo, hi] = areaSpread(cal?.samples ?? 0);
    for (const s of sizes) {
      const base = areaTokens(q, pixels(s)!, i.frames);
      if (base === null) return null;
      const v = base * (cal?.ratio ?? 1);
      low = Math.min(low, v * lo);
      high = Math.max(high, v * hi);
      if (q === pointQuality && s === pointSize) point = v;
    }
  }
  const samples = i.calibration[calibrationKey(i.model, pointQuality)]?.samples ?? 0;
  return {
    tokens: { low: Math.round(low), point: Math.round(point), high: Math.round(high) },
    basis: 'area',
    samples,
    qualities,
    sizes,
  };
}

/** A reference image or mask sent with an edit or a conversation turn. */
export interface InputImage {
  width: number;
  height: number;
  /**
   * A mask is tokenised like an image but never at high fidelity. 'context': the earlier image a conversation
   * turn continues from (tokenised like a reference; how much of a stored conversation is billed is not published).
   */
  role?: 'reference' | 'mask' | 'context';
}

/** Image input tokenisation (third-party analysis of gpt-image-1 billing): short side → 512, 512-px tiles. */
export const INPUT_TILE = 512;
export const INPUT_BASE_TOKENS = 65;
export const INPUT_TILE_TOKENS = 129;

/** Tokens for one input image. High input fidelity adds about the high-quality output tokens for its shape. */
export function imageInputTokens(img: InputImage, fidelity: 'low' | 'high'): Range {
  const short = Math.min(img.width, img.height);
  if (!(short > 0)) return exact(0);
  const scale = INPUT_TILE / short;
  const tiles =
    Math.ceil((img.width * scale) / INPUT_TILE - 1e-9) * Math.ceil((img.height * scale) / INPUT_TILE - 1e-9);
  const base = INPUT_BASE_TOKENS + INPUT_TILE_TOKENS * tiles;
  if (fidelity === 'low' || img.role === 'mask')
    return { low: Math.round(base * 0.8), point: base, high: Math.round(base * 1.5) };
  const aspect = img.width / img.height;
  const shape = aspect > 1.1 ? '1536x1024' : aspect < 0.9 ? '1024x1536' : '1024x1024';
  const extra = GPT_IMAGE_1_TOKENS.perImage.high![shape]!;
  const point = base + extra;
  return { low: Math.round(base * 0.8 + extra * 0.7), point, high: Math.round(base * 1.5 + extra * 1.3) };
}
