/**
 * Costs: the price table (registry + the user's overrides), calibration, spending limits and the spend ledger;
 * the estimate for a request body, the gate before sending (budgets, confirmation) and the actual cost after.
 */
import {
  budgetBlock,
  localDay,
  localTzOffset,
  msUntilNextLocalDay,
  needsConfirm,
  NO_LIMITS,
  LIMITS_STORAGE_KEY,
  parseStoredLimits,
  setLimit,
  summarizeSpend,
  type BudgetBlock,
  type LimitKey,
  type Limits,
  type TzOffset,
} from '../cost/budget';
import {
  CALIBRATION_STORAGE_KEY,
  parseCalibration,
  updateCalibration,
  type CalibrationTable,
} from '../cost/calibration';
import { estimateCost, estimateInputFromRequest, type Estimate } from '../cost/estimate';
import {
  canonicalModelId,
  effectivePrices,
  parseStoredPrices,
  PRICES_STORAGE_KEY,
  resetPrices,
  serializePrices,
  setPriceField,
  type EffectivePrices,
  type PriceField,
  type PriceOverrides,
} from '../cost/prices';
import type { InputImage } from '../cost/tokens';
import {
  describeSpendError,
  idbSpendLedger,
  mergeSpendEntries,
  type SpendEntry,
  type SpendLedger,
} from '../history/spend';
import { resolveModel } from '../models/resolve';
import type { TurnRecord } from '../conversation/tree';
import type { RunCost, Settled, TurnCost } from '../cost/settle';
import type { RunState } from './run.svelte';

export interface CostDeps {
  now?: () => number;
  tz?: TzOffset;
  ledger?: SpendLedger;
  /** Where prices, limits and calibration are kept (localStorage by default). */
  storage?: Storage | null;
  session?: string;
}

export type { RunCost, TurnCost };

export interface PendingConfirm {
  estimate: Estimate;
  /** The confirmation threshold; null when asking only because the price is unknown and a budget is set. */
  threshold: number | null;
  resolve: (ok: boolean) => void;
}

export type CostSettingsFocus = LimitKey | 'prices';

/** Which API a studio run called: an edit run also makes variations (EditRunState.operation). */
function ledgerEndpoint(run: RunState): SpendEntry['endpoint'] {
  const r = run as { kind?: string; operation?: string };
  if (r.kind !== 'edit') return 'generations';
  return r.operation === 'variations' ? 'variations' : 'edits';
}

function defaultStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The after-request code (cost/settle.ts): loaded when the first request is sent, not with the page. */
let settleCode: Promise<typeof import('../cost/settle')> | null = null;
const loadSettle = () => (settleCode ??= import('../cost/settle'));

