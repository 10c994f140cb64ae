import { describe, expect, it } from 'vitest';
import {
  canonicalModelId,
  effectivePrices,
  parseStoredPrices,
  resetPrices,
  serializePrices,
  setPriceField,
  type PriceOverrides,
} from '../../../src/lib/cost/prices';
import { MODELS } from '../../../src/lib/models/registry';

const TODAY = '2026-11-24';

describe('the registry’s price table is dated data with a source', () => {
  it.each(MODELS.filter((m) => m.prices).map((m) => m.id))('%s', (id) => {
    const p = effectivePrices(id, {})!;
    expect(p.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(p.source.length).toBeGreaterThan(10);
    for (const v of [p.textIn, p.imageIn, p.imageOut]) expect(Number.isFinite(v) && v >= 0).toBe(true);
  });

  it.each(['dall-e-2', 'dall-e-3', 'gpt-image-9-test'])('%s has no price', (id) => {
    expect(effectivePrices(id, {})).toBeNull();
  });
});

describe('canonicalModelId', () => {
  it.each([
    ['gpt-image-2', 'gpt-image-2'],
    ['gpt-image-2-2026-04-21', 'gpt-image-2'],
    ['gpt-image-2.5-flare-2026-09-08', 'gpt-image-2.5-flare'],
    ['gpt-image-2.6-flare-2027-01-15', 'gpt-image-2.6-flare'],
    [' gpt-image-1.5 ', 'gpt-image-1.5'],
    ['my-model', 'my-model'],
  ])('%s → %s', (id, want) => {
    expect(canonicalModelId(id)).toBe(want);
  });
});

describe('setPriceField validates and keeps the previous value on bad input', () => {
  it.each([
    { text: '25', ok: true, imageOut: 25 },
    { text: '$12.5', ok: true, imageOut: 12.5 },
    { text: '0', ok: true, imageOut: 0 },
    { text: '', ok: true, imageOut: 30 },
    { text: '30', ok: true, imageOut: 30 },
    { text: 'abc', ok: false, imageOut: 30 },
    { text: '-3', ok: false, imageOut: 30 },
    { text: 'NaN', ok: false, imageOut: 30 },
    { text: 'Infinity', ok: false, imageOut: 30 },
    { text: '1e400', ok: false, imageOut: 30 },
  ])('image output “$text”', ({ text, ok, imageOut }) => {
    const edit = setPriceField({}, 'gpt-image-2', 'imageOut', text, TODAY);
    expect(edit.ok).toBe(ok);
    expect(effectivePrices('gpt-image-2', edit.overrides)!.imageOut).toBe(imageOut);
    if (!edit.ok) {
      expect(edit.error).toContain('Image output for gpt-image-2');
      expect(edit.error).toContain('kept $30');
    }
  });

  it('an edit is dated, names its source and applies to snapshots too', () => {
    const { overrides } = setPriceField({}, 'gpt-image-2-2026-04-21', 'imageOut', '20', TODAY);
    expect(Object.keys(overrides)).toEqual(['gpt-image-2']);
    const p = effectivePrices('gpt-image-2-2026-04-21', overrides)!;
    expect(p).toMatchObject({ imageOut: 20, textIn: 5, asOf: TODAY, edited: ['imageOut'] });
    expect(p.source).toContain('edited in Settings');
  });

  it('setting a field back to its default removes the override', () => {
    const a = setPriceField({}, 'gpt-image-2', 'imageOut', '20', TODAY).overrides;
    const b = setPriceField(a, 'gpt-image-2', 'imageOut', '30', TODAY).overrides;
    expect(b).toEqual({});
  });

  it('a model without defaults is priced once the required fields are entered', () => {
    let o: PriceOverrides = {};
    for (const [field, text] of [
      ['textIn', '4'],
      ['imageIn', '6'],
    ] as const) {
      o = setPriceField(o, 'gpt-image-9-test', field, text, TODAY).overrides;
      expect(effectivePrices('gpt-image-9-test', o)).toBeNull();
    }
    o = setPriceField(o, 'gpt-image-9-test', 'imageOut', '24', TODAY).overrides;
    expect(effectivePrices('gpt-image-9-test', o)).toMatchObject({ textIn: 4, imageIn: 6, imageOut: 24 });
  });

  it('reset: one model, then all', () => {
    let o = setPriceField({}, 'gpt-image-2', 'imageOut', '20', TODAY).overrides;
    o = setPriceField(o, 'gpt-image-1.5', 'textOut', '12', TODAY).overrides;
    expect(Object.keys(resetPrices(o, 'gpt-image-2-2026-04-21'))).toEqual(['gpt-image-1.5']);
    expect(resetPrices(o)).toEqual({});
  });
});

describe('parseStoredPrices: a corrupt table never crashes, it falls back and says so', () => {
  const good = serializePrices({ 'gpt-image-2': { fields: { imageOut: 20 }, editedOn: TODAY } });
  it.each([
    { name: 'nothing stored', raw: null, keys: [], problem: null },
    { name: 'the app’s own format', raw: good, keys: ['gpt-image-2'], problem: null },
    { name: 'not JSON', raw: '{"models": ', keys: [], problem: 'could not be read' },
    { name: 'JSON null', raw: 'null', keys: [], problem: 'could not be read' },
    { name: 'models is an array', raw: '{"models": []}', keys: [], problem: 'could not be read' },
    {
      name: 'some fields bad',
      raw: JSON.stringify({
        models: {
          'gpt-image-2': { fields: { imageOut: 20, textIn: -1, bogus: 3 }, editedOn: TODAY },
          'gpt-image-1.5': { fields: 'x' },
        },
      }),
      keys: ['gpt-image-2'],
      problem: 'were dropped',
    },
  ])('$name', ({ raw, keys, problem }) => {
    const got = parseStoredPrices(raw);
    expect(Object.keys(got.overrides)).toEqual(keys);
    if (problem === null) expect(got.problem).toBeNull();
    else expect(got.problem).toContain(problem);
  });
});
