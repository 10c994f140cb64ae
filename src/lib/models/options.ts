/** Generation options, which of them a model shows, and the checks made before anything is sent. Pure. */
import { checkSize, sizePresets } from './sizes';
import type { Background, ModelProfile, OutputFormat } from './types';

export interface GenerateOptions {
  model: string;
  prompt: string;
  size: string;
  quality: string;
  format: OutputFormat;
  /** 0–100, jpeg/webp only. */
  compression: number;
  background: Background;
  moderation: 'auto' | 'low';
  n: number;
  stream: boolean;
  partialImages: number;
  /** '' leaves it to the model (2.6 defaults to high). */
  complexity: string;
  frameCount: number;
  frameDurationMs: number;
  style: string;
  /** A JSON object merged into the request body last. */
  extraJson: string;
}

export const DEFAULT_OPTIONS: Omit<GenerateOptions, 'model'> = {
  prompt: '',
  size: 'auto',
  quality: 'auto',
  format: 'png',
  compression: 100,
  background: 'auto',
  moderation: 'auto',
  n: 1,
  stream: true,
  partialImages: 2,
  complexity: '',
  frameCount: 9,
  frameDurationMs: 200,
  style: 'vivid',
  extraJson: '',
};

/** Which option controls the UI shows for a model with these options. */
export interface VisibleFields {
  size: boolean;
  customSize: boolean;
  quality: boolean;
  format: boolean;
  compression: boolean;
  background: boolean;
  moderation: boolean;
  n: boolean;
  stream: boolean;
  partialImages: boolean;
  complexity: boolean;
  gif: boolean;
  style: boolean;
}

export function canStream(p: ModelProfile, o: Pick<GenerateOptions, 'format'>): boolean {
  return p.streaming && o.format !== 'gif';
}

export function visibleFields(p: ModelProfile, o: GenerateOptions): VisibleFields {
  const stream = canStream(p, o);
  return {
    size: sizePresets(p.sizes).length > 0,
    customSize: p.sizes.kind !== 'fixed',
    quality: p.qualities.length > 1,
    format: p.formats.length > 1,
    compression: p.compression && (o.format === 'jpeg' || o.format === 'webp'),
    background: p.backgrounds.length > 0,
    moderation: p.moderation,
    n: p.n.max > 1,
    stream,
    // Several images are never streamed (partials cannot be attributed), so partials only matter for n = 1.
    partialImages: stream && o.stream && o.n === 1 && p.maxPartialImages > 0,
    complexity: p.complexity !== null,
    gif: o.format === 'gif' && p.gif !== null,
    style: p.styles !== null,
  };
}

const pick = <T>(value: T, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value) ? value : (allowed[0] ?? fallback);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(x)));

/**
 * Brings options in line with what a model accepts after a model switch: choices the model lacks fall back to
 * its first allowed value; what it accepts is kept. A custom size survives when the new model accepts it.
 */
export function fitOptions(p: ModelProfile, o: GenerateOptions): GenerateOptions {
  const format = pick(o.format, p.formats, 'png');
  const sizeOk = checkSize(p.sizes, o.size).ok;
  const background = pick(o.background, p.backgrounds, 'auto');
  return {
    ...o,
    model: p.id,
    format,
    size: sizeOk ? o.size : (sizePresets(p.sizes)[0] ?? 'auto'),
    quality: pick(o.quality, p.qualities, 'auto'),
    background: background === 'transparent' && !p.transparentFormats.includes(format) ? 'auto' : background,
    n: clamp(o.n, p.n.min, p.n.max),
    partialImages: clamp(o.partialImages, 0, p.maxPartialImages),
    complexity: p.complexity?.includes(o.complexity) ? o.complexity : '',
    style: p.styles ? pick(o.style, p.styles, 'vivid') : o.style,
  };
}

export type FieldErrors = Partial<Record<keyof GenerateOptions, string>>;

export interface Validation {
  errors: FieldErrors;
  warnings: FieldErrors;
  ok: boolean;
}

