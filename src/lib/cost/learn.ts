/** What one finished response teaches the area-scaled estimate: a calibration sample, or nothing. Pure. */
import type { EchoedParams, ImageUsage } from '../api/images';
import { resolveModel } from '../models/resolve';
import { parseSize } from '../models/sizes';
import { usageParts } from './actual';
import { calibrationKey, observedRatio } from './calibration';
import { canonicalModelId } from './prices';
import { areaTokens, PARTIAL_IMAGE_TOKENS } from './tokens';
import { imageToolUsage } from './turn';
import type { TurnRecord } from '../conversation/tree';

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

/**
 * What a conversation turn teaches: the image tool's output tokens (`tool_usage.image_gen`) against the size and
 * quality its image calls reported. Nothing when either is missing, or when the turn's images differ in size or
 * quality (the tokens could not be split between them).
 */
export function turnCalibrationSample(
  turn: Pick<TurnRecord, 'toolModel' | 'toolUsage' | 'images'>,
): { key: string; ratio: number } | null {
  const usage = imageToolUsage(turn.toolUsage);
  const finals = turn.images.filter((i) => i.blob !== null);
  const first = finals[0];
  if (!usage || !first?.size || !first.quality) return null;
  if (finals.some((i) => i.size !== first.size || i.quality !== first.quality)) return null;
  return calibrationSample({
    model: turn.toolModel,
    body: {},
    echoed: { size: first.size, quality: first.quality },
    usage,
    images: finals.length,
    // Every partial streamed was billed (+100 image output tokens each): partialIndex is the last one seen.
    partials: turn.images.reduce((sum, i) => sum + Math.max(0, i.partialIndex + 1), 0),
  });
}
