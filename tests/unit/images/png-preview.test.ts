import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PngChunks } from '../../../src/lib/images/png-chunks';
import {
  decodePngPreview,
  previewFactor,
  PreviewRows,
  unsupported,
  type Preview,
} from '../../../src/lib/images/png-preview';

/** Pixels with structure (gradients, noise, a transparent hole) so every filter type has work to do. */
function pixels(width: number, height: number, channels: 3 | 4): Buffer {
  const raw = Buffer.alloc(width * height * channels);
  let seed = 7;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const i = (y * width + x) * channels;
      raw[i] = (x * 7 + (seed >> 20)) & 0xff;
      raw[i + 1] = (y * 5) & 0xff;
      raw[i + 2] = ((x ^ y) * 3) & 0xff;
      if (channels === 4) raw[i + 3] = x < width / 3 && y < height / 3 ? 0 : (x * 11 + y) & 0xff;
    }
  return raw;
}

/** The picture as sharp decodes it: RGBA, 8 bits. */
async function rgbaOf(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The reference: each k × k block averaged the slow, obvious way (alpha-weighted colour). */
function boxAverage(src: { data: Buffer; width: number; height: number }, k: number): Uint8ClampedArray {
  const w = Math.ceil(src.width / k);
  const h = Math.ceil(src.height / k);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let oy = 0; oy < h; oy++)
    for (let ox = 0; ox < w; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let n = 0;
      for (let y = oy * k; y < Math.min(src.height, oy * k + k); y++)
        for (let x = ox * k; x < Math.min(src.width, ox * k + k); x++) {
          const i = (y * src.width + x) * 4;
          const al = src.data[i + 3]!;
          r += src.data[i]! * al;
          g += src.data[i + 1]! * al;
          b += src.data[i + 2]! * al;
          a += al;
          n++;
        }
      const o = (oy * w + ox) * 4;
      if (a > 0) out.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round(a / n)], o);
    }
  return out;
}

