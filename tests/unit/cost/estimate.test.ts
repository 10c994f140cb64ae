import { describe, expect, it } from 'vitest';
import { buildGenerationRequest } from '../../../src/lib/api/builders';
import type { CalibrationTable } from '../../../src/lib/cost/calibration';
import {
  estimateCost,
  estimateInputFromRequest,
  type EstimateInput,
  type CostPart,
} from '../../../src/lib/cost/estimate';
import { defaultPrices } from '../../../src/lib/cost/prices';
import type { Range } from '../../../src/lib/cost/range';
import type { InputImage } from '../../../src/lib/cost/tokens';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';

/** Estimator input for a model as the registry describes it, overridden per case. */
function input(model: string, patch: Partial<EstimateInput> = {}): EstimateInput {
  const profile = resolveModel(model);
  return {
    model,
    prices: defaultPrices(model),
    outputTokens: profile.outputTokens,
    size: '1024x1024',
    quality: 'medium',
    n: 1,
    partialImages: 0,
    promptChars: 40,
    inputImages: [],
    inputFidelity: profile.sizes.kind === 'flexible' ? 'high' : 'low',
    frames: 1,
    calibration: {},
    ...patch,
  };
}

const line = (e: ReturnType<typeof estimateCost>, part: CostPart) => e.lines.find((l) => l.part === part);
const r = (low: number, point: number, high: number): Range => ({ low, point, high });

describe('image output tokens: model × size × quality × n', () => {
  const cases: {
    name: string;
    model: string;
    patch: Partial<EstimateInput>;
    tokens: Range;
    usdPerM: number;
  }[] = [
    // Published table (gpt-image-1 era): exact at the standard sizes.
    {
      name: '1.5 square low',
      model: 'gpt-image-1.5',
      patch: { quality: 'low' },
      tokens: r(272, 272, 272),
      usdPerM: 32,
    },
    {
      name: '1.5 portrait high ×2',
      model: 'gpt-image-1.5',
      patch: { size: '1024x1536', quality: 'high', n: 2 },
      tokens: r(12480, 12480, 12480),
      usdPerM: 32,
    },
    {
      name: '1.5 landscape medium',
      model: 'gpt-image-1.5',
      patch: { size: '1536x1024' },
      tokens: r(1568, 1568, 1568),
      usdPerM: 32,
    },
    {
      name: '1.5 quality auto: low..high, medium point',
      model: 'gpt-image-1.5',
      patch: { quality: 'auto' },
      tokens: r(272, 1056, 4160),
      usdPerM: 32,
    },
    {
      name: '1.5 size auto: the three sizes',
      model: 'gpt-image-1.5',
      patch: { size: 'auto', quality: 'high' },
      tokens: r(4160, 4160, 6240),
      usdPerM: 32,
    },
    {
      name: '1.5 both auto',
      model: 'gpt-image-1.5',
      patch: { size: 'auto', quality: 'auto' },
      tokens: r(272, 1056, 6240),
      usdPerM: 32,
    },
    {
      name: 'gpt-image-1 landscape high',
      model: 'gpt-image-1',
      patch: { size: '1536x1024', quality: 'high' },
      tokens: r(6208, 6208, 6208),
      usdPerM: 40,
    },
    // Mini: derived from rounded per-image prices, ±10 %.
    {
      name: 'mini square medium',
      model: 'gpt-image-1-mini',
      patch: {},
      tokens: r(1238, 1375, 1513),
      usdPerM: 8,
    },
    {
      name: 'mini portrait low ×3',
      model: 'gpt-image-1-mini',
      patch: { size: '1024x1536', quality: 'low', n: 3 },
      tokens: r(2025, 2250, 2475),
      usdPerM: 8,
    },
    // Flexible sizes: area-scaled from the 1024² column, uncalibrated spread 0.6–1.8.
    {
      name: '2.6 square medium',
      model: 'gpt-image-2.6-flare',
      patch: {},
      tokens: r(634, 1056, 1901),
      usdPerM: 30,
    },
    {
      name: '2.6 2048² high',
      model: 'gpt-image-2.6-flare',
      patch: { size: '2048x2048', quality: 'high' },
      tokens: r(9984, 16640, 29952),
      usdPerM: 30,
    },
    {
      name: '2.6 1536x1024 low ×3',
      model: 'gpt-image-2.6-sunburst',
      patch: { size: '1536x1024', quality: 'low', n: 3 },
      tokens: r(735, 1224, 2202),
      usdPerM: 30,
    },
    {
      name: '2 size auto, quality auto',
      model: 'gpt-image-2',
      patch: { size: 'auto', quality: 'auto' },
      tokens: r(163, 1056, 11232),
      usdPerM: 30,
    },
    {
      name: '2.5 xhigh: a guess from high',
      model: 'gpt-image-2.5-flare',
      patch: { quality: 'xhigh' },
      tokens: r(3744, 6240, 11232),
      usdPerM: 30,
    },
    {
      name: '2.6 GIF 9 frames of 960²',
      model: 'gpt-image-2.6-flare',
      patch: { size: '960x960', frames: 9 },
      tokens: r(5012, 8353, 15036),
      usdPerM: 30,
    },
  ];

  it.each(cases)('$name', ({ model, patch, tokens, usdPerM }) => {
    const e = estimateCost(input(model, patch));
    const out = line(e, 'imageOut')!;
    expect(out.tokens).toEqual(tokens);
    expect(out.usd!.point).toBeCloseTo((tokens.point * usdPerM) / 1e6, 10);
    expect(out.usd!.low).toBeCloseTo((tokens.low * usdPerM) / 1e6, 10);
    expect(out.usd!.high).toBeCloseTo((tokens.high * usdPerM) / 1e6, 10);
    expect(e.outputUnknown).toBe(false);
  });
});

