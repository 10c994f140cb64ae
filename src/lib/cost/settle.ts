/**
 * What a request cost once it ended: the actual cost from `usage`, how it compares with the estimate, what the
 * calibration learns, and the ledger entry's figures. Pure, and loaded with the first request (not with the
 * page): nothing here is needed before something has been sent.
 */
import type { ImageUsage } from '../api/images';
import type { TurnRecord } from '../conversation/tree';
import { actualCost, compareWithEstimate, type ActualCost, type EstimateCheck } from './actual';
import type { Estimate } from './estimate';
import { calibrationSample, turnCalibrationSample, type RunOutcome } from './learn';
import { partialsOnlyCost, turnPartialsOnly, type PartialsOnly } from './partials';
import type { EffectivePrices, PriceOverrides } from './prices';
import type { Range } from './range';
import { imageToolUsage, textPrices, turnCost, type TurnCost } from './turn';

export type { TurnCost };

/** What a run was expected to cost and what it did cost. */
export interface RunCost {
  estimate: Estimate | null;
  actual: ActualCost | null;
  check: EstimateCheck | null;
  /** Cut or cancelled with only partial images and no usage: counted at the partials' tokens (estimated). */
  partialsOnly?: PartialsOnly | null;
}

/** The ledger entry's figures (its id, time, session and endpoint are the caller's). */
export interface Spent {
  model: string;
  usage: ImageUsage | null;
  cost: number | null;
  /** The USD estimate shown before sending (or the partials' range); null when there was none. */
  estimate: Range | null;
}

export interface Settled {
  /** null: nothing may have been billed (no usage, no image, no partial), so nothing is recorded. */
  cost: RunCost;
  spent: Spent;
  sample: { key: string; ratio: number } | null;
}

/** A studio run (generate, edit, variations) that ended, with the estimate shown when it was sent. */
export function settleRun(
  run: Omit<RunOutcome, 'usage' | 'images' | 'partials'> & {
    usage: ImageUsage | null;
    images: readonly unknown[];
    partialsSeen: number;
  },
  prices: EffectivePrices | null,
  estimate: Estimate | null,
): Settled | null {
  const usage = run.usage;
  const partialsOnly = !usage && run.images.length === 0 ? partialsOnlyCost(run.partialsSeen, prices) : null;
  if (!usage && run.images.length === 0 && !partialsOnly) return null;
  const actual = usage ? actualCost(usage, prices) : null;
  const check = actual?.usd != null && estimate?.usd ? compareWithEstimate(actual.usd, estimate.usd) : null;
  const sample = usage
    ? calibrationSample({
        model: run.model,
        body: run.body,
        echoed: run.echoed,
        usage,
        images: run.images.length,
        partials: run.partialsSeen,
      })
    : null;
  return {
    cost: { estimate, actual, check, partialsOnly },
    spent: {
      model: run.model,
      usage,
      cost: actual?.usd ?? null,
      estimate: partialsOnly ? partialsOnly.usd : (estimate?.usd ?? null),
    },
    sample,
  };
}

/** A conversation turn's cost from what its response reported (image tool and mainline parts). */
export function reportedTurnCost(
  turn: Pick<TurnRecord, 'mainline' | 'usage' | 'toolUsage'>,
  toolPrices: EffectivePrices | null,
  overrides: PriceOverrides,
): TurnCost {
  return turnCost(
    { usage: turn.usage, toolUsage: turn.toolUsage },
    toolPrices,
    textPrices(turn.mainline, overrides),
  );
}

/**
 * A conversation turn that ended: its cost from the response's usage when the image tool's tokens were reported
 * and priced; otherwise it counts at the estimate shown when it was sent (or its partials), marked as such.
 */
export function settleTurn(
  turn: TurnRecord,
  toolPrices: EffectivePrices | null,
  overrides: PriceOverrides,
): (Omit<Settled, 'cost'> & { reported: TurnCost }) | null {
  const reportedNothing = !turn.usage && !turn.toolUsage && !turn.images.some((i) => i.blob);
  const partialsOnly = reportedNothing ? partialsOnlyCost(turnPartialsOnly(turn), toolPrices) : null;
  if (reportedNothing && !partialsOnly) return null;
  const reported = reportedTurnCost(turn, toolPrices, overrides);
  return {
    reported,
    sample: turnCalibrationSample(turn),
    spent: {
      model: turn.toolModel,
      usage: imageToolUsage(turn.toolUsage),
      cost: reported.usd,
      estimate: partialsOnly ? partialsOnly.usd : (turn.estimate ?? null),
    },
  };
}
