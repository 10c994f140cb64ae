/** A request's cost in words, for the line under its result. Pure. */
import type { ActualCost, EstimateCheck } from './actual';
import { PART_LABELS } from './estimate';
import { formatTokenRange, formatTokens, formatUsd, formatUsdRange } from './format';
import type { Range } from './range';
import type { TurnCost } from './turn';

/** "text input 12 · image output 1,256 tokens; no price for text output". */
export function describeParts(actual: ActualCost): string {
  const lines = actual.lines.map((l) => `${PART_LABELS[l.part].toLowerCase()} ${formatTokens(l.tokens)}`);
  const unpriced = actual.unpriced.map((p) => PART_LABELS[p].toLowerCase());
  return `${lines.join(' · ')} tokens${unpriced.length ? `; no price for ${unpriced.join(', ')}` : ''}`;
}

/** "Estimated ≈ $0.042 ($0.03–$0.05) — actual 4% below the estimate, within its range". */
export function describeEstimate(estimate: Range | null, check: EstimateCheck | null): string {
  if (!estimate) return '';
  const range = estimate.low !== estimate.high ? ` (${formatUsdRange(estimate)})` : '';
  return `Estimated ≈ ${formatUsd(estimate.point)}${range}${check ? ` — actual ${check.text}` : ''}`;
}

/** A conversation turn: the amount and what it is made of, image tool and mainline model apart. */
export function describeTurn(c: TurnCost, mainline: string): { amount: string; parts: string } {
  const image = c.image
    ? `image tool: ${describeParts(c.image)}`
    : 'image tool: not reported by the server, counted at the estimate';
  const m = c.mainline;
  const text = m
    ? `${mainline}: ${formatTokens(m.inputTokens)} in${m.cachedTokens ? ` (${formatTokens(m.cachedTokens)} cached)` : ''} · ${formatTokens(m.outputTokens)} out tokens` +
      (m.usd === null
        ? ' — no text prices for this model, not included (add them in Costs and limits)'
        : ` ${formatUsd(m.usd)}`)
    : '';
  const amount = c.usd !== null ? formatUsd(c.usd) : c.image ? 'price unknown' : '—';
  return { amount, parts: [image, text].filter(Boolean).join('; ') };
}

/**
 * A library item's cost beside the estimate kept with it: "$0.042 for 2 images · estimated ≈ $0.03–$0.05
 * (≈ 1,100–2,400 tokens)". The estimate is always marked as one.
 */
export function describeStoredCost(
  cost: number | null,
  images: number,
  estimate: { usd: Range | null; tokens: Range | null } | null,
): string {
  const actual = cost === null ? 'unknown' : `${formatUsd(cost)}${images > 1 ? ` for ${images} images` : ''}`;
  if (!estimate) return actual;
  const usd = estimate.usd ? `≈ ${formatUsdRange(estimate.usd)}` : 'price unknown';
  const tokens = estimate.tokens ? ` (≈ ${formatTokenRange(estimate.tokens)} tokens)` : '';
  return `${actual} · estimated ${usd}${tokens}`;
}
