import { describe, expect, it } from 'vitest';
import {
  msUntilNextLocalDay,
  budgetBlock,
  budgetWarning,
  localDay,
  needsConfirm,
  unknownPriceReason,
  unpricedNote,
  NO_LIMITS,
  parseStoredLimits,
  setLimit,
  summarizeSpend,
  type Limits,
  type TzOffset,
} from '../../../src/lib/cost/budget';
import type { SpendEntry } from '../../../src/lib/history/spend';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);
const fixed =
  (minutes: number): TzOffset =>
  () =>
    minutes;

let seq = 0;
function entry(time: number, patch: Partial<SpendEntry> = {}): SpendEntry {
  return {
    id: `e${seq++}`,
    time,
    session: 'other',
    model: 'gpt-image-2.6-flare',
    endpoint: 'generations',
    usage: null,
    cost: 0.1,
    estimate: null,
    ...patch,
  };
}

describe('localDay uses the injected offset', () => {
  it.each([
    { name: 'UTC', time: utc(2026, 11, 30, 23, 30), tz: fixed(0), day: '2026-11-30' },
    {
      name: 'UTC+1 crosses into December',
      time: utc(2026, 11, 30, 23, 30),
      tz: fixed(60),
      day: '2026-12-01',
    },
    { name: 'UTC−5 is still in November', time: utc(2026, 12, 1, 3, 0), tz: fixed(-300), day: '2026-11-30' },
    { name: 'UTC+14 (Kiribati)', time: utc(2026, 12, 31, 10, 0), tz: fixed(840), day: '2027-01-01' },
    { name: 'UTC−9:30 (Marquesas)', time: utc(2027, 1, 1, 9, 0), tz: fixed(-570), day: '2026-12-31' },
  ])('$name', ({ time, tz, day }) => {
    expect(localDay(time, tz)).toBe(day);
  });
});

describe('summarizeSpend across day and month boundaries', () => {
  const session = 'this-tab';
  it.each([
    {
      name: 'UTC+1, just after local midnight on 1 December',
      now: utc(2026, 11, 30, 23, 30),
      tz: fixed(60),
      entries: [
        entry(utc(2026, 11, 30, 22, 59)), // local 23:59 on 30 Nov: not today, not this month
        entry(utc(2026, 11, 30, 23, 0), { session }), // local 00:00 on 1 Dec
        entry(utc(2026, 11, 30, 23, 10), { cost: 0.25 }),
      ],
      want: { session: 0.1, today: 0.35, month: 0.35, all: 0.45 },
    },
    {
      name: 'UTC−5, evening of 30 November while UTC is already December',
      now: utc(2026, 12, 1, 3, 0),
      tz: fixed(-300),
      entries: [
        entry(utc(2026, 11, 1, 5, 0)), // local 1 Nov 00:00: this month
        entry(utc(2026, 11, 1, 4, 59)), // local 31 Oct
        entry(utc(2026, 11, 30, 5, 0)), // local 30 Nov 00:00: today
        entry(utc(2026, 12, 1, 2, 0)), // local 30 Nov 21:00: today
      ],
      want: { session: 0, today: 0.2, month: 0.3, all: 0.4 },
    },
    {
      name: 'a DST change mid-month: each time uses its own offset',
      now: utc(2026, 3, 29, 12, 0),
      // Central European: UTC+1 until 29 March 01:00 UTC, then UTC+2.
      tz: (t: number) => (t < utc(2026, 3, 29, 1, 0) ? 60 : 120),
      entries: [
        entry(utc(2026, 3, 28, 23, 30)), // +1 → 29 Mar 00:30: today
        entry(utc(2026, 3, 28, 22, 59)), // +1 → 28 Mar 23:59: not today
        entry(utc(2026, 3, 31, 22, 30)), // +2 → 1 Apr 00:30: not this month
      ],
      want: { session: 0, today: 0.1, month: 0.2, all: 0.3 },
    },
  ])('$name', ({ now, tz, entries, want }) => {
    const t = summarizeSpend(entries, { now, tz, session });
    expect(t.session.usd).toBeCloseTo(want.session, 12);
    expect(t.today.usd).toBeCloseTo(want.today, 12);
    expect(t.month.usd).toBeCloseTo(want.month, 12);
    expect(t.all.usd).toBeCloseTo(want.all, 12);
  });

  it('counts a request without usage at its estimate, and says how many', () => {
    const now = utc(2026, 6, 1, 12);
    const t = summarizeSpend(
      [
        entry(now, { cost: null, estimate: { low: 0.01, point: 0.04, high: 0.2 } }),
        entry(now, { cost: null, estimate: null }),
      ],
      { now, tz: fixed(0), session: 'x' },
    );
    expect(t.today).toEqual({ usd: 0.04, requests: 2, estimated: 1, unpriced: 1 });
  });

  it('counts requests with neither cost nor estimate as unpriced, in every period they fall in', () => {
    const now = utc(2026, 6, 15, 12);
    const t = summarizeSpend(
      [
        entry(now, { cost: null, estimate: null, session: 'x' }),
        entry(utc(2026, 6, 2, 12), { cost: null, estimate: null }),
        entry(now, { cost: 0.02, estimate: null }),
      ],
      { now, tz: fixed(0), session: 'x' },
    );
    expect(t.session.unpriced).toBe(1);
    expect(t.today).toMatchObject({ usd: 0.02, requests: 2, unpriced: 1 });
    expect(t.month).toMatchObject({ usd: 0.02, requests: 3, unpriced: 2 });
  });
});

