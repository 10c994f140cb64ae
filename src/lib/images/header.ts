/**
 * What a file really is, from its first bytes, and its pixel size read from the header without decoding
 * (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X). Pure: works on a Uint8Array in Node and in the browser.
 */

export type AcceptedMime = 'image/png' | 'image/jpeg' | 'image/webp';

const ACCEPTED: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'];

/** The MIME type if it is one the API takes as an input image, else null. */
export function imageInputMime(type: string): AcceptedMime | null {
  return ACCEPTED.includes(type) ? (type as AcceptedMime) : null;
}

export type FileKind =
  { accepted: true; mime: AcceptedMime; label: string } | { accepted: false; label: string; advice: string };

const ascii = (b: Uint8Array, at: number, len: number): string =>
  String.fromCharCode(...b.subarray(at, Math.min(b.length, at + len)));

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const HEIF_BRANDS = ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'heif'];
const CONVERT = 'Save or export it as PNG, JPEG or WebP first.';

/** Identifies a file by its magic bytes. `null` when the bytes match nothing known (e.g. text, or empty). */
export function identify(b: Uint8Array): FileKind | null {
  if (startsWith(b, PNG_SIG)) return { accepted: true, mime: 'image/png', label: 'PNG' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { accepted: true, mime: 'image/jpeg', label: 'JPEG' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP')
    return { accepted: true, mime: 'image/webp', label: 'WebP' };
  if (ascii(b, 4, 4) === 'ftyp') {
    const brands = [ascii(b, 8, 4), ...Array.from({ length: 4 }, (_, i) => ascii(b, 16 + i * 4, 4))];
    if (brands.some((x) => x === 'avif' || x === 'avis'))
      return { accepted: false, label: 'AVIF image', advice: `AVIF is not accepted by the API. ${CONVERT}` };
    if (brands.some((x) => HEIF_BRANDS.includes(x)))
      return {
        accepted: false,
        label: 'HEIC/HEIF photo',
        advice: `HEIC photos (the iPhone default) are not accepted by the API. ${CONVERT}`,
      };
    return { accepted: false, label: 'video or ISO media file', advice: 'Only still images can be edited.' };
  }
  if (ascii(b, 0, 4) === 'GIF8')
    return {
      accepted: false,
      label: 'GIF',
      advice: `GIF is not accepted as an input image (only as an output on 2.6). ${CONVERT}`,
    };
  if (ascii(b, 0, 5) === '%PDF-')
    return { accepted: false, label: 'PDF document', advice: `PDFs are not accepted. ${CONVERT}` };
  if (ascii(b, 0, 2) === 'BM')
    return { accepted: false, label: 'BMP image', advice: `BMP is not accepted. ${CONVERT}` };
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]))
    return {
      accepted: false,
      label: 'TIFF image',
      advice: `TIFF (and camera raw) is not accepted. ${CONVERT}`,
    };
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00]))
    return { accepted: false, label: 'icon file', advice: `ICO is not accepted. ${CONVERT}` };
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20]))
    return { accepted: false, label: 'JPEG XL image', advice: `JPEG XL is not accepted. ${CONVERT}` };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]))
    return { accepted: false, label: 'ZIP archive', advice: 'Unpack it and add the images themselves.' };
  const head = new TextDecoder()
    .decode(b.subarray(0, 512))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (/^<svg[\s>]/i.test(head) || (/^<\?xml/i.test(head) && /<svg[\s>]/i.test(head)))
    return {
      accepted: false,
      label: 'SVG drawing',
      advice: 'SVG drawings are not accepted; export the drawing as PNG first.',
    };
  return null;
}

export interface PixelSize {
  width: number;
  height: number;
}

export type HeaderInfo =
  | { ok: true; width: number; height: number; hasAlpha: boolean | null }
  | { ok: false; reason: string; needMore?: boolean };

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) =>
  ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);

function png(b: Uint8Array): HeaderInfo {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4) + depth, colour type …
  if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR')
    return { ok: false, reason: 'The PNG is truncated or damaged: its image header is missing.' };
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const colorType = b[25]!;
  if (!width || !height) return { ok: false, reason: 'The PNG header says the image has no pixels.' };
  // Colour types 4 (grey + alpha) and 6 (RGBA) carry alpha; a tRNS chunk can add it to the others.
  const hasAlpha = colorType === 4 || colorType === 6 || findPngChunk(b, 'tRNS');
  return { ok: true, width, height, hasAlpha };
}

function findPngChunk(b: Uint8Array, type: string): boolean {
  let i = 8;
  while (i + 8 <= b.length) {
    const len = u32be(b, i);
    const t = ascii(b, i + 4, 4);
    if (t === type) return true;
    if (t === 'IDAT' || t === 'IEND') return false;
    i += 12 + len;
  }
  return false;
}

/** SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpeg(b: Uint8Array, complete: boolean): HeaderInfo {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return { ok: false, reason: 'The JPEG is damaged: its markers are out of order.' };
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any frame header
    const len = u16be(b, i + 2);
    if (isSof(marker)) {
      if (i + 9 > b.length) break;
      const height = u16be(b, i + 5);
      const width = u16be(b, i + 7);
      if (!width || !height)
        return { ok: false, reason: 'The JPEG header gives no pixel size (height 0 is not supported).' };
      return { ok: true, width, height, hasAlpha: false };
    }
    if (len < 2) return { ok: false, reason: 'The JPEG is damaged: a header segment has a bad length.' };
    i += 2 + len;
  }
  if (!complete && i >= b.length - 4) return { ok: false, reason: 'more bytes needed', needMore: true };
  return { ok: false, reason: 'The JPEG is truncated or damaged: its frame header is missing.' };
}

function webp(b: Uint8Array): HeaderInfo {
  const chunk = ascii(b, 12, 4);
  const damaged: HeaderInfo = {
    ok: false,
    reason: 'The WebP is truncated or damaged: its header is missing.',
  };
  if (chunk === 'VP8X') {
    if (b.length < 30) return damaged;
    return { ok: true, width: u24le(b, 24) + 1, height: u24le(b, 27) + 1, hasAlpha: (b[20]! & 0x10) !== 0 };
  }
  if (chunk === 'VP8L') {
    if (b.length < 25 || b[20] !== 0x2f) return damaged;
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return {
      ok: true,
      width: (bits & 0x3fff) + 1,
      height: ((bits >>> 14) & 0x3fff) + 1,
      hasAlpha: ((bits >>> 28) & 1) === 1,
    };
  }
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
    if (b.length < 30 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return damaged;
    return { ok: true, width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, hasAlpha: false };
  }
  return damaged;
}

/**
 * The pixel size from the header of an accepted image. `bytes` may be just the start of the file; pass
 * `complete: false` then, and a JPEG whose frame header lies further in answers `needMore`.
 */
export function readHeader(mime: AcceptedMime, bytes: Uint8Array, complete = true): HeaderInfo {
  if (mime === 'image/png') return png(bytes);
  if (mime === 'image/jpeg') return jpeg(bytes, complete);
  return webp(bytes);
}
