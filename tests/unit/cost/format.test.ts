import { describe, expect, it } from 'vitest';
import { formatLimit, formatTokenRange, formatUsd, formatUsdRange } from '../../../src/lib/cost/format';

describe('formatUsd keeps small amounts readable', () => {
  it.each([
    [0, '$0.00'],
    [0.0000004, '<$0.000001'],
    [0.000075, '$0.000075'],
    [0.00418, '$0.0042'],
    [0.006, '$0.006'],
    [0.0417, '$0.042'],
    [0.167, '$0.167'],
    [1.2749, '$1.27'],
    [1234.5, '$1,234.50'],
    [Number.NaN, '—'],
  ])('%s → %s', (x, want) => {
    expect(formatUsd(x)).toBe(want);
  });
});

describe('ranges and limits', () => {
  it.each([
    [{ low: 0.01, point: 0.04, high: 0.17 }, '$0.010–$0.170'],
    [{ low: 0.04, point: 0.04, high: 0.04 }, '$0.040'],
    [{ low: 0.04001, point: 0.04002, high: 0.04003 }, '$0.040'],
  ])('%o → %s', (r, want) => {
    expect(formatUsdRange(r)).toBe(want);
  });

  it.each([
    [{ low: 272, point: 1056, high: 4160 }, '272–4,160'],
    [{ low: 1056, point: 1056, high: 1056 }, '1,056'],
  ])('tokens %o → %s', (r, want) => {
    expect(formatTokenRange(r)).toBe(want);
  });

  it.each([
    [0.5, '$0.50'],
    [20, '$20.00'],
    [0.005, '$0.005'],
  ])('limit %s → %s', (x, want) => {
    expect(formatLimit(x)).toBe(want);
  });
});