describe('calibrated flexible-size estimates', () => {
  const cal = (ratio: number, samples: number): CalibrationTable => ({
    'gpt-image-2.6-flare|medium': { ratio, samples, updatedAt: 0 },
  });
  it.each([
    { samples: 1, ratio: 1.25, tokens: r(1056, 1320, 1650) },
    { samples: 3, ratio: 1.25, tokens: r(1188, 1320, 1452) },
    { samples: 5, ratio: 0.5, tokens: r(475, 528, 581) },
  ])('ratio $ratio after $samples responses → $tokens.point', ({ samples, ratio, tokens }) => {
    const e = estimateCost(input('gpt-image-2.6-flare', { calibration: cal(ratio, samples) }));
    expect(line(e, 'imageOut')!.tokens).toEqual(tokens);
    expect(e.notes.join(' ')).toContain(`calibrated by ${samples} of your responses`);
  });

  it('calibration of one model does not move another', () => {
    const e = estimateCost(input('gpt-image-2', { calibration: cal(2, 5) }));
    expect(line(e, 'imageOut')!.tokens.point).toBe(1056);
  });
});

describe('partials, text and input images', () => {
  it.each([
    { partials: 0, tokens: undefined },
    { partials: 1, tokens: 100 },
    { partials: 3, tokens: 300 },
  ])('$partials partial images → +$tokens image output tokens', ({ partials, tokens }) => {
    const e = estimateCost(input('gpt-image-1.5', { partialImages: partials }));
    expect(line(e, 'partials')?.tokens.point).toBe(tokens);
    if (tokens) expect(line(e, 'partials')!.usd!.point).toBeCloseTo((tokens * 32) / 1e6, 12);
  });

  it.each([
    { chars: 0, tokens: r(0, 0, 0) },
    { chars: 40, tokens: r(8, 10, 20) },
    { chars: 32_000, tokens: r(6400, 8000, 16000) },
  ])('$chars prompt characters → text input $tokens.point', ({ chars, tokens }) => {
    const e = estimateCost(input('gpt-image-2.6-flare', { promptChars: chars }));
    expect(line(e, 'textIn')!.tokens).toEqual(tokens);
    expect(line(e, 'textIn')!.usd!.point).toBeCloseTo((tokens.point * 5) / 1e6, 12);
  });

  const square: InputImage = { width: 1024, height: 1024 };
  const wide: InputImage = { width: 1536, height: 1024 };
  const tall: InputImage = { width: 1024, height: 1536 };
  const mask: InputImage = { width: 1024, height: 1024, role: 'mask' };
  it.each([
    { name: 'none', images: [], fidelity: 'low' as const, point: undefined },
    { name: 'one square, low fidelity: 1 tile', images: [square], fidelity: 'low' as const, point: 194 },
    { name: 'one 3:2, low fidelity: 2 tiles', images: [wide], fidelity: 'low' as const, point: 323 },
    { name: 'square + mask', images: [square, mask], fidelity: 'low' as const, point: 388 },
    { name: 'one square, high fidelity', images: [square], fidelity: 'high' as const, point: 194 + 4160 },
    {
      name: 'portrait + landscape, high',
      images: [tall, wide],
      fidelity: 'high' as const,
      point: 323 + 6240 + 323 + 6208,
    },
    {
      name: 'square + mask, high: the mask is not surcharged',
      images: [square, mask],
      fidelity: 'high' as const,
      point: 194 + 4160 + 194,
    },
  ])('input images: $name', ({ images, fidelity, point }) => {
    const e = estimateCost(input('gpt-image-1.5', { inputImages: images, inputFidelity: fidelity }));
    const inLine = line(e, 'imageIn');
    expect(inLine?.tokens.point).toBe(point);
    if (point) {
      expect(inLine!.tokens.low).toBeLessThan(point);
      expect(inLine!.tokens.high).toBeGreaterThan(point);
      expect(inLine!.usd!.point).toBeCloseTo((point * 8) / 1e6, 12);
    }
  });

  it('1.5 adds a text output guess at its text output price; 2.x has none', () => {
    expect(line(estimateCost(input('gpt-image-1.5')), 'textOut')!.usd!.point).toBeCloseTo(
      (200 * 10) / 1e6,
      12,
    );
    expect(line(estimateCost(input('gpt-image-2.6-flare')), 'textOut')).toBeUndefined();
  });

  it('totals are the sum of the lines (1.5, 1024² low, 40 characters, 2 partials)', () => {
    const e = estimateCost(input('gpt-image-1.5', { quality: 'low', partialImages: 2 }));
    expect(e.tokens.point).toBe(10 + 272 + 200 + 200);
    expect(e.usd!.point).toBeCloseTo((10 * 5 + 272 * 32 + 200 * 32 + 200 * 10) / 1e6, 12);
    expect(e.usd!.low).toBeLessThan(e.usd!.point);
  });
});

