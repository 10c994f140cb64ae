/**
 * The estimate shown next to Generate: tokens and dollars per part of the request, with ranges where a number
 * is not published, and notes that say which numbers are estimates. Pure.
 */
import type { ModelProfile, OutputTokenTable, Prices } from '../models/types';
import type { CalibrationTable } from './calibration';
import { addRanges, exact, isExact, scaleRange, type Range } from './range';
import {
  BEYOND_HIGH,
  PARTIAL_IMAGE_TOKENS,
  imageInputTokens,
  imageOutputTokens,
  textInputTokens,
  type InputImage,
} from './tokens';

export type CostPart = 'textIn' | 'imageIn' | 'imageOut' | 'partials' | 'textOut';

export const PART_LABELS: Record<CostPart, string> = {
  textIn: 'Text input',
  imageIn: 'Image input',
  imageOut: 'Image output',
  partials: 'Partial images',
  textOut: 'Text output',
};

export interface EstimateLine {
  part: CostPart;
  tokens: Range;
  /** null when the model has no price for this part. */
  usd: Range | null;
  /** How the number was reached ("1,056 per image × 2 · medium, 1024x1024"). */
  detail: string;
}

export interface Estimate {
  model: string;
  lines: EstimateLine[];
  tokens: Range;
  /** null: no price for this model ("price unknown — add one in Settings"). */
  usd: Range | null;
  /** The image output could not be estimated (a quality or size the estimator knows nothing about). */
  outputUnknown: boolean;
  /** Which numbers are estimates, and why. */
  notes: string[];
  n: number;
}

export interface EstimateInput {
  /** Canonical model id (calibration and notes). */
  model: string;
  prices: Prices | null;
  outputTokens?: OutputTokenTable;
  size: string;
  quality: string;
  n: number;
  /** Streamed partial images asked for (0 when not streaming). */
  partialImages: number;
  promptChars: number;
  /** Reference images and mask (none in the generate studio; edits and conversations pass theirs). */
  inputImages: InputImage[];
  inputFidelity: 'low' | 'high';
  /** Animated GIF frames (1 otherwise). */
  frames: number;
  calibration: CalibrationTable;
}

/** Text output is reported by some models (1.5) — about this many tokens per request, and not published. */
const TEXT_OUT: Range = { low: 0, point: 200, high: 400 };
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const dollars = (tokens: Range, perMillion: number | undefined): Range | null =>
  perMillion === undefined ? null : scaleRange(tokens, perMillion / 1e6);

export function estimateCost(i: EstimateInput): Estimate {
  const n = Math.max(1, Math.floor(i.n));
  const p = i.prices;
  const lines: EstimateLine[] = [];
  const notes: string[] = [];

  const text = textInputTokens(i.promptChars);
  lines.push({
    part: 'textIn',
    tokens: text,
    usd: dollars(text, p?.textIn),
    detail: `${fmt(i.promptChars)} characters, ≈4 per token`,
  });
  if (i.promptChars > 0) notes.push('Text input is counted at about 4 characters per token.');

  if (i.inputImages.length) {
    const perImage = i.inputImages.map((img) => imageInputTokens(img, i.inputFidelity));
    const tokens = addRanges(...perImage);
    const masks = i.inputImages.filter((img) => img.role === 'mask').length;
    const context = i.inputImages.filter((img) => img.role === 'context').length;
    const refs = i.inputImages.length - masks - context;
    const what = [
      refs && `${refs} image${refs > 1 ? 's' : ''}`,
      context && `${context} earlier image${context > 1 ? 's' : ''} (context)`,
      masks && 'mask',
    ]
      .filter(Boolean)
      .join(' + ');
    lines.push({
      part: 'imageIn',
      tokens,
      usd: dollars(tokens, p?.imageIn),
      detail: `${what}${i.inputFidelity === 'high' ? ', high input fidelity' : ''}`,
    });
    notes.push(
      i.inputFidelity === 'high'
        ? 'Image input: 512-px tiles plus the high-fidelity surcharge for each image’s shape.'
        : 'Image input: 512-px tiles after scaling the short side to 512 px.',
    );
    if (context)
      notes.push(
        'Context is estimated: the earlier image this turn continues from is counted as one image input (the image tool reads it); how much of a stored conversation the API bills is not published.',
      );
  }

  const out = imageOutputTokens({
    model: i.model,
    table: i.outputTokens,
    quality: i.quality,
    size: i.size,
    frames: i.frames,
    calibration: i.calibration,
  });
  if (out) {
    const tokens = scaleRange(out.tokens, n);
    const per = isExact(out.tokens) ? fmt(out.tokens.point) : `≈${fmt(out.tokens.point)}`;
    const how = [
      out.qualities.length > 1 ? 'quality auto' : out.qualities[0],
      out.sizes.length > 1 ? 'size auto' : out.sizes[0],
    ];
    lines.push({
      part: 'imageOut',
      tokens,
      usd: dollars(tokens, p?.imageOut),
      detail: `${per} per image × ${n} · ${how.join(', ')}${i.frames > 1 ? `, ${i.frames} frames` : ''}`,
    });
    notes.push(...outputNotes(i, out.basis, out.samples, out.qualities.length > 1, out.sizes.length > 1));
  }

  if (i.partialImages > 0) {
    const tokens = exact(i.partialImages * PARTIAL_IMAGE_TOKENS);
    lines.push({
      part: 'partials',
      tokens,
      usd: dollars(tokens, p?.imageOut),
      detail: `${i.partialImages} × ${PARTIAL_IMAGE_TOKENS} image output tokens`,
    });
  }

  if (p?.textOut !== undefined) {
    lines.push({
      part: 'textOut',
      tokens: TEXT_OUT,
      usd: dollars(TEXT_OUT, p.textOut),
      detail: 'reported by this model; not published',
    });
    notes.push('This model also bills some text output; its size is a guess.');
  }

  const priced = p !== null && out !== null && lines.every((l) => l.usd !== null);
  return {
    model: i.model,
    lines,
    tokens: addRanges(...lines.map((l) => l.tokens)),
    usd: priced ? addRanges(...lines.map((l) => l.usd!)) : null,
    outputUnknown: out === null,
    notes,
    n,
  };
}

