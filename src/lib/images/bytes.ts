/** Turning the API's base64 image payloads into Blobs without touching reactive state. Pure. */

type FromBase64 = (s: string) => Uint8Array<ArrayBuffer>;

/** Decodes standard base64 (the API's b64_json). Uses the native decoder where the engine has one. */
export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
  if (native) return native(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' | 'image/svg+xml';

/** The real type of image bytes, by their magic numbers; null when they are none of the known ones. */
export function sniffImageType(b: Uint8Array): ImageMime | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (
    b.length >= 12 &&
    b[0] === 0x52 &&
    b[1] === 0x49 &&
    b[2] === 0x46 &&
    b[3] === 0x46 &&
    b[8] === 0x57 &&
    b[9] === 0x45 &&
    b[10] === 0x42 &&
    b[11] === 0x50
  )
    return 'image/webp';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'image/gif';
  const head = new TextDecoder().decode(b.subarray(0, 256)).trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
  return null;
}

const MIME_BY_FORMAT: Record<string, ImageMime> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};

export const EXTENSION_BY_MIME: Record<ImageMime, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
};

/** Image bytes already decoded elsewhere (e.g. lifted out of a stream), in parts. */
export interface DecodedParts {
  parts: Uint8Array<ArrayBuffer>[];
  head(n: number): Uint8Array;
}

/** A Blob of the decoded image, typed by its bytes (falling back to the format the API said it used). */
export function imageBlobFromBase64(b64: string | DecodedParts, declaredFormat?: string): Blob {
  const parts = typeof b64 === 'string' ? [decodeBase64(b64)] : b64.parts;
  const head = typeof b64 === 'string' ? parts[0]! : b64.head(256);
  const type = sniffImageType(head) ?? MIME_BY_FORMAT[declaredFormat ?? ''] ?? 'application/octet-stream';
  return new Blob(parts, { type });
}

/** A download name like "atelier-a-cat-in-a-hat-2.png" from the prompt. */
export function downloadName(prompt: string, mime: string, index: number): string {
  const slug =
    prompt
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48)
      .replace(/-+$/, '') || 'image';
  const ext = EXTENSION_BY_MIME[mime as ImageMime] ?? 'bin';
  return `atelier-${slug}${index > 0 ? `-${index + 1}` : ''}.${ext}`;
}
