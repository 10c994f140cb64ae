/** From a stored recipe back to studio options ("Use these settings"). Pure. */
import { DEFAULT_OPTIONS, type GenerateOptions } from '../models/options';

type Reader = (v: unknown) => Partial<GenerateOptions> | null;
const str =
  (key: keyof GenerateOptions): Reader =>
  (v) =>
    typeof v === 'string' ? { [key]: v } : null;
const num =
  (key: keyof GenerateOptions): Reader =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) ? { [key]: v } : null;

/** Body fields that map onto an option. */
const FIELDS: Record<string, Reader> = {
  model: str('model'),
  prompt: str('prompt'),
  size: str('size'),
  quality: str('quality'),
  n: num('n'),
  output_format: str('format'),
  output_compression: num('compression'),
  background: str('background'),
  moderation: str('moderation'),
  stream: (v) => ({ stream: v === true }),
  partial_images: num('partialImages'),
  complexity: str('complexity'),
  style: str('style'),
  frame_count: num('frameCount'),
  frame_duration_ms: num('frameDurationMs'),
};

/** Fields that describe the request rather than the image: not options, not carried over. */
const NOT_OPTIONS = new Set([
  'response_format',
  'safety_identifier',
  'image',
  'image[]',
  'mask',
  'input_fidelity',
  'user',
]);

/**
 * The options that send the same body again. Fields the studio has no control for go into Extra fields, so
 * nothing the request carried is lost; fields that were not sent fall back to the defaults.
 */
export function optionsFromBody(body: Record<string, unknown>, model: string): GenerateOptions {
  const out: GenerateOptions = { ...DEFAULT_OPTIONS, model, stream: false };
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (NOT_OPTIONS.has(key)) continue;
    const read = FIELDS[key];
    const got = read?.(value);
    if (got) Object.assign(out, got);
    else extra[key] = value;
  }
  out.extraJson = Object.keys(extra).length ? JSON.stringify(extra, null, 2) : '';
  return out;
}