const newSession = () =>
  globalThis.crypto?.randomUUID?.() ?? `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** How long Generate waits for the spend ledger before deciding on what it has. */
const LEDGER_WAIT_MS = 1500;
const settleWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p, new Promise((resolve) => setTimeout(resolve, ms))]);

export class CostState {
  overrides = $state.raw<PriceOverrides>({});
  calibration = $state.raw<CalibrationTable>({});
  limits = $state.raw<Limits>(NO_LIMITS);
  entries = $state.raw<SpendEntry[]>([]);
  /** Models seen on this page whose tokens had no price (e.g. a conversation's mainline model). */
  unpricedModels = $state.raw<string[]>([]);
  /** Stored data that could not be used, in words (the app keeps working on defaults). */
  priceProblem = $state<string | null>(null);
  limitsProblem = $state<string | null>(null);
  ledgerProblem = $state<string | null>(null);
  /** The Costs and limits dialog, and what to focus when it opens. */
  settingsOpen = $state(false);
  settingsFocus = $state<CostSettingsFocus | null>(null);
  /** A request waiting for the user's OK because its estimate is above the threshold. */
  pending = $state.raw<PendingConfirm | null>(null);
  /** Why the last Generate was refused (a budget was reached); null once sending is allowed again. */
  blocked = $state.raw<BudgetBlock | null>(null);
  /** Estimate and actual cost of this page's runs, by run id. */
  runCosts = $state.raw<Record<number, RunCost>>({});
  /** The "now" the totals are computed at; refreshed whenever spend is checked or recorded. */
  clock = $state(0);

  readonly session: string;
  readonly tz: TzOffset;
  totals = $derived.by(() =>
    summarizeSpend(this.entries, { now: this.clock, tz: this.tz, session: this.session }),
  );

  private readonly now: () => number;
  private readonly ledger: SpendLedger;
  private readonly storage: Storage | null;
  private ready: Promise<void> = Promise.resolve();

  constructor(deps: CostDeps = {}) {
    this.now = deps.now ?? Date.now;
    this.ledger = deps.ledger ?? idbSpendLedger();
    this.storage = deps.storage === undefined ? defaultStorage() : deps.storage;
    this.session = deps.session ?? newSession();
    this.tz = deps.tz ?? localTzOffset;
    this.clock = this.now();
  }

  /** Reads prices, limits and calibration (never throws), then the ledger in the background. */
  load(): Promise<void> {
    const prices = parseStoredPrices(this.read(PRICES_STORAGE_KEY));
    this.overrides = prices.overrides;
    this.priceProblem = prices.problem;
    const limits = parseStoredLimits(this.read(LIMITS_STORAGE_KEY));
    this.limits = limits.limits;
    this.limitsProblem = limits.problem;
    this.calibration = parseCalibration(this.read(CALIBRATION_STORAGE_KEY));
    this.ready = this.refreshLedger();
    return this.ready;
  }

  /**
   * Keeps "Today" and "This month" true while the page stays open: moves the clock at each local midnight and
   * when the tab becomes visible again (timers sleep with the device). Returns the function that stops.
   */
  followClock(timers: Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'> = globalThis): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      this.clock = this.now();
      timer = timers.setTimeout(schedule, msUntilNextLocalDay(this.clock, this.tz) + 1000);
    };
    schedule();
    return () => timers.clearTimeout(timer);
  }

  /** Re-reads the ledger (other tabs may have spent too). */
  async refreshLedger(): Promise<void> {
    try {
      const stored = await this.ledger.list();
      this.entries = mergeSpendEntries(stored, this.entries);
    } catch (e) {
      this.ledgerProblem = describeSpendError(e);
    }
    this.clock = this.now();
  }

  pricesFor(model: string): EffectivePrices | null {
    return effectivePrices(model, this.overrides);
  }

  /** The estimate for a request body (edits and conversations pass their input images). */
  estimate(model: string, body: Record<string, unknown>, inputImages: InputImage[] = []): Estimate {
    const id = canonicalModelId(model);
    const input = estimateInputFromRequest(resolveModel(model), body, {
      model: id,
      prices: this.pricesFor(model),
      calibration: this.calibration,
      inputImages,
    });
    return estimateCost(input);
  }

  /** Resolves true when the request may be sent: no budget reached, and confirmed if above the threshold. */
  async approve(estimate: Estimate): Promise<boolean> {
    // Other tabs may have spent too; a storage that never answers must not hold the request forever.
    await settleWithin(
      this.ready.then(() => this.refreshLedger()),
      LEDGER_WAIT_MS,
    );
    this.clock = this.now();
    this.blocked = budgetBlock(this.totals, this.limits);
    if (this.blocked) return false;
    if (!needsConfirm(estimate.usd, this.limits)) return true;
    this.pending?.resolve(false);
    return new Promise((resolve) => {
      this.pending = { estimate, threshold: this.limits.confirmAbove, resolve };
    });
  }

  /** The user's answer in the confirmation dialog. */
  answer(ok: boolean): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(ok);
  }

  track(run: RunState, estimate: Estimate): void {
    this.runCosts = { ...this.runCosts, [run.id]: { estimate, actual: null, check: null } };
    void loadSettle().catch(() => {}); // ready by the time the run ends
  }

  /**
   * A run ended: its actual cost, calibration, and a ledger entry when anything may have been billed (partial
   * images alone too: they count at their tokens, as an estimate). Resolves once the entry is stored.
   */
  async ended(run: RunState): Promise<void> {
    const { settleRun } = await loadSettle();
    const settled = settleRun(run, this.pricesFor(run.model), this.runCosts[run.id]?.estimate ?? null);
    if (!settled) return;
    this.runCosts = { ...this.runCosts, [run.id]: settled.cost };
    await this.record(settled, `${this.session}:${run.id}`, ledgerEndpoint(run));
  }

  /**
   * A conversation turn ended: one ledger entry when anything may have been billed (see settleTurn). Recording
   * the same turn twice keeps one entry. Resolves to the reported cost.
   */
  async recordTurn(turn: TurnRecord): Promise<TurnCost | null> {
    const { settleTurn } = await loadSettle();
    const id = `${this.session}:responses:${turn.id}`;
    if (this.entries.some((e) => e.id === id)) return null;
    const settled = settleTurn(turn, this.pricesFor(turn.toolModel), this.overrides);
    if (!settled) return null;
    // Offer the mainline model in the price table, so that its text tokens can be priced.
    if (settled.reported.mainlineUnpriced && !this.unpricedModels.includes(turn.mainline))
      this.unpricedModels = [...this.unpricedModels, turn.mainline];
    await this.record(settled, id, 'responses', false);
    return settled.reported;
  }

  /** Calibrates from what was reported and stores the ledger entry. */
  private async record(
    settled: Omit<Settled, 'cost'>,
    id: string,
    endpoint: SpendEntry['endpoint'],
    stamped = true,
  ): Promise<void> {
    this.calibrate(settled.sample);
    const time = this.now();
    await this.addEntry({
      id: stamped ? `${id}:${time}` : id,
      time,
      session: this.session,
      endpoint,
      ...settled.spent,
    });
  }

  private async addEntry(entry: SpendEntry): Promise<void> {
    this.entries = [...this.entries, entry];
    this.clock = entry.time;
    try {
      await this.ledger.add($state.snapshot(entry) as SpendEntry);
    } catch (e) {
      this.ledgerProblem = describeSpendError(e);
    }
  }

  private calibrate(sample: { key: string; ratio: number } | null): void {
    if (!sample) return;
    this.calibration = updateCalibration(this.calibration, sample.key, sample.ratio, this.now());
    this.write(CALIBRATION_STORAGE_KEY, JSON.stringify(this.calibration));
  }

  forgetCalibration(): void {
    this.calibration = {};
    this.storage?.removeItem(CALIBRATION_STORAGE_KEY);
  }

  /** Sets one price; returns the error to show (the previous value is kept) or null. */
  setPrice(model: string, field: PriceField, text: string): string | null {
    const today = localDay(this.now(), this.tz);
    const edit = setPriceField(this.overrides, model, field, text, today);
    if (!edit.ok) return edit.error;
    this.savePrices(edit.overrides);
    return null;
  }

  resetPrices(model?: string): void {
    this.savePrices(resetPrices(this.overrides, model));
  }

  setLimit(key: LimitKey, text: string): string | null {
    const edit = setLimit(this.limits, key, text);
    if (!edit.ok) return edit.error;
    this.limits = edit.limits;
    this.limitsProblem = null;
    this.write(LIMITS_STORAGE_KEY, JSON.stringify(edit.limits));
    if (this.blocked) this.blocked = budgetBlock(this.totals, this.limits);
    return null;
  }

  openSettings(focus: CostSettingsFocus | null = null): void {
    this.settingsFocus = focus;
    this.settingsOpen = true;
  }

  private savePrices(overrides: PriceOverrides): void {
    this.overrides = overrides;
    this.priceProblem = null;
    this.write(PRICES_STORAGE_KEY, serializePrices(overrides));
  }

  private read(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.storage?.setItem(key, value);
    } catch {
      // Storage full or blocked: the value holds for this page.
    }
  }
}