/** `bytes` as a stream of `size`-byte pieces (the way a network delivers them). */
function piecewise(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

function maxDifference(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function preview(png: Buffer, target: number, piece = 4099): Promise<Preview> {
  const got = await decodePngPreview(piecewise(png, piece), target);
  if (got === null || got === 'unsupported') throw new Error(`no preview: ${got}`);
  return got;
}

describe('PNG preview decoder', () => {
  it('picks the integer factor that keeps the preview at least as wide as asked', () => {
    expect(previewFactor(1536, 640)).toBe(2);
    expect(previewFactor(1536, 512)).toBe(3);
    expect(previewFactor(1024, 1280)).toBe(1);
    expect(previewFactor(1248, 0)).toBe(1);
  });

  type Sharp = ReturnType<typeof sharp>;
  const kinds: [string, (s: Sharp) => Sharp, 3 | 4][] = [
    ['RGB, adaptive filters', (s) => s.png({ adaptiveFiltering: true, compressionLevel: 6 }), 3],
    ['RGB, no filters', (s) => s.png({ compressionLevel: 1 }), 3],
    ['RGBA with a transparent corner', (s) => s.png({ adaptiveFiltering: true }), 4],
    ['grey', (s) => s.greyscale().png({ adaptiveFiltering: true }), 3],
    ['grey with alpha', (s) => s.greyscale().png({ adaptiveFiltering: true }), 4],
    ['palette with transparency', (s) => s.png({ palette: true, colours: 64, dither: 0 }), 4],
    ['16 bits per sample', (s) => s.toColourspace('rgb16').png({ adaptiveFiltering: true }), 3],
  ];
  for (const [name, encode, channels] of kinds)
    it(`matches a box average of the decoded pixels: ${name}`, async () => {
      const [w, h] = [203, 97];
      const png = await encode(
        sharp(pixels(w, h, channels), { raw: { width: w, height: h, channels } }),
      ).toBuffer();
      const reference = await rgbaOf(png);
      for (const target of [60, 100, 203]) {
        const k = previewFactor(w, target);
        const got = await preview(png, target);
        expect([got.width, got.height, got.fullWidth, got.fullHeight]).toEqual([
          Math.ceil(w / k),
          Math.ceil(h / k),
          w,
          h,
        ]);
        // Same pixels up to rounding (16-bit: sharp rounds where this takes the high byte).
        expect(maxDifference(got.data, boxAverage(reference, k))).toBeLessThanOrEqual(
          name.startsWith('16') ? 1 : 0,
        );
      }
    });

  it('gives the same picture whatever sizes the bytes arrive in', async () => {
    const png = await sharp(pixels(64, 40, 4), { raw: { width: 64, height: 40, channels: 4 } })
      .png({ adaptiveFiltering: true })
      .toBuffer();
    const whole = await preview(png, 20, png.length);
    for (const piece of [1, 7, 8, 13, 333]) expect((await preview(png, 20, piece)).data).toEqual(whole.data);
  });

  it('says "unsupported" for an interlaced PNG, reading no further than its header', async () => {
    const png = await sharp(pixels(50, 50, 3), { raw: { width: 50, height: 50, channels: 3 } })
      .png({ progressive: true })
      .toBuffer();
    let read = 0;
    const counted = piecewise(png, 16).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(c, ctl) {
          read += c.length;
          ctl.enqueue(c);
        },
      }),
    );
    expect(await decodePngPreview(counted, 10)).toBe('unsupported');
    expect(read).toBeLessThan(200);
    expect(unsupported({ width: 10, height: 10, bitDepth: 4, colorType: 0, interlaced: false })).toMatch(
      /4 bits/,
    );
  });

  it('gives null for a cut or damaged PNG, and "unsupported" for other formats', async () => {
    const png = await sharp(pixels(80, 80, 3), { raw: { width: 80, height: 80, channels: 3 } })
      .png()
      .toBuffer();
    expect(await decodePngPreview(piecewise(png.subarray(0, png.length - 300), 500), 20)).toBeNull();
    const jpeg = await sharp(pixels(80, 80, 3), { raw: { width: 80, height: 80, channels: 3 } })
      .jpeg()
      .toBuffer();
    expect(await decodePngPreview(piecewise(jpeg, 500), 20)).toBe('unsupported');
    const damaged = Buffer.from(png);
    damaged.fill(0x55, 100, 400); // inside the compressed data
    expect(await decodePngPreview(piecewise(damaged, 500), 20)).toBeNull();
  });

  it('reads chunk boundaries split anywhere and passes only image data on', () => {
    const seen: string[] = [];
    let data = 0;
    const chunks = new PngChunks({
      header: (h) => seen.push(`IHDR ${h.width}x${h.height}`),
      palette: () => seen.push('PLTE'),
      transparency: () => seen.push('tRNS'),
      data: (b) => (data += b.length),
    });
    const chunk = (type: string, body: number[]) => {
      const len = body.length;
      return [
        len >>> 24,
        (len >> 16) & 255,
        (len >> 8) & 255,
        len & 255,
        ...[...type].map((c) => c.charCodeAt(0)),
        ...body,
        0,
        0,
        0,
        0,
      ];
    };
    const bytes = new Uint8Array([
      137,
      80,
      78,
      71,
      13,
      10,
      26,
      10,
      ...chunk('IHDR', [0, 0, 0, 3, 0, 0, 0, 2, 8, 3, 0, 0, 0]),
      ...chunk('tEXt', [65, 0, 66]),
      ...chunk('PLTE', [1, 2, 3]),
      ...chunk('tRNS', [0]),
      ...chunk('IDAT', [1, 2, 3, 4, 5]),
      ...chunk('IDAT', [6, 7]),
      ...chunk('IEND', []),
    ]);
    for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
    expect(seen).toEqual(['IHDR 3x2', 'PLTE', 'tRNS']);
    expect(data).toBe(7);
    expect(chunks.ended).toBe(true);
  });

  it('refuses rows beyond the image height', () => {
    const rows = new PreviewRows({ width: 2, height: 1, bitDepth: 8, colorType: 2, interlaced: false }, 2);
    expect(() => rows.push(new Uint8Array(7 * 2))).toThrow(/more image data/);
  });
});
