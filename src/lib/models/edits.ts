/** The rules an edit must meet before it is sent, from the model's registry entry and the wire rules. Pure. */
import type { GenerateOptions } from './options';
import type { ModelProfile } from './types';

export interface EditSourceInfo {
  name: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

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
  warnings: { images?: string; mask?: string };
  ok: boolean;
}

export const MAX_MASK_BYTES = 4 * 1024 * 1024;
export const DALLE2_MAX_BYTES = 4 * 1024 * 1024;

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
      errors.images = 'DALL·E 2 edits need one square PNG under 4 MB.';
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
    else if (first.mime !== 'image/png')
      warnings.mask = `“${first.name}” will be sent as PNG, since a mask and its image must have the same format.`;
  }
  return { errors, warnings, ok: Object.keys(errors).length === 0 };
}
