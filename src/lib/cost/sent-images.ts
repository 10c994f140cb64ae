/**
 * What a request sends as image input, for its estimate: the images and mask it carries and, for a conversation
 * turn, the earlier image it continues from (its context). Used by Send and by every Retry, so a retry is priced
 * from what it resends, not from what the composer holds now.
 */
import {
  contextTurnOf,
  lastImage,
  pathTo,
  planContext,
  type ReferenceMode,
  type TurnRecord,
} from '../conversation/tree';
import { identify, readHeader } from '../images/header';
import { parseSize } from '../models/sizes';
import type { InputImage } from './tokens';

/** The size assumed for an image whose size cannot be read (the API's most common output). */
export const ASSUMED_SIZE = { width: 1024, height: 1024 } as const;
const HEAD_BYTES = 64 * 1024;

/** An image's pixel size from its header (PNG, JPEG, WebP); null when the bytes are not one of those. */
export async function blobPixelSize(blob: Blob): Promise<{ width: number; height: number } | null> {
  const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  const kind = identify(head);
  if (!kind?.accepted) return null;
  let info = readHeader(kind.mime, head, blob.size <= HEAD_BYTES);
  if (!info.ok && info.needMore) info = readHeader(kind.mime, new Uint8Array(await blob.arrayBuffer()));
  return info.ok ? { width: info.width, height: info.height } : null;
}

/** The images and mask a request sends, as estimator input (an unreadable image counts at 1024×1024). */
export async function sentImages(images: readonly Blob[], mask: Blob | null): Promise<InputImage[]> {
  const sized = async (blob: Blob) => (await blobPixelSize(blob).catch(() => null)) ?? ASSUMED_SIZE;
  const refs = await Promise.all(images.map(async (b) => ({ ...(await sized(b)) })));
  return mask ? [...refs, { ...(await sized(mask)), role: 'mask' }] : refs;
}

/**
 * The earlier image a turn under `parentId` carries as context, as estimator input; null when it carries none.
 * Sent again as an `input_image` (store: false), referred to by `item_reference`, or inside the conversation a
 * `previous_response_id` continues: the image tool reads it in each case, and it is billed as image input. Its
 * size is the one the response reported (1024×1024 when it did not say).
 */
export function contextImage(
  turns: readonly TurnRecord[],
  parentId: string | null,
  mode: ReferenceMode,
): InputImage | null {
  const parent = contextTurnOf(turns, parentId);
  if (planContext(parent, mode).kind === 'none') return null;
  // previous_response_id brings the whole earlier conversation: its newest image is the one to build on.
  const image =
    pathTo(turns, parent!.id)
      .reverse()
      .map(lastImage)
      .find((i) => i !== null) ?? null;
  if (!image) return null;
  const size = image.size ? parseSize(image.size) : null;
  return { ...(size ?? ASSUMED_SIZE), role: 'context' };
}

/** A retried turn's image input: its own images and mask, and the context its parent gives it. */
export async function retriedTurnImages(
  turns: readonly TurnRecord[],
  turn: Pick<TurnRecord, 'parentId' | 'inputs' | 'mask'>,
  mode: ReferenceMode,
): Promise<InputImage[]> {
  const own = await sentImages(
    turn.inputs.map((i) => i.blob),
    turn.mask,
  );
  const context = contextImage(turns, turn.parentId, mode);
  return context ? [context, ...own] : own;
}
