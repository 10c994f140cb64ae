import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { identify, readHeader } from '../../../src/lib/images/header';
import {
  checkFile,
  checkHead,
  GPT_IMAGE_LIMITS,
  intake,
  uploadName,
  type Decoder,
} from '../../../src/lib/images/intake';

/** A real decoder for Node: sharp decodes every pixel, like createImageBitmap in the browser. */
const sharpDecode: Decoder = async (blob) => {
  const { info } = await sharp(Buffer.from(await blob.arrayBuffer()))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height };
};

async function image(
  format: 'png' | 'jpeg' | 'webp',
  w = 40,
  h = 30,
  opts: { alpha?: boolean; lossless?: boolean } = {},
): Promise<Uint8Array> {
  const channels = opts.alpha ? 4 : 3;
  const raw = Buffer.alloc(w * h * channels, 128);
  if (opts.alpha) for (let i = 3; i < raw.length; i += 4) raw[i] = i % 8 === 3 ? 0 : 255;
  const img = sharp(raw, { raw: { width: w, height: h, channels } });
  const out =
    format === 'png'
      ? img.png()
      : format === 'jpeg'
        ? img.jpeg()
        : img.webp(opts.lossless ? { lossless: true } : { quality: 80 });
  return new Uint8Array(await out.toBuffer());
}

const blob = (bytes: Uint8Array | string, type = '') =>
  new Blob(
    [typeof bytes === 'string' ? new TextEncoder().encode(bytes) : (bytes as Uint8Array<ArrayBuffer>)],
    {
      type,
    },
  );

function pngHeader(width: number, height: number, colorType = 6): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const dv = new DataView(b.buffer);
  dv.setUint32(16, width);
  dv.setUint32(20, height);
  b[24] = 8;
  b[25] = colorType;
  return b;
}

function jpegWithSof(width: number, height: number, prefixBytes = 0): Uint8Array {
  const app = prefixBytes
    ? Array.from({ length: Math.ceil(prefixBytes / 65000) }, () => {
        const seg = new Uint8Array(2 + 65000);
        seg.set([0xff, 0xe2, 0xfd, 0xe8]); // APP2, length 65000 (the length excludes the marker)
        return seg;
      })
    : [];
  const sof = new Uint8Array([
    0xff,
    0xc2,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
  ]);
  const parts = [new Uint8Array([0xff, 0xd8]), ...app, sof, new Uint8Array(20)];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function webpVp8x(width: number, height: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode('RIFF'), 0);
  b.set(new TextEncoder().encode('WEBPVP8X'), 8);
  b[20] = 0x10;
  const w = width - 1;
  const h = height - 1;
  b.set([w & 255, (w >> 8) & 255, (w >> 16) & 255, h & 255, (h >> 8) & 255, (h >> 16) & 255], 24);
  return b;
}

const ftyp = (brand: string) => {
  const b = new Uint8Array(32);
  b.set([0, 0, 0, 24], 0);
  b.set(new TextEncoder().encode(`ftyp${brand}\0\0\0\0mif1${brand}`), 4);
  return b;
};

describe('header reading without decoding', () => {
  it.each([
    ['PNG RGB', 'png', {}, 40, 30, false],
    ['PNG RGBA', 'png', { alpha: true }, 40, 30, true],
    ['JPEG', 'jpeg', {}, 41, 29, false],
    ['WebP lossy (VP8)', 'webp', {}, 64, 48, false],
    ['WebP lossless (VP8L)', 'webp', { lossless: true }, 33, 17, false],
    ['WebP with alpha (VP8X or VP8L)', 'webp', { alpha: true }, 50, 20, true],
  ] as const)('%s', async (_name, format, opts, w, h, alpha) => {
    const bytes = await image(format, w, h, opts);
    const kind = identify(bytes);
    expect(kind?.accepted).toBe(true);
    if (!kind?.accepted) return;
    expect(readHeader(kind.mime, bytes)).toEqual({ ok: true, width: w, height: h, hasAlpha: alpha });
  });

  it('reads a JPEG frame header that lies past a long ICC prefix', () => {
    const bytes = jpegWithSof(4000, 3000, 700_000);
    expect(readHeader('image/jpeg', bytes.subarray(0, 512 * 1024), false)).toMatchObject({ needMore: true });
    expect(readHeader('image/jpeg', bytes)).toEqual({ ok: true, width: 4000, height: 3000, hasAlpha: false });
  });
});

