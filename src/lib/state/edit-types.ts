/** Edit mode's data: source images, the mask, and what EditState can be given in tests. */
import type { SquaredImage } from '../images/decode';
import type { CheckedImage, Decoder } from '../images/intake';
import type { SquareMode, SquarePlan } from '../images/square';
import type { FeatheredMask } from '../mask/export';

/** Variations take a square PNG under 4 MB (kept equal to VARIATION_MAX_BYTES in api/variations.ts). */
export const VARIATION_LIMIT_BYTES = 4 * 1024 * 1024;

export type StudioMode = 'generate' | 'edit' | 'conversation';

export interface SourceImage extends CheckedImage {
  id: number;
  /** Blob URL of the thumbnail (or of the image itself); revoked on removal. */
  thumbUrl: string;
}

export interface MaskImage {
  /** The source the mask was painted over. It is sent only while that source is first. */
  sourceId: number;
  blob: Blob;
  url: string;
  width: number;
  height: number;
  /** Share of pixels to edit (alpha 0), 0…1. */
  editFraction: number;
  /**
   * Made with a feather: `blob` (what the API gets) is the painted area grown by the soft edge, still only
   * alpha 0 or 255; this holds the soft mask "Keep outside the mask" blends with, and the mask as painted.
   */
  feathered?: FeatheredMask | null;
}

export interface EditDeps {
  decode?: Decoder;
  toPng?: (blob: Blob) => Promise<Blob>;
  toSquare?: (blob: Blob, maxBytes: number, mode: SquareMode) => Promise<SquaredImage>;
  squareMask?: (
    mask: Blob,
    plan: SquarePlan,
  ) => Promise<{ blob: Blob; width: number; height: number; editFraction: number }>;
  now?: () => number;
}

let nextSourceId = 1;
/** A new id for a source image (ids are never reused on this page). */
export const newSourceId = (): number => nextSourceId++;

/** What the rules (validateEdit, validateVariation) look at: no bytes, just their count. */
export const sourceInfo = (s: SourceImage) => ({
  name: s.name,
  mime: s.mime,
  width: s.width,
  height: s.height,
  bytes: s.blob.size,
  oriented: s.oriented,
});
