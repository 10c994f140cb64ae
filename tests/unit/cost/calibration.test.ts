import { describe, expect, it } from 'vitest';
import {
  EMA_ALPHA,
  calibrationKey,
  observedRatio,
  parseCalibration,
  updateCalibration,
  type CalibrationTable,
} from '../../../src/lib/cost/calibration';

const KEY = calibrationKey('gpt-image-2.6-flare', 'medium');

describe('updateCalibration: an exponential moving average per model and quality', () => {
  it.each([
    { name: 'first sample is taken as is', before: {}, observed: 1.2, ratio: 1.2, samples: 1 },
    {
      name: 'later samples move it by α',
      before: { [KEY]: { ratio: 1, samples: 2, updatedAt: 1 } },
      observed: 2,
      ratio: 1 + EMA_ALPHA,
      samples: 3,
    },
    {
      name: 'a lower response pulls it down',
      before: { [KEY]: { ratio: 1.5, samples: 4, updatedAt: 1 } },
      observed: 0.5,
      ratio: 1.5 - EMA_ALPHA,
      samples: 5,
    },
  ] satisfies { name: string; before: CalibrationTable; observed: number; ratio: number; samples: number }[])(
    '$name',
    ({ before, observed, ratio, samples }) => {
      const after = updateCalibration(before, KEY, observed, 99);
      expect(after[KEY]!.ratio).toBeCloseTo(ratio, 12);
      expect(after[KEY]!.samples).toBe(samples);
      expect(after[KEY]!.updatedAt).toBe(99);
    },
  );

  it.each([0, -1, 0.01, 50, Number.NaN, Number.POSITIVE_INFINITY])(
    'ignores an implausible ratio %s',
    (bad) => {
      const before = { [KEY]: { ratio: 1, samples: 1, updatedAt: 1 } };
      expect(updateCalibration(before, KEY, bad, 2)).toBe(before);
    },
  );

  it('keeps other keys', () => {
    const other = calibrationKey('gpt-image-2', 'high');
    const after = updateCalibration({ [other]: { ratio: 0.8, samples: 1, updatedAt: 1 } }, KEY, 1.1, 2);
    expect(Object.keys(after).sort()).toEqual([other, KEY].sort());
  });
});

describe('observedRatio', () => {
  it.each([
    { name: 'one image, exact', tokens: 1056, images: 1, partials: 0, expected: 1056, ratio: 1 },
    { name: 'partials are subtracted first', tokens: 1256, images: 1, partials: 2, expected: 1056, ratio: 1 },
    { name: 'per image for n > 1', tokens: 3000, images: 3, partials: 0, expected: 800, ratio: 1.25 },
    {
      name: 'no images: nothing to learn',
      tokens: 1056,
      images: 0,
      partials: 0,
      expected: 1056,
      ratio: null,
    },
    { name: 'no tokens: nothing to learn', tokens: 0, images: 1, partials: 0, expected: 1056, ratio: null },
    { name: 'only partial tokens', tokens: 200, images: 1, partials: 2, expected: 1056, ratio: null },
  ])('$name', ({ tokens, images, partials, expected, ratio }) => {
    const got = observedRatio({
      imageOutputTokens: tokens,
      images,
      partials,
      expectedPerImage: expected,
      partialTokens: 100,
    });
    if (ratio === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(ratio, 12);
  });
});

describe('parseCalibration never throws and keeps only sound entries', () => {
  it.each([
    { raw: null, keys: [] },
    { raw: '', keys: [] },
    { raw: '{not json', keys: [] },
    { raw: '[1,2]', keys: [] },
    { raw: JSON.stringify({ [KEY]: { ratio: 1.1, samples: 2, updatedAt: 5 } }), keys: [KEY] },
    {
      raw: JSON.stringify({
        [KEY]: { ratio: 1.1, samples: 2 },
        bad1: { ratio: 'x', samples: 1 },
        bad2: { ratio: 1, samples: 0 },
        bad3: null,
        bad4: { ratio: 1000, samples: 3 },
      }),
      keys: [KEY],
    },
  ])('$raw', ({ raw, keys }) => {
    expect(Object.keys(parseCalibration(raw))).toEqual(keys);
  });
});
