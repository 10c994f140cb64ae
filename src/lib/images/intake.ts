/**
 * Checks every file before it can become a source image: real type by magic bytes, byte size, pixel size
 * from the header (refusing decompression bombs before anything decodes them), then a real decode.
 * Each refusal names the file and the reason; the other files are unaffected. Pure except for the injected
 * `decode` (the browser's createImageBitmap by default, see decode.ts).
 */
import { formatBytes } from './format-bytes';
import { identify, readHeader, type AcceptedMime } from './header';
import { orientedSize, readOrientation, type Orientation } from './orientation';

export interface IntakeLimits {
  /** Files must be strictly smaller than this. */
  maxBytes: number;
  /** Width × height above this is refused before decoding. */
  maxPixels: number;
}

/** GPT image inputs: each file under 50 MB; Atelier refuses more than 40 megapixels. */
export const GPT_IMAGE_LIMITS: IntakeLimits = { maxBytes: 50 * 1024 * 1024, maxPixels: 40_000_000 };

export interface CheckedImage {
  /** The file name as the user knows it. */
  name: string;
  /** The bytes, typed with their real MIME type (whatever the name or the browser said). */
  blob: Blob;
  mime: AcceptedMime;
  /**
   * The size as the browser shows and decodes it, EXIF orientation applied: a phone photo stored 4032 × 3024
   * with orientation 6 is 3024 × 4032 here. The mask editor, the mask and any PNG conversion use this size.
   */
  width: number;
  height: number;
  /** From the header: null when the format does not say (we then assume none). */
  hasAlpha: boolean | null;
  /** The EXIF orientation tag (1 when there is none). */
  orientation: Orientation;
  /**
   * The stored pixels are turned or mirrored relative to what is shown (an orientation tag, or a decode that
   * came out turned). A mask painted on what is shown fits only an upright copy, so one is sent with a mask.
   */
  oriented: boolean;
  /** A small preview from the decode step, when the decoder made one. */
  thumbnail?: Blob;
}

export interface Refusal {
  name: string;
  reason: string;
}

export type Decoded = { width: number; height: number; thumbnail?: Blob };
export type Decoder = (blob: Blob) => Promise<Decoded>;

/** How much of the file to read for the header; a JPEG with a long EXIF/ICC prefix is read whole. */
const HEAD_BYTES = 512 * 1024;

export { formatBytes };

const mp = (px: number) => `${(px / 1e6).toFixed(px < 10e6 ? 1 : 0)} megapixels`;

export type HeadCheck =
  | {
      ok: true;
      mime: AcceptedMime;
      width: number;
      height: number;
      hasAlpha: boolean | null;
      orientation: Orientation;
    }
  | { ok: false; reason: string; needMore?: boolean };

/**
 * Everything that can be decided from the byte size and the first bytes. `complete` says whether `head` is
 * the whole file.
 */
export function checkHead(
  size: number,
  head: Uint8Array,
  complete: boolean,
  limits: IntakeLimits,
): HeadCheck {
  if (size === 0) return { ok: false, reason: 'The file is empty.' };
  const kind = identify(head);
  if (!kind)
    return {
      ok: false,
      reason: 'It is not an image Atelier can send: only PNG, JPEG and WebP files are accepted.',
    };
  if (!kind.accepted) return { ok: false, reason: `It is a ${kind.label}. ${kind.advice}` };
  if (size >= limits.maxBytes)
    return {
      ok: false,
      reason: `It is ${formatBytes(size)}; each image must be under ${formatBytes(limits.maxBytes)}.`,
    };
  const header = readHeader(kind.mime, head, complete);
  if (!header.ok) return header;
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels)
    return {
      ok: false,
      reason: `It is ${header.width.toLocaleString('en-US')} × ${header.height.toLocaleString('en-US')} pixels (${mp(pixels)}); Atelier accepts at most ${mp(limits.maxPixels)}. Scale it down first.`,
    };
  return {
    ok: true,
    mime: kind.mime,
    width: header.width,
    height: header.height,
    hasAlpha: header.hasAlpha,
    orientation: readOrientation(kind.mime, head),
  };
}

