/** What one finished response teaches the area-scaled estimate: a calibration sample, or nothing. Pure. */
import type { EchoedParams, ImageUsage } from '../api/images';
import { resolveModel } from '../models/resolve';
import { parseSize } from '../models/sizes';
import { usageParts } from './actual';
import { calibrationKey, observedRatio } from './calibration';
import { canonicalModelId } from './prices';
import { areaTokens, PARTIAL_IMAGE_TOKENS } from './tokens';

export interface RunOutcome {
  model: string;
  body: Record<string, unknown>;
  /** What the API says it used (size and quality; "auto" resolved). */
  echoed: EchoedParams;
  usage: ImageUsage;
  images: number;
  partials: number;
}

export function calibrationSample(o: RunOutcome): { key: string; ratio: number } | null {
  if (resolveModel(o.model).outputTokens) return null; // a published table: nothing to learn
  const asked = (k: string) => (typeof o.body[k] === 'string' ? (o.body[k] as string) : 'auto');
  const quality = o.echoed.quality ?? asked('quality');
  const size = parseSize(o.echoed.size ?? asked('size'));
  if (!size || quality === 'auto') return null;
  const frames =
    o.body.output_format === 'gif' && typeof o.body.frame_count === 'number' ? o.body.frame_count : 1;
  const ratio = observedRatio({
    imageOutputTokens: usageParts(o.usage).imageOut,
    images: o.images,
    partials: o.partials,
    expectedPerImage: areaTokens(quality, size.width * size.height, frames) ?? 0,
    partialTokens: PARTIAL_IMAGE_TOKENS,
  });
  return ratio === null ? null : { key: calibrationKey(canonicalModelId(o.model), quality), ratio };
}
