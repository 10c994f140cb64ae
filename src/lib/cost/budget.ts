/**
 * Spend so far (this session, today, this month, all time) in the user's local time, and the limits the user
 * sets: confirm above a cost, daily and monthly budgets. "Now" and the time zone offset are injected. Pure.
 */
import type { SpendEntry } from '../history/spend';
import { formatLimit } from './format';
import type { Range } from './range';

/** Minutes to add to UTC to get local time at `time` (east positive; DST-aware by default). */
export type TzOffset = (time: number) => number;
export const localTzOffset: TzOffset = (time) => -new Date(time).getTimezoneOffset();

/** YYYY-MM-DD of `time` in local time. */
export function localDay(time: number, tz: TzOffset): string {
  return new Date(time + tz(time) * 60_000).toISOString().slice(0, 10);
}

/** Milliseconds from `time` to the next local midnight (when "today" starts counting again). */
export function msUntilNextLocalDay(time: number, tz: TzOffset): number {
  const local = time + tz(time) * 60_000;
  const day = 86_400_000;
  return day - (((local % day) + day) % day);
}

export const localMonth = (time: number, tz: TzOffset): string => localDay(time, tz).slice(0, 7);

export interface SpendAmount {
  usd: number;
  requests: number;
  /** Requests counted at their estimate because no usage came back. */
  estimated: number;
  /**
   * Requests with neither a cost nor an estimate (their model has no price, e.g. dall-e-2 variations or an
   * unknown id): counted as $0, so the totals and budgets leave them out. Shown, never silent.
   */
  unpriced: number;
}

export interface SpendTotals {
  session: SpendAmount;
  today: SpendAmount;
  month: SpendAmount;
  all: SpendAmount;
}

const zero = (): SpendAmount => ({ usd: 0, requests: 0, estimated: 0, unpriced: 0 });

export function summarizeSpend(
  entries: readonly SpendEntry[],
  at: { now: number; tz: TzOffset; session: string },
): SpendTotals {
  const t = { session: zero(), today: zero(), month: zero(), all: zero() };
  const day = localDay(at.now, at.tz);
  const month = day.slice(0, 7);
  for (const e of entries) {
    const usd = e.cost ?? e.estimate?.point ?? 0;
    const estimated = e.cost === null && e.estimate !== null ? 1 : 0;
    const unpriced = e.cost === null && e.estimate === null ? 1 : 0;
    const eDay = localDay(e.time, at.tz);
    const buckets = [
      t.all,
      ...(e.session === at.session ? [t.session] : []),
      ...(eDay === day ? [t.today] : []),
      ...(eDay.slice(0, 7) === month ? [t.month] : []),
    ];
    for (const b of buckets) {
      b.usd += usd;
      b.requests += 1;
      b.estimated += estimated;
      b.unpriced += unpriced;
    }
  }
  return t;
}

export interface Limits {
  /** Ask before sending a request whose estimate may exceed this many dollars. */
  confirmAbove: number | null;
  daily: number | null;
  monthly: number | null;
}

export type LimitKey = keyof Limits;
export const NO_LIMITS: Limits = { confirmAbove: null, daily: null, monthly: null };
export const LIMITS_STORAGE_KEY = 'atelier.limits.v1';
export const LIMIT_KEYS: readonly LimitKey[] = ['confirmAbove', 'daily', 'monthly'];
export const LIMIT_LABELS: Record<LimitKey, string> = {
  confirmAbove: 'Confirm requests above',
  daily: 'Daily budget',
  monthly: 'Monthly budget',
};

const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Reads `atelier.limits.v1`; anything unusable means "no limit" for that field, and says so. */
export function parseStoredLimits(raw: string | null): { limits: Limits; problem: string | null } {
  if (!raw) return { limits: NO_LIMITS, problem: null };
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(raw) as Record<string, unknown>;
    if (!value || typeof value !== 'object') throw new Error('not an object');
  } catch {
    return { limits: NO_LIMITS, problem: 'Your saved spending limits could not be read; set them again.' };
  }
  const limits = { ...NO_LIMITS };
  const bad: string[] = [];
  for (const key of LIMIT_KEYS) {
    const v = value[key];
    if (isAmount(v)) limits[key] = v;
    else if (v !== null && v !== undefined) bad.push(LIMIT_LABELS[key]);
  }
  return {
    limits,
    problem: bad.length ? `Some saved limits were not valid and are off: ${bad.join(', ')}.` : null,
  };
}

