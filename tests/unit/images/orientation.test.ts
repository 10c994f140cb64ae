import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  jpegOrientation,
  orientedSize,
  pngOrientation,
  readOrientation,
  tiffOrientation,
  type Orientation,
} from '../../../src/lib/images/orientation';

/** A TIFF block (the body of an EXIF segment) with IFD0 holding `entries` ([tag, type, count, value]). */
function tiff(order: 'II' | 'MM', entries: [number, number, number, number][]): Uint8Array {
  const b = new Uint8Array(8 + 2 + entries.length * 12 + 4);
  const dv = new DataView(b.buffer);
  const le = order === 'II';
  b.set(new TextEncoder().encode(order), 0);
  dv.setUint16(2, 42, le);
  dv.setUint32(4, 8, le);
  dv.setUint16(8, entries.length, le);
  entries.forEach(([tag, type, count, value], k) => {
    const at = 10 + k * 12;
    dv.setUint16(at, tag, le);
    dv.setUint16(at + 2, type, le);
    dv.setUint32(at + 4, count, le);
    dv.setUint16(at + 8, value, le); // a SHORT sits left-justified in the 4-byte value field
  });
  return b;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A JPEG start: SOI, optional APP0, an APP1 Exif segment around `body`, then SOF0 and SOS. */
function jpeg(body: Uint8Array, opts: { app0?: boolean; id?: string } = {}): Uint8Array {
  const id = new TextEncoder().encode(opts.id ?? 'Exif\0\0');
  const len = 2 + id.length + body.length;
  const app1 = concat(new Uint8Array([0xff, 0xe1, len >> 8, len & 255]), id, body);
  const app0 = opts.app0
    ? new Uint8Array([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
    : new Uint8Array(0);
  const sof = new Uint8Array([0xff, 0xc0, 0, 11, 8, 0, 30, 0, 40, 1, 1, 0x11, 0]);
  return concat(new Uint8Array([0xff, 0xd8]), app0, app1, sof, new Uint8Array([0xff, 0xda, 0, 2]));
}

const ORIENTATION = 0x0112;
const SHORT = 3;

describe('EXIF orientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8] as Orientation[])('reads orientation %i in both byte orders', (o) => {
    for (const order of ['II', 'MM'] as const) {
      const t = tiff(order, [
        [0x010f, 2, 6, 0], // Make, an ASCII entry before it
        [ORIENTATION, SHORT, 1, o],
      ]);
      expect(tiffOrientation(t)).toBe(o);
      expect(jpegOrientation(jpeg(t, { app0: true }))).toBe(o);
    }
  });

  it.each<[string, Uint8Array, Orientation]>([
    ['no APP1 segment', concat(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2])), 1],
    ['an APP1 that is XMP, not Exif', jpeg(tiff('II', [[ORIENTATION, SHORT, 1, 6]]), { id: 'http:' }), 1],
    ['an IFD without the tag', jpeg(tiff('MM', [[0x010f, 2, 6, 0]])), 1],
    ['a value out of range', jpeg(tiff('II', [[ORIENTATION, SHORT, 1, 9]])), 1],
    ['a wrong type', jpeg(tiff('II', [[ORIENTATION, 4, 1, 6]])), 1],
    ['a broken TIFF header', jpeg(new Uint8Array([0x49, 0x49, 0, 0, 8, 0, 0, 0])), 1],
    ['a segment cut short', jpeg(tiff('II', [[ORIENTATION, SHORT, 1, 6]])).slice(0, 20), 1],
    ['bytes that are not a JPEG segment list', new Uint8Array([0xff, 0xd8, 0x00, 0x01, 0x02, 0x03]), 1],
  ])('is 1 with %s', (_name, bytes, expected) => {
    expect(jpegOrientation(bytes)).toBe(expected);
  });

  it('reads what an encoder writes: JPEG APP1 and PNG eXIf (sharp, as a phone would tag a photo)', async () => {
    const raw = sharp(Buffer.alloc(40 * 30 * 3, 90), { raw: { width: 40, height: 30, channels: 3 } });
    const j = new Uint8Array(await raw.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer());
    const p = new Uint8Array(await raw.clone().png().withMetadata({ orientation: 8 }).toBuffer());
    const plain = new Uint8Array(await raw.clone().jpeg().toBuffer());
    expect(readOrientation('image/jpeg', j)).toBe(6);
    expect(readOrientation('image/png', p)).toBe(8);
    expect(pngOrientation(p)).toBe(8);
    expect(readOrientation('image/jpeg', plain)).toBe(1);
    // WebP keeps EXIF after the image data: left to the decoder.
    const w = new Uint8Array(await raw.clone().webp().withMetadata({ orientation: 6 }).toBuffer());
    expect(readOrientation('image/webp', w)).toBe(1);
  });

  it('swaps width and height for 5–8 only', () => {
    expect(orientedSize(4032, 3024, 6)).toEqual({ width: 3024, height: 4032 });
    expect(orientedSize(4032, 3024, 5)).toEqual({ width: 3024, height: 4032 });
    expect(orientedSize(4032, 3024, 3)).toEqual({ width: 4032, height: 3024 });
    expect(orientedSize(4032, 3024, 1)).toEqual({ width: 4032, height: 3024 });
  });
});
