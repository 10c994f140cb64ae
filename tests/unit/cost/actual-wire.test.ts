/**
 * Actual cost from usage bodies copied verbatim from /work/shared/reference/wire.md (the examples as the
 * reference prints them, with their inconsistencies), at the registry's prices.
 */
import { describe, expect, it } from 'vitest';
import type { ImageUsage } from '../../../src/lib/api/images';
import { actualCost } from '../../../src/lib/cost/actual';
import { effectivePrices } from '../../../src/lib/cost/prices';

// wire.md §1, ImagesResponse example: "usage" (GPT image models only). Its output_tokens (50) does not match its
// own output_tokens_details (272 + 209): the details are what the parts are priced from.
const IMAGES_RESPONSE_USAGE = JSON.parse(`{
    "input_tokens": 50, "output_tokens": 50, "total_tokens": 100,
    "input_tokens_details": { "text_tokens": 10, "image_tokens": 40 },
    "output_tokens_details": { "image_tokens": 272, "text_tokens": 209 }
  }`) as ImageUsage;

// wire.md §4, the streamed image_generation.completed event's "usage" (no output_tokens_details).
const STREAM_COMPLETED_USAGE = JSON.parse(
  `{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}`,
) as ImageUsage;

const parts = (c: ReturnType<typeof actualCost>) =>
  Object.fromEntries(c.lines.map((l) => [l.part, l.tokens]));

describe('actual cost from wire.md’s usage examples', () => {
  it('§1 ImagesResponse at gpt-image-1.5 prices: every part, text output included', () => {
    const c = actualCost(IMAGES_RESPONSE_USAGE, effectivePrices('gpt-image-1.5', {}));
    expect(parts(c)).toEqual({ textIn: 10, imageIn: 40, imageOut: 272, textOut: 209 });
    // 10 × $5 + 40 × $8 + 272 × $32 + 209 × $10, per 1M tokens.
    expect(c.usd).toBeCloseTo(0.011164, 12);
    expect(c.unpriced).toEqual([]);
  });

  it('§1 ImagesResponse at gpt-image-1 prices: text output has no price there, and says so', () => {
    const c = actualCost(IMAGES_RESPONSE_USAGE, effectivePrices('gpt-image-1', {}));
    expect(c.usd).toBeCloseTo((10 * 5 + 40 * 10 + 272 * 40) / 1e6, 12);
    expect(c.unpriced).toEqual(['textOut']);
  });

  it('§4 stream completed event at gpt-image-2 prices: all output is image output', () => {
    const c = actualCost(STREAM_COMPLETED_USAGE, effectivePrices('gpt-image-2', {}));
    expect(parts(c)).toEqual({ textIn: 10, imageIn: 40, imageOut: 50 });
    // 10 × $5 + 40 × $8 + 50 × $30, per 1M tokens.
    expect(c.usd).toBeCloseTo(0.00187, 12);
  });

  it('a model without prices: tokens are counted, dollars are unknown', () => {
    const c = actualCost(STREAM_COMPLETED_USAGE, effectivePrices('dall-e-2', {}));
    expect(c.tokens).toBe(100);
    expect(c.usd).toBeNull();
  });
});