function outputNotes(
  i: EstimateInput,
  basis: string,
  samples: number,
  autoQuality: boolean,
  autoSize: boolean,
): string[] {
  const notes: string[] = [];
  if (basis === 'area') {
    notes.push(
      samples > 0
        ? `Image output is scaled from pixel area and calibrated by ${samples} of your responses.`
        : 'Image output tokens are not published for this model: scaled from pixel area, so shown as a range until your responses calibrate it.',
    );
    if (BEYOND_HIGH[i.quality])
      notes.push(`No figure is published for quality ${i.quality}: a guess from high.`);
    if (i.frames > 1) notes.push('An animated GIF is estimated as every frame’s area.');
  } else if (basis === 'derived')
    notes.push('Image output is derived from this model’s rounded per-image prices.');
  if (autoQuality) notes.push('Quality auto: the range spans low to high; medium is the point estimate.');
  if (autoSize) notes.push('Size auto: the range spans the three standard sizes.');
  return notes;
}

/** What the request body will ask for, as estimator input. Reads the body, so extra fields count too. */
export function estimateInputFromRequest(
  profile: ModelProfile,
  body: Record<string, unknown>,
  ctx: { model: string; prices: Prices | null; calibration: CalibrationTable; inputImages?: InputImage[] },
): EstimateInput {
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const gif = body.output_format === 'gif';
  const frames = gif
    ? Math.max(1, Math.round(num(body.frame_count, profile.gif?.frameCount.default ?? 1)))
    : 1;
  let size = typeof body.size === 'string' ? body.size : 'auto';
  if (gif && size === 'auto' && profile.gif) {
    const edge = profile.gif.maxFrameEdge.find((l) => frames <= l.upToFrames)?.edge;
    if (edge) size = `${edge}x${edge}`;
  }
  const fidelity: 'low' | 'high' = profile.inputFidelity
    ? body.input_fidelity === 'high'
      ? 'high'
      : 'low'
    : profile.sizes.kind === 'flexible'
      ? 'high' // the 2.x models take high-fidelity image inputs automatically
      : 'low';
  return {
    model: ctx.model,
    prices: ctx.prices,
    outputTokens: profile.outputTokens,
    size,
    quality: typeof body.quality === 'string' ? body.quality : 'auto',
    n: Math.max(1, Math.floor(num(body.n, 1))),
    // Only a stream sends partials, and never more than the model makes (the request builders clamp the same way).
    partialImages:
      body.stream === true
        ? Math.min(profile.maxPartialImages, Math.max(0, Math.floor(num(body.partial_images, 0))))
        : 0,
    promptChars: typeof body.prompt === 'string' ? body.prompt.length : 0,
    inputImages: ctx.inputImages ?? [],
    inputFidelity: fidelity,
    frames,
    calibration: ctx.calibration,
  };
}

/** What the library keeps of an estimate with the item it made (dollars and tokens, as ranges). */
export function storedEstimate(
  e: Pick<Estimate, 'usd' | 'tokens'> | null,
): { usd: Range | null; tokens: Range | null } | null {
  if (!e) return null;
  const copy = (r: Range | null) => (r ? { low: r.low, point: r.point, high: r.high } : null);
  return { usd: copy(e.usd), tokens: copy(e.tokens) };
}
