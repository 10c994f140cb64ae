import { describe, expect, it } from 'vitest';
import type { ImageUsage } from '../../../src/lib/api/images';
import { CALIBRATION_STORAGE_KEY } from '../../../src/lib/cost/calibration';
import { LIMITS_STORAGE_KEY } from '../../../src/lib/cost/budget';
import { PRICES_STORAGE_KEY } from '../../../src/lib/cost/prices';
import type { SpendEntry } from '../../../src/lib/history/spend';
import { turnImage, turnRecord as baseTurn } from '../factories';
import { costState, finishedRun, memoryLedger, memoryStorage, NOW } from './fakes';
import { CostState } from '../../../src/lib/state/cost.svelte';
import { RunState } from '../../../src/lib/state/run.svelte';

const BODY = {
  model: 'gpt-image-2.6-flare',
  prompt: 'a fox',
  size: 'auto',
  quality: 'auto',
  stream: true,
  partial_images: 2,
};
const USAGE: ImageUsage = {
  input_tokens: 2,
  output_tokens: 1256,
  total_tokens: 1258,
  input_tokens_details: { text_tokens: 2, image_tokens: 0 },
  output_tokens_details: { image_tokens: 1256, text_tokens: 0 },
};

describe('CostState', () => {
  it('a corrupt stored price table falls back to defaults and says so', async () => {
    const { cost } = costState({ storage: memoryStorage({ [PRICES_STORAGE_KEY]: '{"models": ' }) });
    await cost.load();
    expect(cost.priceProblem).toContain('default prices are in use');
    expect(cost.estimate('gpt-image-2.6-flare', BODY).usd).not.toBeNull();
  });

  it('sends at once without limits; asks above the threshold; Cancel refuses', async () => {
    const { cost } = costState({
      storage: memoryStorage({ [LIMITS_STORAGE_KEY]: '{"confirmAbove": 0.01}' }),
    });
    await cost.load();
    const estimate = cost.estimate('gpt-image-2.6-flare', BODY);
    const first = cost.approve(estimate);
    await expect.poll(() => cost.pending).not.toBeNull();
    expect(cost.pending!.threshold).toBe(0.01);
    cost.answer(false);
    expect(await first).toBe(false);
    const second = cost.approve(estimate);
    await expect.poll(() => cost.pending).not.toBeNull();
    cost.answer(true);
    expect(await second).toBe(true);
    expect(cost.setLimit('confirmAbove', '')).toBeNull();
    expect(await cost.approve(estimate)).toBe(true);
  });

  it('a reached daily budget blocks; raising it unblocks', async () => {
    const spent: SpendEntry = {
      id: 'old',
      time: NOW - 60_000,
      session: 'tab-0',
      model: 'gpt-image-2',
      endpoint: 'generations',
      usage: null,
      cost: 0.5,
      estimate: null,
    };
    const { cost } = costState({
      entries: [spent],
      storage: memoryStorage({ [LIMITS_STORAGE_KEY]: '{"daily": 0.5}' }),
    });
    await cost.load();
    expect(await cost.approve(cost.estimate('gpt-image-2', BODY))).toBe(false);
    expect(cost.blocked?.budget).toBe('daily');
    expect(cost.setLimit('daily', '2')).toBeNull();
    expect(cost.blocked).toBeNull();
    expect(await cost.approve(cost.estimate('gpt-image-2', BODY))).toBe(true);
  });

  it('records the actual cost, the ledger entry and the calibration when a run ends', async () => {
    const { cost, saved, storage } = costState();
    await cost.load();
    const run = finishedRun('gpt-image-2.6-flare', BODY, USAGE, 2);
    const estimate = cost.estimate(run.model, run.body);
    cost.track(run, estimate);
    await cost.ended(run);

    const rc = cost.runCosts[run.id]!;
    expect(rc.actual!.usd).toBeCloseTo((2 * 5 + 1256 * 30) / 1e6, 12);
    expect(rc.check!.withinRange).toBe(true);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      session: 'tab-1',
      model: 'gpt-image-2.6-flare',
      usage: USAGE,
      time: NOW,
    });
    expect(saved[0]!.estimate).toEqual(estimate.usd);
    expect(cost.totals.session.usd).toBeCloseTo(rc.actual!.usd!, 12);
    expect(cost.totals.today.requests).toBe(1);
    // 1256 − 2 partials × 100 = 1056 per 1024² medium image: a ratio of exactly 1.
    expect(cost.calibration['gpt-image-2.6-flare|medium']).toMatchObject({ ratio: 1, samples: 1 });
    expect(JSON.parse(storage.getItem(CALIBRATION_STORAGE_KEY)!)).toHaveProperty([
      'gpt-image-2.6-flare|medium',
    ]);
  });

  it('a published table is not calibrated; an unknown model is, and costs null', async () => {
    const { cost, saved } = costState();
    await cost.load();
    await cost.ended(finishedRun('gpt-image-1.5', { ...BODY, model: 'gpt-image-1.5' }, USAGE));
    await cost.ended(finishedRun('gpt-image-9-test', { ...BODY, model: 'gpt-image-9-test' }, USAGE));
    expect(Object.keys(cost.calibration)).toEqual(['gpt-image-9-test|medium']);
    expect(saved.map((e) => e.cost === null)).toEqual([false, true]);
  });

  it('an edit run is recorded under the edits endpoint', async () => {
    const { cost, saved } = costState();
    const run = Object.assign(finishedRun('gpt-image-2', BODY, USAGE), { kind: 'edit' });
    await cost.ended(run);
    expect(saved[0]!.endpoint).toBe('edits');
  });

  it('nothing is recorded for a run that produced nothing', async () => {
    const { cost, saved } = costState();
    const run = new RunState({
      prompt: 'p',
      model: 'gpt-image-2',
      body: BODY,
      streamed: false,
      expected: 1,
      notes: [],
      now: NOW,
    });
    run.finish('failed', NOW);
    await cost.ended(run);
    expect(saved).toHaveLength(0);
  });

  it('a conversation turn is recorded once, from its usage; without image usage at its estimate', async () => {
    const { cost, saved } = costState();
    await cost.load();
    cost.setPrice('gpt-6.1-sol', 'textIn', '2');
    cost.setPrice('gpt-6.1-sol', 'textOut', '8');
    const estimate = { low: 0.03, point: 0.04, high: 0.05 };
    const turn = {
      ...doneTurn('t1'),
      usage: { input_tokens: 100, output_tokens: 50, input_tokens_details: { cached_tokens: 0 } },
      toolUsage: { image_gen: USAGE },
      estimate,
    };
    await cost.recordTurn(turn);
    await cost.recordTurn(turn); // onTurnEnd twice (e.g. a resumed job) must not count it twice
    expect(saved).toHaveLength(1);
    const image = (2 * 5 + 1256 * 30) / 1e6;
    expect(saved[0]).toMatchObject({ endpoint: 'responses', model: 'gpt-image-2', usage: USAGE, estimate });
    expect(saved[0]!.cost).toBeCloseTo(image + (100 * 2 + 50 * 8) / 1e6, 12);
    expect(cost.totals.session.estimated).toBe(0);

    await cost.recordTurn({ ...doneTurn('t2'), usage: turn.usage, toolUsage: null, estimate });
    expect(saved[1]).toMatchObject({ cost: null, estimate });
    expect(cost.totals.session.estimated).toBe(1);
    expect(cost.totals.session.usd).toBeCloseTo(saved[0]!.cost! + 0.04, 12);

    await cost.recordTurn({ ...doneTurn('t3'), images: [] }); // failed before anything was billed
    expect(saved).toHaveLength(2);
  });

  it('a ledger that cannot save is reported, and the spend still counts on this page', async () => {
    const { cost } = costState({ failAdd: true });
    await cost.load();
    await cost.ended(finishedRun('gpt-image-2', BODY, USAGE));
    expect(cost.ledgerProblem).toContain('full');
    expect(cost.totals.session.requests).toBe(1);
  });

  it('a ledger that never answers does not hold Generate forever', async () => {
    const { cost } = costState({ hang: true });
    void cost.load();
    const started = Date.now();
    expect(await cost.approve(cost.estimate('gpt-image-2', BODY))).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('prices: a bad edit names the field and keeps the value; a good one is stored', async () => {
    const { cost, storage } = costState();
    await cost.load();
    expect(cost.setPrice('gpt-image-2', 'imageOut', 'lots')).toContain('Image output for gpt-image-2');
    expect(cost.pricesFor('gpt-image-2')!.imageOut).toBe(30);
    expect(cost.setPrice('gpt-image-2', 'imageOut', '24')).toBeNull();
    expect(cost.pricesFor('gpt-image-2')).toMatchObject({ imageOut: 24, asOf: '2026-11-24' });
    expect(storage.getItem(PRICES_STORAGE_KEY)).toContain('"imageOut":24');
    cost.resetPrices();
    expect(cost.pricesFor('gpt-image-2')!.imageOut).toBe(30);
  });
});

