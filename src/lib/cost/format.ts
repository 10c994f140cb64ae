/** Money and token counts for display. Pure. */
import { isExact, type Range } from './range';

/** Dollars with the precision small amounts need: $0.000075, $0.0041, $0.042, $1.27. */
export function formatUsd(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '$0.00';
  if (x < 0.000001) return '<$0.000001';
  if (x < 0.01) return `$${Number(x.toPrecision(2))}`;
  if (x < 1) return `$${x.toFixed(3)}`;
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A limit the user typed: two decimals unless it needs more ($0.50, $0.005). */
export function formatLimit(x: number): string {
  return Math.abs(x * 100 - Math.round(x * 100)) < 1e-9
    ? `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : formatUsd(x);
}

export function formatUsdRange(r: Range): string {
  return isExact(r) || formatUsd(r.low) === formatUsd(r.high)
    ? formatUsd(r.point)
    : `${formatUsd(r.low)}–${formatUsd(r.high)}`;
}

export const formatTokens = (x: number): string => Math.round(x).toLocaleString('en-US');

export function formatTokenRange(r: Range): string {
  return isExact(r) ? formatTokens(r.point) : `${formatTokens(r.low)}–${formatTokens(r.high)}`;
}

/** "≈ " before a number that is an estimate. */
export const approx = (r: Range, always = false): string => (always || !isExact(r) ? '≈ ' : '');