describe('budgets', () => {
  const totals = (today: number, month: number) =>
    summarizeSpend(
      [entry(utc(2026, 6, 10, 12), { cost: today }), entry(utc(2026, 6, 2, 12), { cost: month - today })],
      {
        now: utc(2026, 6, 10, 13),
        tz: fixed(0),
        session: 's',
      },
    );
  const limits = (patch: Partial<Limits>): Limits => ({ ...NO_LIMITS, ...patch });

  it.each([
    { name: 'no budgets', today: 5, month: 50, l: limits({}), blocked: null },
    { name: 'below the daily budget', today: 0.99, month: 2, l: limits({ daily: 1 }), blocked: null },
    { name: 'daily budget reached exactly', today: 1, month: 2, l: limits({ daily: 1 }), blocked: 'daily' },
    { name: 'daily budget passed', today: 1.3, month: 2, l: limits({ daily: 1 }), blocked: 'daily' },
    {
      name: 'monthly reached, daily not',
      today: 0.1,
      month: 20,
      l: limits({ daily: 1, monthly: 20 }),
      blocked: 'monthly',
    },
    {
      name: 'both reached: monthly named',
      today: 2,
      month: 25,
      l: limits({ daily: 1, monthly: 20 }),
      blocked: 'monthly',
    },
    { name: 'a zero budget blocks at once', today: 0, month: 0, l: limits({ daily: 0 }), blocked: 'daily' },
  ] as const)('$name', ({ today, month, l, blocked }) => {
    const b = budgetBlock(totals(today, month), l);
    expect(b?.budget ?? null).toBe(blocked);
    if (b) {
      expect(b.message).toContain(`${b.budget} budget of $`);
      expect(b.message).toContain(`raise the ${b.budget} budget in Costs and limits`);
    }
  });

  it.each([
    { today: 0.8, limit: 1, high: 0.3, warns: true },
    { today: 0.5, limit: 1, high: 0.3, warns: false },
    { today: 1, limit: 1, high: 0.3, warns: false }, // already blocked, not warned
  ])('warns when $today + up to $high may pass $limit: $warns', ({ today, limit, high, warns }) => {
    const w = budgetWarning(totals(today, today), limits({ daily: limit }), {
      low: 0,
      point: high / 2,
      high,
    });
    expect(w !== null).toBe(warns);
  });
});

