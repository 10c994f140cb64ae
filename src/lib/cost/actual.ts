/** The actual cost of a request, from the `usage` its response reported, at the model's prices. Pure. */
import type { ImageUsage } from '../api/images';
import type { Prices } from '../models/types';
import type { CostPart } from './estimate';
import type { Range } from './range';

export interface ActualLine {
  part: CostPart;
  tokens: number;
  /** null when the model has no price for this part. */
  usd: number | null;
}

export interface ActualCost {
  lines: ActualLine[];
  tokens: number;
  /** The priced parts' sum; null when the model has no prices at all. */
  usd: number | null;
  /** Parts the response billed that have no price here (their cost is not in `usd`). */
  unpriced: CostPart[];
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** Splits usage into parts; missing details fall back to "all text in" and "all image out". */
export function usageParts(usage: ImageUsage): Record<'textIn' | 'imageIn' | 'imageOut' | 'textOut', number> {
  const imageIn = count(usage.input_tokens_details?.image_tokens);
  const textIn =
    usage.input_tokens_details?.text_tokens !== undefined
      ? count(usage.input_tokens_details.text_tokens)
      : Math.max(0, count(usage.input_tokens) - imageIn);
  const textOut = count(usage.output_tokens_details?.text_tokens);
  const imageOut =
    usage.output_tokens_details?.image_tokens !== undefined
      ? count(usage.output_tokens_details.image_tokens)
      : Math.max(0, count(usage.output_tokens) - textOut);
  return { textIn, imageIn, imageOut, textOut };
}

export function actualCost(usage: ImageUsage, prices: Prices | null): ActualCost {
  const parts = usageParts(usage);
  const rate: Record<keyof typeof parts, number | undefined> = {
    textIn: prices?.textIn,
    imageIn: prices?.imageIn,
    imageOut: prices?.imageOut,
    textOut: prices?.textOut,
  };
  const lines: ActualLine[] = (Object.keys(parts) as (keyof typeof parts)[])
    .filter((part) => parts[part] > 0 || part === 'imageOut')
    .map((part) => ({
      part,
      tokens: parts[part],
      usd: rate[part] === undefined ? null : (parts[part] * rate[part]!) / 1e6,
    }));
  const unpriced = prices ? lines.filter((l) => l.usd === null).map((l) => l.part) : [];
  return {
    lines,
    tokens: lines.reduce((a, l) => a + l.tokens, 0),
    usd: prices ? lines.reduce((a, l) => a + (l.usd ?? 0), 0) : null,
    unpriced,
  };
}

export interface EstimateCheck {
  /** actual ÷ the point estimate. */
  ratio: number;
  withinRange: boolean;
  /** "within the estimated range, 4% below the point estimate" and the like. */
  text: string;
}

/** How far the estimate was off, in words the user can learn from. */
export function compareWithEstimate(actualUsd: number, estimate: Range): EstimateCheck | null {
  if (!(estimate.point > 0)) return null;
  const ratio = actualUsd / estimate.point;
  const tolerance = 1e-9;
  const withinRange = actualUsd >= estimate.low - tolerance && actualUsd <= estimate.high + tolerance;
  const pct = Math.round(Math.abs(ratio - 1) * 100);
  const off =
    pct === 0
      ? 'the same as the estimate'
      : ratio >= 2
        ? `${ratio.toFixed(1)}× the estimate`
        : `${pct}% ${ratio > 1 ? 'above' : 'below'} the estimate`;
  return { ratio, withinRange, text: withinRange ? `${off}, within its range` : `${off}, outside its range` };
}
