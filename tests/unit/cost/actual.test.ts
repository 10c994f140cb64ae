import { describe, expect, it } from 'vitest';
import type { ImageUsage } from '../../../src/lib/api/images';
import { actualCost, compareWithEstimate, usageParts } from '../../../src/lib/cost/actual';
import { defaultPrices } from '../../../src/lib/cost/prices';

/** Usage bodies in the shapes wire.md §1 shows (ImageGenUsage), as recorded. */
const USAGE = {
  wireExample: {
    input_tokens: 50,
    output_tokens: 50,
    total_tokens: 100,
    input_tokens_details: { text_tokens: 10, image_tokens: 40 },
  },
  gpt15WithTextOut: {
    input_tokens: 50,
    output_tokens: 481,
    total_tokens: 531,
    input_tokens_details: { text_tokens: 10, image_tokens: 40 },
    output_tokens_details: { image_tokens: 272, text_tokens: 209 },
  },
  streamedMedium2Partials: {
    input_tokens: 12,
    output_tokens: 1256,
    total_tokens: 1268,
    input_tokens_details: { text_tokens: 12, image_tokens: 0 },
    output_tokens_details: { image_tokens: 1256, text_tokens: 0 },
  },
  editWithImages: {
    input_tokens: 4400,
    output_tokens: 4160,
    total_tokens: 8560,
    input_tokens_details: { text_tokens: 46, image_tokens: 4354 },
    output_tokens_details: { image_tokens: 4160, text_tokens: 0 },
  },
  noDetails: { input_tokens: 20, output_tokens: 1056, total_tokens: 1076 },
  textOutOn2x: {
    input_tokens: 10,
    output_tokens: 1100,
    total_tokens: 1110,
    input_tokens_details: { text_tokens: 10, image_tokens: 0 },
    output_tokens_details: { image_tokens: 1000, text_tokens: 100 },
  },
} satisfies Record<string, ImageUsage>;

describe('actualCost from usage × the model’s prices', () => {
  it.each([
    {
      name: 'wire example on 2.6 (no output details: all output is image)',
      usage: USAGE.wireExample,
      model: 'gpt-image-2.6-flare',
      parts: { textIn: 10, imageIn: 40, imageOut: 50, textOut: 0 },
      usd: (10 * 5 + 40 * 8 + 50 * 30) / 1e6,
      unpriced: [],
    },
    {
      name: 'gpt-image-1.5 bills text output at $10/M',
      usage: USAGE.gpt15WithTextOut,
      model: 'gpt-image-1.5',
      parts: { textIn: 10, imageIn: 40, imageOut: 272, textOut: 209 },
      usd: (10 * 5 + 40 * 8 + 272 * 32 + 209 * 10) / 1e6,
      unpriced: [],
    },
    {
      name: 'a streamed 2.6 image with two partials',
      usage: USAGE.streamedMedium2Partials,
      model: 'gpt-image-2.6-flare',
      parts: { textIn: 12, imageIn: 0, imageOut: 1256, textOut: 0 },
      usd: (12 * 5 + 1256 * 30) / 1e6,
      unpriced: [],
    },
    {
      name: 'an edit: reference image tokens at the image input price',
      usage: USAGE.editWithImages,
      model: 'gpt-image-2',
      parts: { textIn: 46, imageIn: 4354, imageOut: 4160, textOut: 0 },
      usd: (46 * 5 + 4354 * 8 + 4160 * 30) / 1e6,
      unpriced: [],
    },
    {
      name: 'no details at all: input as text, output as image',
      usage: USAGE.noDetails,
      model: 'gpt-image-1-mini',
      parts: { textIn: 20, imageIn: 0, imageOut: 1056, textOut: 0 },
      usd: (20 * 2 + 1056 * 8) / 1e6,
      unpriced: [],
    },
    {
      name: 'text output on a model without a text output price is flagged, not guessed',
      usage: USAGE.textOutOn2x,
      model: 'gpt-image-2',
      parts: { textIn: 10, imageIn: 0, imageOut: 1000, textOut: 100 },
      usd: (10 * 5 + 1000 * 30) / 1e6,
      unpriced: ['textOut'],
    },
  ])('$name', ({ usage, model, parts, usd, unpriced }) => {
    expect(usageParts(usage)).toEqual(parts);
    const cost = actualCost(usage, defaultPrices(model));
    expect(cost.usd).toBeCloseTo(usd, 12);
    expect(cost.unpriced).toEqual(unpriced);
    expect(cost.tokens).toBe(Object.values(parts).reduce((a, b) => a + b, 0));
  });

  it('a model without prices has tokens but no dollars', () => {
    const cost = actualCost(USAGE.wireExample, defaultPrices('dall-e-3'));
    expect(cost.usd).toBeNull();
    expect(cost.tokens).toBe(100);
  });

  it('ignores junk numbers in usage', () => {
    const junk = { input_tokens: -5, output_tokens: Number.NaN } as ImageUsage;
    expect(actualCost(junk, defaultPrices('gpt-image-2'))).toMatchObject({ usd: 0, tokens: 0 });
  });
});

describe('compareWithEstimate', () => {
  const est = { low: 0.02, point: 0.04, high: 0.08 };
  it.each([
    { actual: 0.04, within: true, text: 'the same as the estimate, within its range' },
    { actual: 0.038, within: true, text: '5% below the estimate, within its range' },
    { actual: 0.05, within: true, text: '25% above the estimate, within its range' },
    { actual: 0.01, within: false, text: '75% below the estimate, outside its range' },
    { actual: 0.1, within: false, text: '2.5× the estimate, outside its range' },
  ])('$actual vs ≈0.04', ({ actual, within, text }) => {
    const c = compareWithEstimate(actual, est)!;
    expect(c.withinRange).toBe(within);
    expect(c.text).toBe(text);
  });

  it('says nothing against a zero estimate', () => {
    expect(compareWithEstimate(0.01, { low: 0, point: 0, high: 0 })).toBeNull();
  });
});