describe('models without prices and unknown options', () => {
  it.each([
    { model: 'dall-e-3', quality: 'standard', outputUnknown: true },
    { model: 'dall-e-2', quality: 'standard', outputUnknown: true },
    { model: 'gpt-image-9-test', quality: 'medium', outputUnknown: false },
  ])('$model has no price (usd null)', ({ model, quality, outputUnknown }) => {
    const e = estimateCost(input(model, { quality }));
    expect(e.usd).toBeNull();
    expect(e.outputUnknown).toBe(outputUnknown);
  });

  it('a size it cannot read leaves the output unknown and the total unpriced', () => {
    const e = estimateCost(input('gpt-image-2.6-flare', { size: 'huge' }));
    expect(e.outputUnknown).toBe(true);
    expect(e.usd).toBeNull();
  });
});

describe('notes say which numbers are estimates', () => {
  it.each([
    {
      model: 'gpt-image-2.6-flare',
      patch: {},
      says: ['scaled from pixel area', 'about 4 characters per token'],
    },
    {
      model: 'gpt-image-1.5',
      patch: { quality: 'auto' },
      says: ['Quality auto: the range spans low to high'],
    },
    { model: 'gpt-image-1.5', patch: { size: 'auto' }, says: ['Size auto'] },
    { model: 'gpt-image-1-mini', patch: {}, says: ['rounded per-image prices'] },
    {
      model: 'gpt-image-2.5-flare',
      patch: { quality: 'max' },
      says: ['No figure is published for quality max'],
    },
    { model: 'gpt-image-2.6-flare', patch: { frames: 9, size: '960x960' }, says: ['animated GIF'] },
  ])('$model $patch', ({ model, patch, says }) => {
    const notes = estimateCost(input(model, patch)).notes.join(' ');
    for (const s of says) expect(notes).toContain(s);
  });
});

describe('estimateInputFromRequest reads the body that will be sent', () => {
  const ctx = (model: string) => ({ model, prices: defaultPrices(model), calibration: {} });
  it.each([
    {
      name: 'streamed n=1 counts partials',
      o: options({ stream: true, partialImages: 3, quality: 'high', size: '1536x1024' }),
      want: { partialImages: 3, quality: 'high', size: '1536x1024', n: 1, frames: 1, inputFidelity: 'high' },
    },
    {
      name: 'several images: not streamed, no partials',
      o: options({ stream: true, partialImages: 3, n: 4 }),
      want: { partialImages: 0, n: 4 },
    },
    {
      name: 'GIF at size auto: the largest frame for the frame count',
      o: options({ format: 'gif', frameCount: 12, size: 'auto' }),
      want: { frames: 12, size: '816x816', partialImages: 0 },
    },
    {
      name: 'extra fields override the options',
      o: options({ quality: 'low', extraJson: '{"quality":"high","n":2}', stream: false }),
      want: { quality: 'high', n: 2 },
    },
    {
      name: '1.5 uses its input_fidelity (low unless asked)',
      o: options({ model: 'gpt-image-1.5', size: '1024x1024' }),
      want: { inputFidelity: 'low', promptChars: 'A lighthouse at dusk'.length },
    },
  ])('$name', ({ o, want }) => {
    const profile = resolveModel(o.model);
    const body = buildGenerationRequest(profile, o).body;
    expect(estimateInputFromRequest(profile, body, ctx(o.model))).toMatchObject(want);
  });

  it('passes input images through for edits', () => {
    const o = options();
    const profile = resolveModel(o.model);
    const body = buildGenerationRequest(profile, o).body;
    const images = [{ width: 512, height: 512 }];
    expect(
      estimateInputFromRequest(profile, body, { ...ctx(o.model), inputImages: images }).inputImages,
    ).toBe(images);
  });
});