describe('intake refusals: each names the file and the reason', () => {
  const cases: [string, () => Promise<Uint8Array> | Uint8Array, RegExp][] = [
    ['empty.png', () => new Uint8Array(0), /empty/],
    ['cut.png', () => pngHeader(10, 10).subarray(0, 10), /PNG is truncated or damaged/],
    [
      'half.png',
      async () => (await image('png', 200, 200)).subarray(0, 60),
      /looks like a PNG but cannot be decoded/,
    ],
    ['notes.png', () => new TextEncoder().encode('hello, this is text\n'), /only PNG, JPEG and WebP/],
    [
      'bomb.png',
      () => pngHeader(100_000, 100_000),
      /100,000 × 100,000 pixels \(10000 megapixels\).*at most 40 megapixels/,
    ],
    ['bomb.jpg', () => jpegWithSof(65_000, 65_000), /65,000 × 65,000 pixels/],
    ['bomb.webp', () => webpVp8x(16_383, 16_383), /16,383 × 16,383 pixels/],
    ['IMG_0001.HEIC', () => ftyp('heic'), /HEIC photos .* not accepted/],
    ['photo.avif', () => ftyp('avif'), /AVIF is not accepted/],
    [
      'logo.svg',
      () => new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="x"></svg>'),
      /SVG drawings are not accepted/,
    ],
    ['scan.pdf', () => new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj'), /PDFs are not accepted/],
    ['anim.gif', () => new TextEncoder().encode('GIF89a\x01\x00\x01\x00'), /GIF is not accepted as an input/],
    ['old.bmp', () => new TextEncoder().encode('BM\x00\x00\x00\x00\x00\x00'), /BMP is not accepted/],
    ['raw.tif', () => new Uint8Array([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]), /TIFF .* not accepted/],
    [
      'cut.jpg',
      () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3, 4, 0x12, 0x34]),
      /JPEG is truncated/,
    ],
    [
      'bad.jpg',
      () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0x12, 0x34, 0x56, 0x78]),
      /JPEG is damaged/,
    ],
  ];

  it.each(cases)('%s', async (name, make, reason) => {
    const decode = vi.fn(sharpDecode);
    const r = await checkFile(blob(await make(), 'image/png'), name, { decode });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal.name).toBe(name);
    expect(r.refusal.reason).toMatch(reason);
    // Header problems and bombs are refused before anything decodes them.
    if (!/cannot be decoded/.test(reason.source)) expect(decode).not.toHaveBeenCalled();
  });

  it('refuses a file of 50 MB or more without reading it all', async () => {
    const big = new Uint8Array(GPT_IMAGE_LIMITS.maxBytes);
    big.set(await image('png', 8, 8));
    const decode = vi.fn(sharpDecode);
    const r = await checkFile(blob(big), 'huge.png', { decode });
    expect(r).toEqual({
      ok: false,
      refusal: { name: 'huge.png', reason: 'It is 50.0 MB; each image must be under 50.0 MB.' },
    });
    expect(decode).not.toHaveBeenCalled();
  });

  it('refuses a file whose decoded size contradicts its header', async () => {
    const png = await image('png', 40, 30);
    const r = await checkFile(blob(png), 'liar.png', { decode: async () => ({ width: 10, height: 10 }) });
    expect(r.ok || r.refusal.reason).toMatch(/header says 40 × 30 pixels but it decodes to 10 × 10/);
  });

  it('checks the byte size and pixel limits as given', () => {
    const head = pngHeader(5000, 5000);
    expect(checkHead(1000, head, false, { maxBytes: 4 * 1024 * 1024, maxPixels: 40e6 }).ok).toBe(true);
    expect(checkHead(1000, head, false, { maxBytes: 4 * 1024 * 1024, maxPixels: 20e6 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/25 megapixels.*at most 20 megapixels/),
    });
  });
});

