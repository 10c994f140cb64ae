import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  downloadName,
  imageBlobFromBase64,
  sniffImageType,
} from '../../../src/lib/images/bytes';

const bytes = (...xs: number[]) => new Uint8Array([...xs, ...new Array(16).fill(0)]);

describe('sniffImageType', () => {
  it.each([
    [bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'image/png'],
    [bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    [bytes(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50), 'image/webp'],
    [bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61), 'image/gif'],
    [
      new TextEncoder().encode('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
      'image/svg+xml',
    ],
    [bytes(0x25, 0x50, 0x44, 0x46), null],
    [new Uint8Array(), null],
  ])('%#', (b, type) => {
    expect(sniffImageType(b)).toBe(type);
  });
});

describe('decodeBase64 and imageBlobFromBase64', () => {
  it('round-trips bytes', () => {
    const src = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    const b64 = Buffer.from(src).toString('base64');
    expect(Array.from(decodeBase64(b64))).toEqual(Array.from(src));
  });

  it('types the blob by its bytes, not by what the API declared', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0, 0]).toString('base64');
    expect(imageBlobFromBase64(jpeg, 'png').type).toBe('image/jpeg');
    expect(imageBlobFromBase64(Buffer.from('????').toString('base64'), 'webp').type).toBe('image/webp');
  });
});

describe('downloadName', () => {
  it.each([
    ['A cat, in a hat!', 'image/png', 0, 'atelier-a-cat-in-a-hat.png'],
    ['Café ✨ au lait', 'image/jpeg', 1, 'atelier-cafe-au-lait-2.jpg'],
    ['   ', 'image/webp', 0, 'atelier-image.webp'],
    ['x'.repeat(80), 'image/gif', 0, `atelier-${'x'.repeat(48)}.gif`],
  ])('%j', (prompt, mime, index, name) => {
    expect(downloadName(prompt, mime, index)).toBe(name);
  });
});
