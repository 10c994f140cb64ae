/**
 * Squaring the first source for DALL·E 2, which takes one square PNG under 4 MB (at most 1024 px) for variations
 * and edits: `crop` keeps its centred square, `pad` all of it on transparent bands, and a mask painted on it is
 * squared the same way. Loaded with the edit engine.
 */
import { squareMask, toSquarePng } from '../images/decode';
import { squaredName, squaredNotice, type SquareMode } from '../images/square';
import {
  newSourceId,
  VARIATION_LIMIT_BYTES,
  type EditDeps,
  type MaskImage,
  type SourceImage,
} from './edit-types';

export interface SquaredSource {
  /** The new first source (a new id and thumbnail URL; the caller revokes the old one's). */
  source: SourceImage;
  /** The mask squared with it, or null (none, or it could not be squared: the notice says which). */
  mask: Omit<MaskImage, 'url' | 'sourceId'> | null;
  notice: string;
}

export async function squareSource(
  first: SourceImage,
  mask: MaskImage | null,
  mode: SquareMode,
  deps: Pick<EditDeps, 'toSquare' | 'squareMask'> = {},
): Promise<SquaredSource> {
  const sq = await (deps.toSquare ?? toSquarePng)(first.blob, VARIATION_LIMIT_BYTES, mode);
  const squaredMask = mask
    ? await (deps.squareMask ?? squareMask)(mask.blob, sq.plan).catch(() => null)
    : null;
  const name = squaredName(first.name, mode);
  return {
    source: {
      ...first,
      id: newSourceId(),
      blob: sq.blob,
      name,
      mime: 'image/png',
      width: sq.width,
      height: sq.height,
      hasAlpha: mode === 'pad' || first.hasAlpha,
      orientation: 1,
      oriented: false,
      thumbnail: undefined,
      thumbUrl: URL.createObjectURL(sq.blob),
    },
    mask: squaredMask,
    notice: squaredNotice(first, name, sq.width, mode, !mask ? 'none' : squaredMask ? 'squared' : 'lost'),
  };
}
