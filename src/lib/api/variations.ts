/**
 * `POST /images/variations` (legacy, DALL·E 2 and compatible servers): a pure builder from the studio's options
 * and one source image to the exact multipart body, the rules it must meet, and the call itself. The answer is
 * an ordinary Images response, read like a generation's.
 */
import { formatBytes, uploadName } from '../images/intake';
import type { GenerateOptions } from '../models/options';
import type { EditFilePart } from './edits';
import type { ModelProfile } from '../models/types';
import { apiFetch, type Connection } from './client';
import { readImageResponse, type GenerateCallOptions, type GenerationEvent } from './images';

/** Sizes the endpoint accepts (CreateImageVariationRequest.size). */
export const VARIATION_SIZES = ['256x256', '512x512', '1024x1024'] as const;
export const VARIATION_MAX_N = 10;
export const VARIATION_MAX_BYTES = 4 * 1024 * 1024;

export interface VariationSource {
  blob: Blob;
  name: string;
  mime: string;
  width: number;
  height: number;
}

export interface VariationSourceInfo {
  name: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

export interface VariationRequest {
  form: FormData;
  fields: [string, string][];
  /** The one file part (for "Copy as curl"). */
  files: EditFilePart[];
  /** A JSON-like picture of the request for run details. */
  body: Record<string, unknown>;
  stream: false;
  notes: string[];
}

export function canVary(p: ModelProfile): boolean {
  return p.endpoints.includes('variations');
}

/**
 * What stops a variations request, as one message naming the problem and the next step (null: it can go).
 * `sources` are the Edit mode's images; the first is the one varied.
 */
export function validateVariation(
  p: ModelProfile,
  o: Pick<GenerateOptions, 'n' | 'size'>,
  sources: readonly VariationSourceInfo[],
): string | null {
  if (!canVary(p)) return `${p.id} does not offer variations; choose dall-e-2 (or a server that serves it).`;
  const first = sources[0];
  if (!first) return 'Add one image to make variations of.';
  if (sources.length > 1)
    return `Variations take one image; remove ${sources.length - 1} so only “${first.name}” is left.`;
  if (first.mime !== 'image/png')
    return `“${first.name}” is not a PNG; variations need a square PNG under 4 MB. Use “Crop to square” or “Pad to square”.`;
  if (first.width !== first.height)
    return `“${first.name}” is ${first.width} × ${first.height}; variations need a square image. Use “Crop to square” or “Pad to square”.`;
  if (first.bytes >= VARIATION_MAX_BYTES)
    return `“${first.name}” is ${formatBytes(first.bytes)}; variations need a PNG under 4 MB. Use “Crop to square” or “Pad to square” to scale it down.`;
  if (!(VARIATION_SIZES as readonly string[]).includes(o.size))
    return `Size ${o.size} is not offered for variations; pick 256x256, 512x512 or 1024x1024.`;
  if (!Number.isInteger(o.n) || o.n < 1 || o.n > VARIATION_MAX_N)
    return `Variations come 1 to ${VARIATION_MAX_N} at a time; set Images to a number in that range.`;
  return null;
}

/**
 * The multipart body: one `image` part (a PNG File), `model`, `n`, `size`, `response_format: b64_json` (the
 * browser keeps the bytes; URLs would expire) and `user` when the safety identifier is on. Nothing else: the
 * endpoint has no prompt, quality or format. Call validateVariation first.
 */
export function buildVariationForm(
  p: ModelProfile,
  o: Pick<GenerateOptions, 'model' | 'n' | 'size'>,
  image: Omit<VariationSource, 'mime'>,
  extras: { safetyIdentifier?: string | null } = {},
): VariationRequest {
  const form = new FormData();
  const fields: [string, string][] = [];
  const add = (key: string, value: string) => {
    form.append(key, value);
    fields.push([key, value]);
  };
  const filename = uploadName(image.name, 'image/png', 'image');
  add('model', o.model.trim() || p.id);
  form.append('image', new File([image.blob], filename, { type: 'image/png' }));
  add('n', String(o.n));
  add('size', o.size);
  add('response_format', 'b64_json');
  if (extras.safetyIdentifier) add('user', extras.safetyIdentifier);
  const body: Record<string, unknown> = {
    model: o.model.trim() || p.id,
    image: `${filename} (image/png, ${image.width}×${image.height}, ${formatBytes(image.blob.size)})`,
    n: o.n,
    size: o.size,
    response_format: 'b64_json',
  };
  if (extras.safetyIdentifier) body.user = extras.safetyIdentifier;
  const notes =
    p.lifecycle.state === 'shutdown'
      ? [
          `${p.id} was shut down on OpenAI on ${p.lifecycle.since}: variations work only on servers that still serve it.`,
        ]
      : [];
  const files: EditFilePart[] = [
    {
      field: 'image',
      filename,
      type: 'image/png',
      bytes: image.blob.size,
      width: image.width,
      height: image.height,
    },
  ];
  return { form, fields, files, body, stream: false, notes };
}

/** Runs `POST /images/variations` and yields the images, then `done`. */
export async function* createVariations(
  conn: Connection,
  req: Pick<VariationRequest, 'form'>,
  opts: GenerateCallOptions = {},
): AsyncGenerator<GenerationEvent> {
  const res = await apiFetch(conn, '/images/variations', {
    method: 'POST',
    form: req.form,
    signal: opts.signal,
    accept: 'application/json',
    onRetry: opts.onRetry,
    fetchImpl: opts.fetchImpl,
  });
  yield* readImageResponse(res, opts);
}