describe('needsConfirm uses the top of the estimate', () => {
  const est = { low: 0.01, point: 0.04, high: 0.17 };
  it.each([
    { above: null, estimate: est, ask: false },
    { above: 0.5, estimate: est, ask: false },
    { above: 0.1, estimate: est, ask: true },
    { above: 0.17, estimate: est, ask: false },
    { above: 0, estimate: est, ask: true },
    { above: 1, estimate: null, ask: true }, // unknown price: ask
    { above: null, estimate: null, ask: false }, // no limits at all: nothing to hold it to
  ])('threshold $above', ({ above, estimate, ask }) => {
    expect(needsConfirm(estimate, { ...NO_LIMITS, confirmAbove: above })).toBe(ask);
  });

  it.each([
    { limits: { daily: 1 }, ask: true },
    { limits: { monthly: 20 }, ask: true },
  ])('an unknown price with only a budget set ($limits) asks: budgets cannot count it', ({ limits, ask }) => {
    expect(needsConfirm(null, { ...NO_LIMITS, ...limits })).toBe(ask);
    expect(needsConfirm({ low: 0, point: 0.01, high: 0.02 }, { ...NO_LIMITS, ...limits })).toBe(false);
  });

  it('says why: the price is unknown, not counted toward budgets, and what the user set', () => {
    expect(unknownPriceReason('dall-e-2', { confirmAbove: null, daily: 1, monthly: 20 })).toBe(
      'dall-e-2 has no price, so this request’s cost is unknown and it is not counted toward your budgets. You set a daily budget of $1.00 and a monthly budget of $20.00. Add a price in Costs and limits to have it counted.',
    );
    expect(unknownPriceReason('x', { ...NO_LIMITS, confirmAbove: 0.5 })).toBe(
      'x has no price, so this request’s cost is unknown. You set confirm requests above $0.50. Add a price in Costs and limits to have it counted.',
    );
  });

  it('the spend panel’s note on unpriced requests', () => {
    expect(unpricedNote(0)).toBeNull();
    expect(unpricedNote(1)).toMatch(/^1 request is unpriced \(not counted\)/);
    expect(unpricedNote(3)).toMatch(/^3 requests are unpriced \(not counted\)/);
    expect(unpricedNote(1, true)).toBe('+ 1 unpriced request, not counted');
    expect(unpricedNote(2, true)).toBe('+ 2 unpriced requests, not counted');
  });
});

describe('limits: validation and storage', () => {
  it.each([
    { text: '2.5', ok: true, value: 2.5 },
    { text: ' $10 ', ok: true, value: 10 },
    { text: '1,000', ok: true, value: 1000 },
    { text: '0', ok: true, value: 0 },
    { text: '', ok: true, value: null },
    { text: '-1', ok: false, value: 5 },
    { text: 'ten', ok: false, value: 5 },
    { text: 'Infinity', ok: false, value: 5 },
    { text: '1e999', ok: false, value: 5 },
    { text: '0x10', ok: false, value: 5 },
  ])('daily budget “$text”', ({ text, ok, value }) => {
    const before = { ...NO_LIMITS, daily: 5 };
    const edit = setLimit(before, 'daily', text);
    expect(edit.ok).toBe(ok);
    expect(edit.limits.daily).toBe(value);
    if (!edit.ok) {
      expect(edit.error).toContain('Daily budget');
      expect(edit.error).toContain('kept $5');
    }
  });

  it.each([
    { raw: null, limits: NO_LIMITS, problem: false },
    { raw: '{oops', limits: NO_LIMITS, problem: true },
    {
      raw: JSON.stringify({ confirmAbove: 0.5, daily: 2, monthly: null }),
      limits: { confirmAbove: 0.5, daily: 2, monthly: null },
      problem: false,
    },
    {
      raw: JSON.stringify({ confirmAbove: -1, daily: 'x', monthly: 30 }),
      limits: { confirmAbove: null, daily: null, monthly: 30 },
      problem: true,
    },
  ])('stored $raw', ({ raw, limits, problem }) => {
    const got = parseStoredLimits(raw);
    expect(got.limits).toEqual(limits);
    expect(got.problem !== null).toBe(problem);
  });
});

describe('msUntilNextLocalDay', () => {
  it('counts to the next local midnight in the given offset', () => {
    expect(msUntilNextLocalDay(Date.UTC(2026, 10, 24, 23, 0), () => 0)).toBe(3_600_000);
    // UTC−5: 23:00 UTC is 18:00 local, six hours to go.
    expect(msUntilNextLocalDay(Date.UTC(2026, 10, 24, 23, 0), () => -300)).toBe(6 * 3_600_000);
    expect(msUntilNextLocalDay(Date.UTC(2026, 10, 24, 0, 0), () => 0)).toBe(86_400_000);
  });
});
