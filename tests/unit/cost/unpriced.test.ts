import { describe, expect, it } from 'vitest';
import { LIMITS_STORAGE_KEY } from '../../../src/lib/cost/budget';
import { costState, finishedRun, memoryStorage } from './fakes';

/** A dall-e-2 variations run as the studio makes it (an edit run whose operation is variations), no usage. */
function variationsRun() {
  const run = finishedRun('dall-e-2', { n: 2, size: '512x512' }, null);
  return Object.assign(run, { kind: 'edit', operation: 'variations' });
}

describe('requests without a price are shown, not silently counted as $0', () => {
  it('variations go to the ledger as variations, unpriced, and the totals say so', async () => {
    const { cost, saved } = costState();
    await cost.load();
    const run = variationsRun();
    cost.track(run, cost.estimate('dall-e-2', { n: 2, size: '512x512' }));
    await cost.ended(run);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ endpoint: 'variations', model: 'dall-e-2', cost: null, estimate: null });
    expect(cost.totals.session).toMatchObject({ usd: 0, requests: 1, unpriced: 1 });
  });

  it('an edit run is still recorded as an edit', async () => {
    const { cost, saved } = costState();
    await cost.load();
    const run = Object.assign(finishedRun('gpt-image-2', {}, null), { kind: 'edit', operation: 'edits' });
    await cost.ended(run);
    expect(saved[0]?.endpoint).toBe('edits');
  });

  it('with only a daily budget set, an unpriced request is asked about (the budget cannot count it)', async () => {
    const { cost } = costState({ storage: memoryStorage({ [LIMITS_STORAGE_KEY]: '{"daily": 5}' }) });
    await cost.load();
    const estimate = cost.estimate('no-such-image-model', { prompt: 'x', size: '1024x1024' });
    expect(estimate.usd).toBeNull();
    const answer = cost.approve(estimate);
    await expect.poll(() => cost.pending).not.toBeNull();
    expect(cost.pending!.threshold).toBeNull();
    cost.answer(false);
    expect(await answer).toBe(false);
    // A priced request under the budget is not asked about.
    expect(await cost.approve(cost.estimate('gpt-image-2', { prompt: 'x', quality: 'low' }))).toBe(true);
  });
});
