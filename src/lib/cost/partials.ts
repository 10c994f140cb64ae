/**
 * A request cut or cancelled after only partial images arrived: no usage came back, yet each partial may have
 * been billed (+100 image output tokens, wire.md §8). It is counted at those tokens, as an estimate. Pure.
 */
import type { TurnRecord } from '../conversation/tree';
import type { Prices } from '../models/types';
import { formatTokens, formatUsd } from './format';
import type { Range } from './range';
import { PARTIAL_IMAGE_TOKENS } from './tokens';

export interface PartialsOnly {
  partials: number;
  tokens: number;
  /** low 0 (the partials may not have been billed), point and high all partials; null without a price. */
  usd: Range | null;
}

export function partialsOnlyCost(partials: number, prices: Prices | null): PartialsOnly | null {
  if (!(partials > 0)) return null;
  const tokens = partials * PARTIAL_IMAGE_TOKENS;
  const rate = prices?.imageOut;
  const usd =
    rate === undefined ? null : { low: 0, point: (tokens * rate) / 1e6, high: (tokens * rate) / 1e6 };
  return { partials, tokens, usd };
}

/** Partials a turn streamed while none of its images finished (0 when any image finished). */
export function turnPartialsOnly(turn: Pick<TurnRecord, 'images'>): number {
  if (turn.images.some((i) => i.blob !== null)) return 0;
  return turn.images.reduce((sum, i) => sum + Math.max(0, i.partialIndex + 1), 0);
}

/** The cost line's words: what arrived and why the amount is an estimate. */
export function describePartialsOnly(p: PartialsOnly): { amount: string; parts: string } {
  const what = `${p.partials} partial image${p.partials > 1 ? 's' : ''}`;
  return {
    amount: p.usd ? `≈ ${formatUsd(p.usd.point)}` : 'price unknown',
    parts: `only ${what} arrived and no usage came back: counted at ${p.partials > 1 ? 'their' : 'its'} ${formatTokens(p.tokens)} image output tokens (${p.partials} × ${PARTIAL_IMAGE_TOKENS}), an estimate — partials may be billed`,
  };
}