/** Everything that would make the request fail or mislead, keyed by the field to show it next to. */
export function validateGenerate(p: ModelProfile, o: GenerateOptions): Validation {
  const errors: FieldErrors = {};
  const warnings: FieldErrors = {};
  const prompt = o.prompt.trim();
  if (!prompt) errors.prompt = 'Write a prompt first.';
  else if (o.prompt.length > p.promptMax)
    errors.prompt = `The prompt is ${o.prompt.length.toLocaleString('en-US')} characters; ${p.id} accepts at most ${p.promptMax.toLocaleString('en-US')}.`;

  if (!o.model.trim()) errors.model = 'Choose a model or type a model id.';

  const size = checkSize(p.sizes, o.size);
  if (!size.ok) errors.size = size.error;
  else if (size.warning) warnings.size = size.warning;

  if (p.qualities.length && !p.qualities.includes(o.quality))
    errors.quality = `${p.id} accepts quality ${p.qualities.join(', ')}.`;
  if (!p.formats.includes(o.format)) errors.format = `${p.id} makes ${p.formats.join(', ')}.`;
  if (!Number.isInteger(o.n) || o.n < p.n.min || o.n > p.n.max)
    errors.n = `Images must be a whole number from ${p.n.min} to ${p.n.max}.`;
  const fields = visibleFields(p, o);
  if (fields.compression && (!Number.isInteger(o.compression) || o.compression < 0 || o.compression > 100))
    errors.compression = 'Compression must be a whole number from 0 to 100.';
  if (o.background === 'transparent' && !p.transparentFormats.includes(o.format))
    errors.background = `A transparent background needs ${p.transparentFormats.join(' or ') || 'a format this model lacks'}; choose that format or another background.`;
  if (
    fields.partialImages &&
    (!Number.isInteger(o.partialImages) || o.partialImages < 0 || o.partialImages > p.maxPartialImages)
  )
    errors.partialImages = `Partial images must be from 0 to ${p.maxPartialImages}.`;
  if (fields.gif && p.gif) checkGif(p, o, errors, warnings);

  const extra = parseExtraFields(o.extraJson);
  if (!extra.ok) errors.extraJson = extra.error;

  return { errors, warnings, ok: Object.keys(errors).length === 0 };
}

function checkGif(p: ModelProfile, o: GenerateOptions, errors: FieldErrors, warnings: FieldErrors) {
  const g = p.gif!;
  const { min, max } = g.frameCount;
  if (!Number.isInteger(o.frameCount) || o.frameCount < min || o.frameCount > max)
    errors.frameCount = `Frames must be a whole number from ${min} to ${max}.`;
  const d = g.frameDurationMs;
  if (!Number.isFinite(o.frameDurationMs) || o.frameDurationMs < d.min)
    errors.frameDurationMs = `Each frame lasts at least ${d.min} ms.`;
  else if (o.frameDurationMs * o.frameCount > d.maxTotal)
    errors.frameDurationMs = `The animation may last at most ${d.maxTotal.toLocaleString('en-US')} ms in all.`;
  const dims = /^(\d+)x(\d+)$/.exec(o.size);
  const limit = g.maxFrameEdge.find((l) => o.frameCount <= l.upToFrames);
  if (dims && limit && Math.max(Number(dims[1]), Number(dims[2])) > limit.edge)
    warnings.size = `With ${o.frameCount} frames, frames larger than ${limit.edge} px are likely to be refused.`;
}

export type ExtraFields = { ok: true; fields: Record<string, unknown> } | { ok: false; error: string };

/** The "Extra request fields" box: empty, or a JSON object. */
export function parseExtraFields(text: string): ExtraFields {
  if (!text.trim()) return { ok: true, fields: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, error: `Extra request fields are not valid JSON (${why}).` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, error: 'Extra request fields must be a JSON object, like {"user": "me"}.' };
  return { ok: true, fields: value as Record<string, unknown> };
}
