/** The rules an edit must meet before it is sent, from the model's registry entry and the wire rules. Pure. */
import { formatBytes } from '../images/format-bytes';
import type { GenerateOptions } from './options';
import type { ModelProfile } from './types';

export interface EditSourceInfo {
  name: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** Stored turned or mirrored (EXIF orientation): shown, and masked, otherwise than its pixels lie. */
  oriented?: boolean;
}

/** The upright PNG copy of the first image that goes with a mask: its size once made, or why it failed. */
export type PngCopy = { bytes: number } | { error: string } | null;

export interface EditMaskInfo {
  width: number;
  height: number;
  /** The encoded PNG's size. */
  bytes: number;
  /** Share of pixels to edit (alpha 0), 0…1. */
  editFraction: number;
}

export interface EditValidation {
  errors: { images?: string; mask?: string; model?: string };
  /** `images` says what Atelier will do to the first image before sending (a PNG copy for the mask). */
  warnings: { images?: string; mask?: string };
  ok: boolean;
}

export const MAX_MASK_BYTES = 4 * 1024 * 1024;
export const DALLE2_MAX_BYTES = 4 * 1024 * 1024;
/** GPT image models: each input image under 50 MB. */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

/** The largest file (exclusive) the model takes as an input image. */
export function maxImageBytes(p: ModelProfile): number {
  return p.id.startsWith('dall-e-2') ? DALLE2_MAX_BYTES : MAX_IMAGE_BYTES;
}

/**
 * A mask needs its image in the same format (PNG), and painted over what is shown: a JPEG or WebP, or a file
 * stored turned, goes as an upright PNG copy made in the browser.
 */
export function needsPngCopy(first: Pick<EditSourceInfo, 'mime' | 'oriented'>): boolean {
  return first.mime !== 'image/png' || first.oriented === true;
}

function pngCopyNotice(first: EditSourceInfo, copy: PngCopy): string {
  const size = copy && 'bytes' in copy ? `, ${formatBytes(copy.bytes)}` : '';
  const what = `${first.oriented ? 'an upright ' : 'a '}${first.width} × ${first.height} PNG${size}`;
  const why = first.oriented
    ? 'its pixels are stored turned (EXIF orientation), and the mask fits the picture as it is shown'
    : 'a mask and its image must have the same format';
  return `“${first.name}” will be sent as ${what}, converted in your browser: ${why}. Your file is unchanged.`;
}
export function canEdit(p: ModelProfile): boolean {
  return p.endpoints.includes('edits') && p.maxInputImages > 0;
}

/**
 * What stops an edit (errors) or deserves a word (warnings). `mask` applies to `sources[0]`; option checks
 * (prompt, size, …) are validateGenerate's.
 */
export function validateEdit(
  p: ModelProfile,
  o: Pick<GenerateOptions, 'format'>,
  sources: readonly EditSourceInfo[],
  mask: EditMaskInfo | null,
  pngCopy: PngCopy = null,
): EditValidation {
  const errors: EditValidation['errors'] = {};
  const warnings: EditValidation['warnings'] = {};
  const first = sources[0];
  if (!canEdit(p)) errors.model = `${p.id} cannot edit images; choose a GPT image model.`;
  else if (!first) errors.images = 'Add at least one image to edit.';
  else if (sources.length > p.maxInputImages)
    errors.images = `${p.id} takes at most ${p.maxInputImages} image${p.maxInputImages === 1 ? '' : 's'}; remove ${sources.length - p.maxInputImages}.`;
  else if (p.id.startsWith('dall-e-2')) {
    if (first.mime !== 'image/png' || first.width !== first.height || first.bytes >= DALLE2_MAX_BYTES)
      errors.images =
        'DALL·E 2 edits need one square PNG under 4 MB: use “Crop to square” or “Pad to square” under the source images.';
  }

  if (mask && first) {
    if (!p.mask) errors.mask = `${p.id} does not take a mask; remove it to send.`;
    else if (o.format === 'gif') errors.mask = 'A mask cannot be used with animated GIF output.';
    else if (mask.width !== first.width || mask.height !== first.height)
      errors.mask = `The mask is ${mask.width} × ${mask.height} but “${first.name}” is ${first.width} × ${first.height}; open the mask editor again.`;
    else if (mask.bytes >= MAX_MASK_BYTES)
      errors.mask = 'The mask PNG is 4 MB or more; the API takes masks under 4 MB.';
    else if (mask.editFraction === 0)
      warnings.mask = 'The mask marks nothing to edit; paint the area to change, or remove the mask.';
    else if (mask.editFraction === 1)
      warnings.mask = 'The mask covers the whole image: everything will be regenerated.';

    if (p.mask && !errors.mask && needsPngCopy(first)) {
      const limit = maxImageBytes(p);
      if (pngCopy && 'error' in pngCopy)
        errors.mask = `“${first.name}” could not be converted to PNG for the mask (${pngCopy.error}). Save it as PNG and add it again, or remove the mask.`;
      else if (pngCopy && pngCopy.bytes >= limit)
        errors.mask = `As a PNG (which a mask needs), “${first.name}” is ${formatBytes(pngCopy.bytes)}; ${p.id} takes images under ${formatBytes(limit)}. Scale it down and add it again, or remove the mask to send the file as it is.`;
      else warnings.images = pngCopyNotice(first, pngCopy);
    }
  }
  return { errors, warnings, ok: Object.keys(errors).length === 0 };
}