async function bytesOf(blob: Blob, end?: number): Promise<Uint8Array> {
  return new Uint8Array(await (end === undefined ? blob : blob.slice(0, end)).arrayBuffer());
}

/** Checks one file; never throws. */
export async function checkFile(
  file: Blob,
  name: string,
  opts: { limits?: IntakeLimits; decode: Decoder },
): Promise<{ ok: true; image: CheckedImage } | { ok: false; refusal: Refusal }> {
  const limits = opts.limits ?? GPT_IMAGE_LIMITS;
  const refuse = (reason: string) => ({ ok: false as const, refusal: { name, reason } });
  try {
    const complete = file.size <= HEAD_BYTES;
    let head = await bytesOf(file, complete ? undefined : HEAD_BYTES);
    let check = checkHead(file.size, head, complete, limits);
    if (!check.ok && check.needMore) {
      head = await bytesOf(file);
      check = checkHead(file.size, head, true, limits);
    }
    if (!check.ok) return refuse(check.reason);
    const blob = file.type === check.mime ? file : new Blob([file], { type: check.mime });
    let decoded: Decoded;
    try {
      decoded = await opts.decode(blob);
    } catch {
      return refuse(
        `It looks like a ${check.mime.slice(6).toUpperCase()} but cannot be decoded; it is damaged or truncated.`,
      );
    }
    const shown = orientedSize(check.width, check.height, check.orientation);
    const same = decoded.width === shown.width && decoded.height === shown.height;
    const turned = decoded.width === shown.height && decoded.height === shown.width;
    if (!same && !turned)
      return refuse(
        `Its header says ${check.width} × ${check.height} pixels but it decodes to ${decoded.width} × ${decoded.height}; the file is damaged.`,
      );
    // The decoder is the browser's, which also shows the file and converts it: its size is the one that counts
    // (it normally agrees with the tag; a WebP's EXIF lies beyond the header read, so only the decode tells).
    return {
      ok: true,
      image: {
        name,
        blob,
        mime: check.mime,
        width: decoded.width,
        height: decoded.height,
        hasAlpha: check.hasAlpha,
        orientation: check.orientation,
        oriented: check.orientation !== 1 || decoded.width !== check.width,
        thumbnail: decoded.thumbnail,
      },
    };
  } catch (e) {
    return refuse(`It could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

export interface IntakeResult {
  accepted: CheckedImage[];
  refused: Refusal[];
}

/**
 * Checks files in order, keeping at most `room` of them (the model's maximum minus what is already there).
 * Files beyond the room are refused by name too.
 */
export async function intake(
  files: readonly { blob: Blob; name: string }[],
  opts: { room: number; max?: number; model?: string; limits?: IntakeLimits; decode: Decoder },
): Promise<IntakeResult> {
  const checked = await Promise.all(files.map((f) => checkFile(f.blob, f.name, opts)));
  const accepted: CheckedImage[] = [];
  const refused: Refusal[] = [];
  const limit = opts.max !== undefined ? ` (${opts.model ?? 'this model'} takes at most ${opts.max})` : '';
  for (const c of checked) {
    if (!c.ok) refused.push(c.refusal);
    else if (accepted.length >= opts.room)
      refused.push({
        name: c.image.name,
        reason:
          opts.room <= 0
            ? `There is no room for more images${limit}; remove one first.`
            : `Only ${opts.room} more image${opts.room === 1 ? '' : 's'} fit${limit}; this one was not added.`,
      });
    else accepted.push(c.image);
  }
  return { accepted, refused };
}

/** The name to send a file under: the user's base name with the extension of its real type. */
export function uploadName(name: string, mime: AcceptedMime, fallback = 'image'): string {
  const ext = mime === 'image/jpeg' ? 'jpg' : mime.slice(6);
  const base =
    name
      .replace(/\.[^.]*$/, '')
      .replace(/[^\p{L}\p{N}._-]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || fallback;
  return `${base}.${ext}`;
}