describe('intake', () => {
  it('types each accepted file by its bytes, whatever its name or declared type says', async () => {
    const jpeg = await image('jpeg');
    const r = await checkFile(blob(jpeg, 'image/png'), 'actually-a-jpeg.png', { decode: sharpDecode });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.image).toMatchObject({ mime: 'image/jpeg', width: 40, height: 30, name: 'actually-a-jpeg.png' });
    expect(r.image.blob.type).toBe('image/jpeg');
    expect(uploadName(r.image.name, r.image.mime)).toBe('actually-a-jpeg.jpg');
  });

  describe('EXIF orientation: the size is the one the browser shows', () => {
    /** Like createImageBitmap's default (imageOrientation from-image): the tag is applied. */
    const browserDecode: Decoder = async (b) => {
      const { info } = await sharp(Buffer.from(await b.arrayBuffer()))
        .rotate()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height };
    };
    const tagged = async (format: 'jpeg' | 'png' | 'webp', orientation: number) => {
      const img = sharp(Buffer.alloc(40 * 30 * 3, 100), { raw: { width: 40, height: 30, channels: 3 } });
      const out = format === 'jpeg' ? img.jpeg() : format === 'png' ? img.png() : img.webp();
      return new Uint8Array(await out.withMetadata({ orientation }).toBuffer());
    };

    it.each([
      ['jpeg', 6, 30, 40],
      ['jpeg', 8, 30, 40],
      ['jpeg', 3, 40, 30],
      ['png', 6, 30, 40],
    ] as const)(
      'a %s stored 40 × 30 with orientation %i is %i × %i, marked as stored turned',
      async (f, o, w, h) => {
        const r = await checkFile(blob(await tagged(f, o)), `phone.${f}`, { decode: browserDecode });
        expect(r.ok && r.image).toMatchObject({ width: w, height: h, orientation: o, oriented: true });
      },
    );

    it('an untagged image is upright as stored', async () => {
      const r = await checkFile(blob(await image('jpeg', 40, 30)), 'flat.jpg', { decode: browserDecode });
      expect(r.ok && r.image).toMatchObject({ width: 40, height: 30, orientation: 1, oriented: false });
    });

    it('goes by the decoder when it turns what the header read could not see (a WebP’s EXIF at its end)', async () => {
      const r = await checkFile(blob(await tagged('webp', 6)), 'turned.webp', {
        decode: async () => ({ width: 30, height: 40 }),
      });
      expect(r.ok && r.image).toMatchObject({ width: 30, height: 40, orientation: 1, oriented: true });
    });

    it('still refuses a decode that fits neither way', async () => {
      const r = await checkFile(blob(await tagged('jpeg', 6)), 'odd.jpg', {
        decode: async () => ({ width: 30, height: 30 }),
      });
      expect(r.ok || r.refusal.reason).toMatch(/header says 40 × 30 pixels but it decodes to 30 × 30/);
    });
  });

  it('keeps the good files, refuses the bad ones by name, and respects the room left', async () => {
    const files = [
      { name: 'a.png', blob: blob(await image('png')) },
      { name: 'readme.txt', blob: blob('not an image') },
      { name: 'b.webp', blob: blob(await image('webp')) },
      { name: 'c.jpg', blob: blob(await image('jpeg')) },
    ];
    const r = await intake(files, { room: 2, max: 16, model: 'gpt-image-2', decode: sharpDecode });
    expect(r.accepted.map((i) => [i.name, i.mime])).toEqual([
      ['a.png', 'image/png'],
      ['b.webp', 'image/webp'],
    ]);
    expect(r.refused.map((x) => x.name)).toEqual(['readme.txt', 'c.jpg']);
    expect(r.refused[1]!.reason).toBe(
      'Only 2 more images fit (gpt-image-2 takes at most 16); this one was not added.',
    );
  });

  it('says when there is no room at all', async () => {
    const r = await intake([{ name: 'a.png', blob: blob(await image('png')) }], {
      room: 0,
      max: 1,
      model: 'dall-e-2',
      decode: sharpDecode,
    });
    expect(r.refused[0]!.reason).toBe(
      'There is no room for more images (dall-e-2 takes at most 1); remove one first.',
    );
  });

  it.each([
    ['Holiday photo (1).HEIC', 'image/jpeg', 'Holiday-photo-1.jpg'],
    ['.png', 'image/png', 'image.png'],
    ['mask', 'image/webp', 'mask.webp'],
  ] as const)('upload name for %s', (name, mime, expected) => {
    expect(uploadName(name, mime)).toBe(expected);
  });
});