describe('CostState.followClock', () => {
  it('moves "today" on at local midnight while the page stays open', async () => {
    let now = Date.UTC(2026, 10, 24, 23, 0); // 23:00 local (UTC+0)
    const yesterday: SpendEntry = {
      id: 'e1',
      time: now - 60_000,
      session: 'other',
      model: 'gpt-image-2',
      endpoint: 'generations',
      usage: null,
      cost: 0.5,
      estimate: null,
    };
    const { ledger } = memoryLedger([yesterday]);
    const cost = new CostState({ now: () => now, tz: () => 0, ledger, storage: memoryStorage() });
    await cost.load();
    const pending: { fn: () => void; ms: number }[] = [];
    const stop = cost.followClock({
      setTimeout: ((fn: () => void, ms: number) => pending.push({ fn, ms })) as unknown as typeof setTimeout,
      clearTimeout: (() => pending.splice(0)) as unknown as typeof clearTimeout,
    });
    expect(cost.totals.today.usd).toBeCloseTo(0.5, 12);
    expect(pending[0]!.ms).toBe(3_600_000 + 1000); // one hour to midnight, plus a second
    now += pending[0]!.ms;
    pending.shift()!.fn();
    expect(cost.totals.today.usd).toBe(0);
    expect(cost.totals.month.usd).toBeCloseTo(0.5, 12);
    expect(pending[0]!.ms).toBe(86_400_000); // 00:00:01 → next midnight + 1 s
    stop();
    expect(pending).toHaveLength(0);
  });
});

const doneTurn = (id: string) =>
  baseTurn(id, null, {
    createdAt: NOW,
    text: 'a lighthouse',
    images: [turnImage(`ig_${id}`, { size: '1024x1024', quality: 'medium' })],
  });
