import { describe, expect, it } from 'vitest';
import { describePartialsOnly, partialsOnlyCost, turnPartialsOnly } from '../../../src/lib/cost/partials';
import { effectivePrices } from '../../../src/lib/cost/prices';
import { turnImage, turnRecord } from '../factories';
import { costState, finishedRun } from './fakes';

const GPT_IMAGE_2 = effectivePrices('gpt-image-2', {})!; // image output $30 per 1M

describe('a request cut or cancelled after only partial images', () => {
  it('is priced at +100 image output tokens per partial, from $0 (maybe not billed) up', () => {
    expect(partialsOnlyCost(2, GPT_IMAGE_2)).toEqual({
      partials: 2,
      tokens: 200,
      usd: { low: 0, point: (200 * 30) / 1e6, high: (200 * 30) / 1e6 },
    });
    expect(partialsOnlyCost(0, GPT_IMAGE_2)).toBeNull();
    expect(partialsOnlyCost(1, null)).toMatchObject({ tokens: 100, usd: null });
  });

  it('says it is an estimate', () => {
    const line = describePartialsOnly(partialsOnlyCost(2, GPT_IMAGE_2)!);
    expect(line.amount).toBe('≈ $0.006');
    expect(line.parts).toContain('only 2 partial images arrived');
    expect(line.parts).toContain('an estimate');
  });

  it('a turn counts partials only when none of its images finished', () => {
    const cut = turnRecord('a', null, { images: [turnImage('ig_a', { blob: null, partialIndex: 1 })] });
    expect(turnPartialsOnly(cut)).toBe(2);
    expect(
      turnPartialsOnly(turnRecord('b', null, { images: [turnImage('ig_b', { partialIndex: 1 })] })),
    ).toBe(0);
  });

  it('a cancelled studio run that streamed 2 partials goes to the ledger as estimated', async () => {
    const { cost, saved } = costState();
    await cost.load();
    const run = finishedRun('gpt-image-2', { stream: true, partial_images: 2 }, null, 2);
    run.images = [];
    await cost.ended(run);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ cost: null, estimate: { point: (200 * 30) / 1e6 } });
    expect(cost.runCosts[run.id]?.partialsOnly?.partials).toBe(2);
    expect(cost.totals.session.estimated).toBe(1);
    // Nothing at all arrived: nothing is recorded.
    const empty = finishedRun('gpt-image-2', {}, null, 0);
    empty.images = [];
    await cost.ended(empty);
    expect(saved).toHaveLength(1);
  });

  it('a cancelled turn with only partials goes to the ledger as estimated', async () => {
    const { cost, saved } = costState();
    await cost.load();
    const turn = turnRecord('t', null, {
      status: 'cancelled',
      toolModel: 'gpt-image-2',
      images: [turnImage('ig_t', { blob: null, partialIndex: 0 })],
    });
    await cost.recordTurn(turn);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      endpoint: 'responses',
      cost: null,
      estimate: { point: (100 * 30) / 1e6 },
    });
  });
});
