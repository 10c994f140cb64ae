import { describe, expect, it } from 'vitest';
import type { ImageUsage } from '../../../src/lib/api/images';
import type { TurnRecord } from '../../../src/lib/conversation/tree';
import { calibrationSample, turnCalibrationSample, type RunOutcome } from '../../../src/lib/cost/learn';
import { turnImage, turnRecord } from '../factories';
import { costState } from './fakes';

const usage = (imageOut: number): ImageUsage => ({
  input_tokens: 10,
  output_tokens: imageOut,
  total_tokens: imageOut + 10,
  input_tokens_details: { text_tokens: 10, image_tokens: 0 },
  output_tokens_details: { image_tokens: imageOut, text_tokens: 0 },
});

function outcome(patch: Partial<RunOutcome>): RunOutcome {
  return {
    model: 'gpt-image-2.6-flare',
    body: { size: 'auto', quality: 'auto' },
    echoed: { size: '1024x1024', quality: 'medium' },
    usage: usage(1056),
    images: 1,
    partials: 0,
    ...patch,
  };
}

describe('calibrationSample: what a response teaches', () => {
  it.each([
    { name: 'echoed medium 1024², as expected', patch: {}, key: 'gpt-image-2.6-flare|medium', ratio: 1 },
    {
      name: 'partials are taken off first',
      patch: { usage: usage(1356), partials: 3 },
      key: 'gpt-image-2.6-flare|medium',
      ratio: 1,
    },
    {
      name: 'a larger echoed size scales the expectation',
      patch: { echoed: { size: '2048x2048', quality: 'high' }, usage: usage(8320) },
      key: 'gpt-image-2.6-flare|high',
      ratio: 0.5,
    },
    {
      name: 'without an echo the asked size and quality are used',
      patch: { echoed: {}, body: { size: '1536x1024', quality: 'low' }, usage: usage(816) },
      key: 'gpt-image-2.6-flare|low',
      ratio: 2,
    },
    {
      name: 'per image for several images',
      patch: { images: 2, usage: usage(2640) },
      key: 'gpt-image-2.6-flare|medium',
      ratio: 1.25,
    },
    {
      name: 'a dated snapshot calibrates its model',
      patch: { model: 'gpt-image-2-2026-04-21' },
      key: 'gpt-image-2|medium',
      ratio: 1,
    },
    {
      name: 'a GIF counts every frame',
      patch: {
        body: { output_format: 'gif', frame_count: 4 },
        echoed: { size: '512x512', quality: 'medium' },
        usage: usage(1056),
      },
      key: 'gpt-image-2.6-flare|medium',
      ratio: 1,
    },
  ])('$name', ({ patch, key, ratio }) => {
    const s = calibrationSample(outcome(patch))!;
    expect(s.key).toBe(key);
    expect(s.ratio).toBeCloseTo(ratio, 12);
  });

  it.each([
    { name: 'a published table (1.5)', patch: { model: 'gpt-image-1.5' } },
    { name: 'quality still auto', patch: { echoed: { size: '1024x1024' } } },
    { name: 'size still auto', patch: { echoed: { quality: 'medium' } } },
    { name: 'a quality with no base figure', patch: { echoed: { size: '1024x1024', quality: 'standard' } } },
    { name: 'no image arrived', patch: { images: 0 } },
    { name: 'no image tokens reported', patch: { usage: usage(0) } },
  ])('nothing to learn: $name', ({ patch }) => {
    expect(calibrationSample(outcome(patch))).toBeNull();
  });
});

describe('turnCalibrationSample: a conversation turn teaches from tool_usage.image_gen', () => {
  const gen = (imageOut: number) => ({ image_gen: usage(imageOut) });
  const turn = (patch: Partial<TurnRecord>) =>
    turnRecord('t', null, {
      toolModel: 'gpt-image-2',
      toolUsage: gen(1256),
      images: [turnImage('ig_t', { size: '1024x1024', quality: 'medium', partialIndex: 1 })],
      ...patch,
    });

  it('learns when the output tokens and the size and quality used are known (partials taken off)', () => {
    expect(turnCalibrationSample(turn({}))).toEqual({ key: 'gpt-image-2|medium', ratio: 1 });
    const twice = turn({ toolUsage: gen(2 * 1056 + 200) });
    expect(turnCalibrationSample(twice)?.ratio).toBeCloseTo(2, 9);
  });

  it.each([
    ['no tool usage', { toolUsage: null }],
    ['no size reported', { images: [turnImage('ig_t', { size: null, quality: 'medium' })] }],
    ['no quality reported', { images: [turnImage('ig_t', { size: '1024x1024', quality: null })] }],
    ['no final image', { images: [turnImage('ig_t', { blob: null, size: '1024x1024', quality: 'medium' })] }],
    [
      'images of different sizes',
      {
        images: [
          turnImage('ig_1', { size: '1024x1024', quality: 'medium' }),
          turnImage('ig_2', { size: '1536x1024', quality: 'medium' }),
        ],
      },
    ],
    ['a model with a published table', { toolModel: 'gpt-image-1.5' }],
  ] as const)('learns nothing with %s', (_, patch) => {
    expect(turnCalibrationSample(turn(patch as Partial<TurnRecord>))).toBeNull();
  });

  it('CostState.recordTurn updates the calibration the next estimate uses', async () => {
    const { cost } = costState();
    await cost.load();
    const before = cost.estimate('gpt-image-2', { prompt: 'x', size: '1024x1024', quality: 'medium' });
    await cost.recordTurn(turn({ toolUsage: gen(2 * 1056 + 200) }));
    expect(cost.calibration['gpt-image-2|medium']).toMatchObject({ samples: 1, ratio: 2 });
    const after = cost.estimate('gpt-image-2', { prompt: 'x', size: '1024x1024', quality: 'medium' });
    expect(after.usd!.point).toBeGreaterThan(before.usd!.point * 1.5);
  });
});
