import { describe, expect, it } from 'vitest';
import { describeTurn } from '../../../src/lib/cost/describe';
import { effectivePrices } from '../../../src/lib/cost/prices';
import { imageToolUsage, mainlineCost, textPrices, turnCost } from '../../../src/lib/cost/turn';

// Recorded shapes: a Response's `usage` (mainline model) and `tool_usage.image_gen` (the image tool).
const USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 200, cache_write_tokens: 0 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 120 },
  total_tokens: 1500,
};
const IMAGE_GEN = {
  input_tokens: 50,
  input_tokens_details: { text_tokens: 10, image_tokens: 40 },
  output_tokens: 1256,
  total_tokens: 1306,
};
const PRICES_2 = effectivePrices('gpt-image-2', {})!; // $5 text in, $8 image in, $30 image out per 1M
const SOL = { textIn: 2, textInCached: 0.5, textOut: 8 };

describe('imageToolUsage', () => {
  it.each([
    ['missing', undefined, null],
    ['not an object', 'x', null],
    ['no image_gen', { web_search: { num_requests: 1 } }, null],
    ['all zero (no image made)', { image_gen: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } }, null],
    ['reported', { image_gen: IMAGE_GEN }, IMAGE_GEN],
  ])('%s', (_, toolUsage, expected) => {
    expect(imageToolUsage(toolUsage)).toEqual(expected);
  });
});

describe('textPrices', () => {
  it('needs text in and text out, from the user or the registry', () => {
    expect(textPrices('gpt-6.1-sol', {})).toBeNull();
    expect(
      textPrices('gpt-6.1-sol', { 'gpt-6.1-sol': { fields: { textIn: 2 }, editedOn: '2026-11-30' } }),
    ).toBeNull();
    expect(
      textPrices('gpt-6.1-sol', {
        'gpt-6.1-sol': { fields: { textIn: 2, textOut: 8 }, editedOn: '2026-11-30' },
      }),
    ).toEqual({ textIn: 2, textInCached: undefined, textOut: 8 });
    // gpt-image-1.5 carries text output in the registry.
    expect(textPrices('gpt-image-1.5', {})).toMatchObject({ textIn: 5, textOut: 10 });
  });
});

describe('mainlineCost', () => {
  it('prices uncached, cached and output tokens apart', () => {
    const m = mainlineCost(USAGE, SOL)!;
    expect(m).toMatchObject({ inputTokens: 1200, cachedTokens: 200, outputTokens: 300 });
    expect(m.usd).toBeCloseTo((1000 * 2 + 200 * 0.5 + 300 * 8) / 1e6, 12);
  });
  it('cached tokens at the full price when no cached price is set; none without usage', () => {
    expect(mainlineCost(USAGE, { textIn: 2, textOut: 8 })!.usd).toBeCloseTo((1200 * 2 + 300 * 8) / 1e6, 12);
    expect(mainlineCost(null, SOL)).toBeNull();
    expect(mainlineCost({ input_tokens: 0, output_tokens: 0 }, SOL)).toBeNull();
    expect(mainlineCost(USAGE, null)!.usd).toBeNull();
  });
});

describe('turnCost', () => {
  const image = (40 * 8 + 10 * 5 + 1256 * 30) / 1e6;
  it.each([
    [
      'both reported and priced',
      { usage: USAGE, toolUsage: { image_gen: IMAGE_GEN } },
      SOL,
      image + (1000 * 2 + 200 * 0.5 + 300 * 8) / 1e6,
      false,
    ],
    [
      'mainline unpriced: the image part only, flagged',
      { usage: USAGE, toolUsage: { image_gen: IMAGE_GEN } },
      null,
      image,
      true,
    ],
    [
      'no image usage reported: unknown (counts at the estimate)',
      { usage: USAGE, toolUsage: null },
      SOL,
      null,
      false,
    ],
    ['nothing reported', {}, SOL, null, false],
  ])('%s', (_, reported, mainlinePrices, usd, unpriced) => {
    const c = turnCost(reported, PRICES_2, mainlinePrices);
    if (usd === null) expect(c.usd).toBeNull();
    else expect(c.usd).toBeCloseTo(usd, 12);
    expect(c.mainlineUnpriced).toBe(unpriced);
  });

  it('an image model without prices gives no dollars, but its tokens', () => {
    const c = turnCost({ usage: USAGE, toolUsage: { image_gen: IMAGE_GEN } }, null, SOL);
    expect(c.usd).toBeNull();
    expect(c.image!.tokens).toBe(1306);
  });
});

describe('describeTurn', () => {
  it('names both parts and says when the mainline part is left out', () => {
    const c = turnCost({ usage: USAGE, toolUsage: { image_gen: IMAGE_GEN } }, PRICES_2, null);
    const d = describeTurn(c, 'gpt-6.1-sol');
    expect(d.amount).toBe('$0.038');
    expect(d.parts).toContain('image tool: text input 10 · image input 40 · image output 1,256 tokens');
    expect(d.parts).toContain('gpt-6.1-sol: 1,200 in (200 cached) · 300 out tokens — no text prices');
  });
  it('says the image part was not reported', () => {
    const d = describeTurn(turnCost({ usage: USAGE }, PRICES_2, SOL), 'gpt-6.1-sol');
    expect(d.amount).toBe('—');
    expect(d.parts).toContain('not reported by the server, counted at the estimate');
    expect(d.parts).toMatch(/300 out tokens \$0\.0045/);
  });
});
