/**
 * Local calibration of the area-scaled output-token estimate, per model and quality: an exponential moving
 * average of (actual image output tokens ÷ the uncalibrated estimate), learnt from real responses. Pure.
 */
export const CALIBRATION_STORAGE_KEY = 'atelier.calibration.v1';
/** Weight of the newest response in the moving average. */
export const EMA_ALPHA = 0.3;
/** Ratios outside this band are not evidence about the estimate (a wrong echo, another model): ignored. */
const SANE_RATIO: [number, number] = [0.05, 20];

export interface CalibrationEntry {
  ratio: number;
  samples: number;
  updatedAt: number;
}

export type CalibrationTable = Record<string, CalibrationEntry>;

export const calibrationKey = (model: string, quality: string): string => `${model}|${quality}`;

/** Folds one observed ratio into the table; returns the same table when the observation is not usable. */
export function updateCalibration(
  table: CalibrationTable,
  key: string,
  observed: number,
  now: number,
): CalibrationTable {
  if (!Number.isFinite(observed) || observed < SANE_RATIO[0] || observed > SANE_RATIO[1]) return table;
  const prev = table[key];
  const ratio = prev ? prev.ratio + EMA_ALPHA * (observed - prev.ratio) : observed;
  return { ...table, [key]: { ratio, samples: (prev?.samples ?? 0) + 1, updatedAt: now } };
}

export interface CalibrationObservation {
  /** Image output tokens the response reported (all images and partials of the request). */
  imageOutputTokens: number;
  /** Images the request produced and partial images it streamed. */
  images: number;
  partials: number;
  /** The uncalibrated area-scaled estimate for one image at the size and quality the API says it used. */
  expectedPerImage: number;
  partialTokens: number;
}

/** Actual ÷ expected per image, or null when the response says too little to learn from. */
export function observedRatio(o: CalibrationObservation): number | null {
  if (o.images < 1 || !(o.expectedPerImage > 0) || !(o.imageOutputTokens > 0)) return null;
  const perImage = (o.imageOutputTokens - o.partials * o.partialTokens) / o.images;
  return perImage > 0 ? perImage / o.expectedPerImage : null;
}

/** Reads a stored table, dropping anything malformed (a corrupt entry must never break estimates). */
export function parseCalibration(raw: string | null): CalibrationTable {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: CalibrationTable = {};
  for (const [key, e] of Object.entries(value as Record<string, unknown>)) {
    const entry = e as Partial<CalibrationEntry> | null;
    const ratio = Number(entry?.ratio);
    const samples = Number(entry?.samples);
    if (!Number.isFinite(ratio) || ratio < SANE_RATIO[0] || ratio > SANE_RATIO[1]) continue;
    if (!Number.isInteger(samples) || samples < 1) continue;
    out[key] = { ratio, samples, updatedAt: Number(entry?.updatedAt) || 0 };
  }
  return out;
}
