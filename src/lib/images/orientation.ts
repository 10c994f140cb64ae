/**
 * The EXIF orientation tag (0x0112) of an image, read from its first bytes without decoding. Browsers show a
 * JPEG (and a PNG with an eXIf chunk) turned or mirrored as the tag says, and createImageBitmap decodes it the
 * same way, so a photo stored 4032 × 3024 with orientation 6 is seen, masked and converted as 3024 × 4032.
 * Pure: works on a Uint8Array in Node and in the browser.
 */
import type { AcceptedMime } from './header';

/** 1 = as stored; 2–4 mirror or turn 180°; 5–8 also swap width and height. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/** The orientation in a TIFF block (the body of an EXIF segment), 1 when it has none or is damaged. */
export function tiffOrientation(b: Uint8Array, start = 0, end = b.length): Orientation {
  if (end - start < 8) return 1;
  const order = String.fromCharCode(b[start]!, b[start + 1]!);
  if (order !== 'II' && order !== 'MM') return 1;
  const le = order === 'II';
  const u16 = (i: number) => (le ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!);
  const u32 = (i: number) =>
    le
      ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
      : ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  if (u16(start + 2) !== 42) return 1;
  const ifd = start + u32(start + 4);
  if (ifd + 2 > end) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + k * 12;
    if (entry + 12 > end) return 1;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    if (u16(entry + 2) !== SHORT || u32(entry + 4) !== 1) return 1;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}

const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/** The orientation in a JPEG's APP1 Exif segment (before the first scan), 1 without one. */
export function jpegOrientation(b: Uint8Array): Orientation {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return 1;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return 1;
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2) return 1;
    const body = i + 4;
    if (marker === 0xe1 && EXIF_ID.every((v, k) => b[body + k] === v))
      return tiffOrientation(b, body + 6, Math.min(b.length, i + 2 + len));
    i += 2 + len;
  }
  return 1;
}

/** The orientation in a PNG's eXIf chunk (which must come before the image data), 1 without one. */
export function pngOrientation(b: Uint8Array): Orientation {
  let i = 8;
  while (i + 8 <= b.length) {
    const len = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    const type = String.fromCharCode(b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
    if (type === 'eXIf') return tiffOrientation(b, i + 8, Math.min(b.length, i + 8 + len));
    if (type === 'IDAT' || type === 'IEND') return 1;
    i += 12 + len;
  }
  return 1;
}

/**
 * The orientation of an accepted image from its first bytes. WebP keeps its EXIF after the image data, out of
 * reach of the header read; intake then goes by what the decoder made of it.
 */
export function readOrientation(mime: AcceptedMime, b: Uint8Array): Orientation {
  if (mime === 'image/jpeg') return jpegOrientation(b);
  if (mime === 'image/png') return pngOrientation(b);
  return 1;
}

/** The size an image is shown at, given its stored size and orientation (5–8 swap width and height). */
export function orientedSize(
  width: number,
  height: number,
  o: Orientation,
): { width: number; height: number } {
  return o >= 5 ? { width: height, height: width } : { width, height };
}