export type LimitEdit = { ok: true; limits: Limits } | { ok: false; limits: Limits; error: string };

/** Sets one limit from what was typed: '' turns it off; otherwise dollars, 0 or more. */
export function setLimit(limits: Limits, key: LimitKey, text: string): LimitEdit {
  const t = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (t === '') return { ok: true, limits: { ...limits, [key]: null } };
  const value = Number(t);
  if (!/^[0-9.eE+-]+$/.test(t) || !isAmount(value)) {
    const kept = limits[key] === null ? 'off' : `$${limits[key]}`;
    return {
      ok: false,
      limits,
      error: `“${LIMIT_LABELS[key]}” must be an amount in dollars, 0 or more, or empty for none (you typed “${text.trim()}”); kept ${kept}.`,
    };
  }
  return { ok: true, limits: { ...limits, [key]: value } };
}

export interface BudgetBlock {
  budget: 'daily' | 'monthly';
  limit: number;
  spent: number;
  message: string;
}

const usd = formatLimit;

/** The budget that stops sending, or null. The monthly one is named first: raising the daily would not help. */
export function budgetBlock(totals: SpendTotals, limits: Limits): BudgetBlock | null {
  const check = (budget: 'daily' | 'monthly', limit: number | null, spent: number): BudgetBlock | null => {
    if (limit === null || spent < limit) return null;
    const period = budget === 'daily' ? 'today' : 'this month';
    const until = budget === 'daily' ? 'tomorrow' : 'next month';
    return {
      budget,
      limit,
      spent,
      message: `You have reached your ${budget} budget of ${usd(limit)} (${usd(spent)} spent ${period}). Nothing is sent until ${until}, local time — or raise the ${budget} budget in Costs and limits.`,
    };
  };
  return check('monthly', limits.monthly, totals.month.usd) ?? check('daily', limits.daily, totals.today.usd);
}

/** A warning (not a block) when this request may take the user past a budget. */
export function budgetWarning(totals: SpendTotals, limits: Limits, estimate: Range | null): string | null {
  if (!estimate) return null;
  for (const [budget, limit, spent, period] of [
    ['monthly', limits.monthly, totals.month.usd, 'this month'],
    ['daily', limits.daily, totals.today.usd, 'today'],
  ] as const) {
    if (limit !== null && spent < limit && spent + estimate.high > limit)
      return `This request may take you past your ${budget} budget: ${usd(limit - spent)} left ${period}.`;
  }
  return null;
}

/**
 * Whether to ask before sending: the estimate's top may exceed the threshold, or the price is unknown while the
 * user has set any limit (a request without a price counts as $0 toward the budgets, so they cannot stop it).
 */
export function needsConfirm(estimate: Range | null, limits: Limits): boolean {
  if (estimate === null) return LIMIT_KEYS.some((k) => limits[k] !== null);
  return limits.confirmAbove !== null && estimate.high > limits.confirmAbove;
}

/** Why a request without a price is asked about: the limits it cannot be held to. */
export function unknownPriceReason(model: string, limits: Limits): string {
  const set = [
    limits.confirmAbove !== null && `confirm requests above ${usd(limits.confirmAbove)}`,
    limits.daily !== null && `a daily budget of ${usd(limits.daily)}`,
    limits.monthly !== null && `a monthly budget of ${usd(limits.monthly)}`,
  ].filter((x): x is string => typeof x === 'string');
  const budgets = limits.daily !== null || limits.monthly !== null;
  return (
    `${model} has no price, so this request’s cost is unknown` +
    (budgets ? ' and it is not counted toward your budgets' : '') +
    `. You set ${set.join(' and ')}. Add a price in Costs and limits to have it counted.`
  );
}

/**
 * "2 requests are unpriced (not counted)…": the spend panel's note (`compact`: the short form beside the
 * estimate), or null when every request had a price.
 */
export function unpricedNote(count: number, compact = false): string | null {
  if (count <= 0) return null;
  if (compact) return `+ ${count} unpriced request${count === 1 ? '' : 's'}, not counted`;
  const what = count === 1 ? '1 request is' : `${count} requests are`;
  return `${what} unpriced (not counted): the model had no price. Add one in Costs and limits; budgets do not count them.`;
}
