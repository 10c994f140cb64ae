/** Request builders: pure functions from options to the exact JSON body the API receives. */
import { canStream, parseExtraFields, type GenerateOptions } from '../models/options';
import { checkSize } from '../models/sizes';
import type { ModelProfile } from '../models/types';

export interface GenerationRequest {
  body: Record<string, unknown>;
  /** Whether the body asks for an SSE stream. */
  stream: boolean;
  /** Request-body keys that the extra fields replaced. */
  overridden: string[];
  /** Things the user should know about how the request was shaped. */
  notes: string[];
}

/** Request fields that come from Settings rather than the options. */
export interface GenerationExtras {
  /** This browser's hashed id (Settings → safety identifier), or null/undefined when it is off. */
  safetyIdentifier?: string | null;
}

/**
 * The body of `POST /images/generations`. Sends only what the model accepts: a field the registry says the
 * model lacks is never sent (e.g. `complexity` outside 2.6, `output_compression` for png, streaming for GIF).
 * Call validateGenerate first; this function assumes valid options.
 */
export function buildGenerationRequest(
  p: ModelProfile,
  o: GenerateOptions,
  extras: GenerationExtras = {},
): GenerationRequest {
  const notes: string[] = [];
  const body: Record<string, unknown> = { model: o.model.trim(), prompt: o.prompt };
  const size = checkSize(p.sizes, o.size);
  body.size = size.value ?? o.size.trim();
  if (p.qualities.length) body.quality = o.quality;
  if (p.n.max > 1 || o.n !== 1) body.n = o.n;
  if (p.responseFormat) body.response_format = 'b64_json';
  if (p.formats.length > 1) body.output_format = o.format;
  if (p.compression && (o.format === 'jpeg' || o.format === 'webp')) body.output_compression = o.compression;
  if (p.backgrounds.length) body.background = o.background;
  if (p.moderation) body.moderation = o.moderation;
  if (p.complexity && o.complexity) body.complexity = o.complexity;
  if (p.styles) body.style = o.style;
  if (p.gif && o.format === 'gif') {
    body.frame_count = o.frameCount;
    body.frame_duration_ms =
      Math.round(o.frameDurationMs / p.gif.frameDurationMs.step) * p.gif.frameDurationMs.step;
  }

  let stream = false;
  if (o.stream && canStream(p, o)) {
    if (o.n > 1) {
      notes.push(
        'Streaming is off for several images: the API does not say which image a partial belongs to, so all images arrive together.',
      );
    } else {
      stream = true;
      body.stream = true;
      body.partial_images = Math.min(o.partialImages, p.maxPartialImages);
    }
  } else if (o.stream && o.format === 'gif') {
    notes.push('Animated GIFs cannot stream; the image arrives when it is done.');
  }

  // Before the extra fields, so the user's Extra JSON still wins.
  if (extras.safetyIdentifier) body.safety_identifier = extras.safetyIdentifier;

  const extra = parseExtraFields(o.extraJson);
  const overridden: string[] = [];
  if (extra.ok) {
    for (const [key, value] of Object.entries(extra.fields)) {
      if (key in body) overridden.push(key);
      body[key] = value;
    }
    if ('stream' in extra.fields) stream = extra.fields.stream === true;
    if (overridden.length) notes.push(`Extra fields override ${overridden.map((k) => `“${k}”`).join(', ')}.`);
  }
  return { body, stream, overridden, notes };
}
