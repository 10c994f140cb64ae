/**
 * The whole estimate (every line and the total), table-driven: model × size × quality × n × partials × input
 * images. Expected tokens are written out from the reference (wire.md §8 table; the 512-px tile rule for inputs:
 * 65 + 129 per tile after scaling the short side to 512), not computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { estimateCost, type CostPart, type EstimateInput } from '../../../src/lib/cost/estimate';
import { defaultPrices } from '../../../src/lib/cost/prices';
import type { InputImage } from '../../../src/lib/cost/tokens';
import { resolveModel } from '../../../src/lib/models/resolve';

/** USD per 1M tokens (models-2026-11.md §1), by model and part. */
const RATE: Record<string, Partial<Record<CostPart, number>>> = {
  'gpt-image-1': { textIn: 5, imageIn: 10, imageOut: 40, partials: 40 },
  'gpt-image-1.5': { textIn: 5, imageIn: 8, imageOut: 32, partials: 32, textOut: 10 },
  'gpt-image-2': { textIn: 5, imageIn: 8, imageOut: 30, partials: 30 },
  'gpt-image-2.6-flare': { textIn: 5, imageIn: 8, imageOut: 30, partials: 30 },
};

const SQUARE: InputImage = { width: 1024, height: 1024 }; // → 512×512: 1 tile, 194 tokens
const WIDE: InputImage = { width: 1536, height: 1024 }; // → 768×512: 2 tiles, 323 tokens
const TALL: InputImage = { width: 1024, height: 1536 }; // → 512×768: 2 tiles, 323 tokens

interface Row {
  name: string;
  model: keyof typeof RATE;
  size: string;
  quality: string;
  n: number;
  partials: number;
  inputs: InputImage[];
  fidelity: 'low' | 'high';
  /** Point tokens per part (text input is 40 characters: 10 tokens; 1.5 adds ~200 text output tokens). */
  tokens: Partial<Record<CostPart, number>>;
}

const rows: Row[] = [
  // The three table values no other test asserts: gpt-image-1 family portrait low/medium, landscape low.
  {
    name: 'gpt-image-1 portrait low',
    model: 'gpt-image-1',
    size: '1024x1536',
    quality: 'low',
    n: 1,
    partials: 0,
    inputs: [],
    fidelity: 'low',
    tokens: { textIn: 10, imageOut: 408 },
  },
  {
    name: 'gpt-image-1 portrait medium',
    model: 'gpt-image-1',
    size: '1024x1536',
    quality: 'medium',
    n: 1,
    partials: 0,
    inputs: [],
    fidelity: 'low',
    tokens: { textIn: 10, imageOut: 1584 },
  },
  {
    name: 'gpt-image-1 landscape low',
    model: 'gpt-image-1',
    size: '1536x1024',
    quality: 'low',
    n: 1,
    partials: 0,
    inputs: [],
    fidelity: 'low',
    tokens: { textIn: 10, imageOut: 400 },
  },
  {
    name: '1.5 portrait low, 2 partials',
    model: 'gpt-image-1.5',
    size: '1024x1536',
    quality: 'low',
    n: 1,
    partials: 2,
    inputs: [],
    fidelity: 'low',
    tokens: { textIn: 10, imageOut: 408, partials: 200, textOut: 200 },
  },
  {
    name: '1.5 landscape low ×2 with two square inputs',
    model: 'gpt-image-1.5',
    size: '1536x1024',
    quality: 'low',
    n: 2,
    partials: 0,
    inputs: [SQUARE, SQUARE],
    fidelity: 'low',
    tokens: { textIn: 10, imageIn: 388, imageOut: 800, textOut: 200 },
  },
  // n > 1 with inputs: the inputs are billed once, the output n times.
  {
    name: 'gpt-image-1 square medium ×3, wide image and mask',
    model: 'gpt-image-1',
    size: '1024x1024',
    quality: 'medium',
    n: 3,
    partials: 0,
    inputs: [WIDE, { ...WIDE, role: 'mask' }],
    fidelity: 'low',
    tokens: { textIn: 10, imageIn: 646, imageOut: 3168 },
  },
  // High input fidelity adds the high-quality output tokens of the image's shape (the mask never).
  {
    name: 'gpt-image-1 high fidelity, tall input + mask',
    model: 'gpt-image-1',
    size: '1024x1536',
    quality: 'high',
    n: 1,
    partials: 3,
    inputs: [TALL, { ...TALL, role: 'mask' }],
    fidelity: 'high',
    tokens: { textIn: 10, imageIn: 323 + 6240 + 323, imageOut: 6240, partials: 300 },
  },
  // Flexible-size models with inputs: area-scaled output, high fidelity inputs.
  {
    name: 'gpt-image-2 square medium ×2, 2 partials, square input',
    model: 'gpt-image-2',
    size: '1024x1024',
    quality: 'medium',
    n: 2,
    partials: 2,
    inputs: [SQUARE],
    fidelity: 'high',
    tokens: { textIn: 10, imageIn: 194 + 4160, imageOut: 2112, partials: 200 },
  },
  {
    name: '2.6 2048x1024 low, wide input',
    model: 'gpt-image-2.6-flare',
    size: '2048x1024',
    quality: 'low',
    n: 1,
    partials: 0,
    inputs: [WIDE],
    fidelity: 'high',
    tokens: { textIn: 10, imageIn: 323 + 6208, imageOut: 544 },
  },
];

describe('estimate matrix: model × size × quality × n × partials × input images', () => {
  it.each(rows)('$name', (row) => {
    const profile = resolveModel(row.model);
    const input: EstimateInput = {
      model: row.model,
      prices: defaultPrices(row.model),
      outputTokens: profile.outputTokens,
      size: row.size,
      quality: row.quality,
      n: row.n,
      partialImages: row.partials,
      promptChars: 40,
      inputImages: row.inputs,
      inputFidelity: row.fidelity,
      frames: 1,
      calibration: {},
    };
    const e = estimateCost(input);
    const got = Object.fromEntries(e.lines.map((l) => [l.part, l.tokens.point]));
    expect(got).toEqual(row.tokens);
    const rate = RATE[row.model]!;
    const usd = Object.entries(row.tokens).reduce(
      (sum, [part, t]) => sum + (t * rate[part as CostPart]!) / 1e6,
      0,
    );
    expect(e.usd!.point).toBeCloseTo(usd, 12);
    expect(e.tokens.point).toBe(Object.values(row.tokens).reduce((a, b) => a + b, 0));
    expect(e.usd!.low).toBeLessThanOrEqual(e.usd!.point);
    expect(e.usd!.high).toBeGreaterThanOrEqual(e.usd!.point);
    expect(e.n).toBe(row.n);
  });
});
