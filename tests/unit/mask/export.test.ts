import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compositeOutside, featherMask, maskFromStrokes, type Pixels } from '../../../src/lib/mask/alpha';
import { maskRunsFromAlpha } from '../../../src/lib/mask/runs';
import { exportMask, softZone, type MaskSource } from '../../../src/lib/mask/export';

const W = 64;
const H = 48;

/** What the editor's raster holds: strokes alpha (one byte a pixel) and the same as RGBA. */
function strokes(w: number, h: number, painted: (x: number, y: number) => boolean): MaskSource {
  const alpha = new Uint8Array(w * h);
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (painted(x, y)) {
        alpha[y * w + x] = 255;
        rgba.set([255, 45, 111, 255], (y * w + x) * 4);
      }
  return { width: w, height: h, alpha, strokes: () => ({ width: w, height: h, data: rgba }) };
}

/** A rectangle x 16…31, y 12…35. */
const inRect = (x: number, y: number) => x >= 16 && x < 32 && y >= 12 && y < 36;

/** Decodes a PNG Blob to RGBA (sharp keeps the alpha channel as stored). */
async function decode(blob: Blob): Promise<Pixels & { channels: number; format: string }> {
  const buf = Buffer.from(await blob.arrayBuffer());
  const meta = await sharp(buf).metadata();
  const { data, info } = await sharp(buf).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data, channels: meta.channels!, format: meta.format! };
}

const alphaAt = (p: Pixels, x: number, y: number) => p.data[(y * p.width + x) * 4 + 3]!;
const alphaValues = (p: Pixels) =>
  new Set(Array.from({ length: p.width * p.height }, (_, i) => p.data[i * 4 + 3]));

describe('exportMask', () => {
  it('without a feather: one hard RGBA PNG of the painted area, at the image size', async () => {
    const out = await exportMask(strokes(W, H, inRect));
    expect(out.feathered).toBeNull();
    const png = await decode(out.blob);
    expect([png.format, png.width, png.height, png.channels]).toEqual(['png', W, H, 4]);
    expect(alphaValues(png)).toEqual(new Set([0, 255]));
    expect(alphaAt(png, 20, 20)).toBe(0);
    expect(alphaAt(png, 40, 20)).toBe(255);
    expect(out.stats).toEqual({
      pixels: W * H,
      transparent: 16 * 24,
      opaque: W * H - 16 * 24,
      editFraction: (16 * 24) / (W * H),
    });
  });

  it('with a feather: the API mask is still only alpha 0 or 255, grown over the whole soft edge', async () => {
    const src = strokes(W, H, inRect);
    const out = await exportMask(src, 6);
    expect(out.feathered?.radius).toBe(6);
    const api = await decode(out.blob);
    const soft = await decode(out.feathered!.soft);
    expect([api.width, api.height, api.channels]).toEqual([W, H, 4]);
    // Binary, as the API requires: no alpha values other than 0 and 255.
    expect(alphaValues(api)).toEqual(new Set([0, 255]));
    // The soft mask has the partial alpha; every pixel it touches (alpha < 255) is to be edited in the API's.
    expect([...alphaValues(soft)].some((a) => a! > 0 && a! < 255)).toBe(true);
    let grown = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const s = alphaAt(soft, x, y);
        expect(alphaAt(api, x, y), `(${x}, ${y}) soft ${s}`).toBe(s < 255 ? 0 : 255);
        if (inRect(x, y)) expect(alphaAt(api, x, y)).toBe(0);
        else if (s < 255) grown++;
      }
    // The edge reaches about the feather radius beyond the painted area (and no further than ~radius + 3).
    expect(alphaAt(api, 16 - 4, 24)).toBe(0);
    expect(alphaAt(api, 32 + 3, 24)).toBe(0);
    expect(alphaAt(api, 16 - 10, 24)).toBe(255);
    expect(alphaAt(api, 32 + 10, 24)).toBe(255);
    expect(out.stats.transparent).toBe(16 * 24 + grown);
    expect(out.stats.editFraction).toBe(out.stats.transparent / (W * H));
    // The soft edge sits on the painted edge: half-way across it on the boundary.
    expect(alphaAt(soft, 16, 24)).toBeGreaterThan(40);
    expect(alphaAt(soft, 16, 24)).toBeLessThan(215);
  });

  it('keeps the mask as painted beside the feathered one, so reopening it changes nothing', async () => {
    const src = strokes(W, H, inRect);
    const hard = await exportMask(src);
    const feathered = await exportMask(src, 9);
    const painted = await decode(feathered.feathered!.painted);
    const expected = await decode(hard.blob);
    expect(Buffer.from(painted.data).equals(Buffer.from(expected.data))).toBe(true);
  });

  it('stays binary when the soft edge is too fragmented for deflate runs (the zlib path)', async () => {
    // Dots 8 px apart: their soft edges almost touch, leaving thin gaps, so runs give up on the API mask too.
    const src = strokes(256, 256, (x, y) => x % 8 === 0 && y % 8 === 0 && x < 128);
    const soft = featherMask(maskFromStrokes(src.strokes()), 3);
    expect(maskRunsFromAlpha(softZone(soft), 256, 256)).toBeNull();
    const out = await exportMask(src, 3);
    const api = await decode(out.blob);
    expect(alphaValues(api)).toEqual(new Set([0, 255]));
    expect(alphaAt(api, 200, 100)).toBe(255);
    expect(alphaAt(api, 1, 0)).toBe(0); // the soft edge of the dot at (0, 0)
    expect(alphaAt(api, 4, 4)).toBe(255); // between dots
  });
});

describe('softZone', () => {
  it('marks every pixel the soft mask does not keep fully', () => {
    const soft: Pixels = {
      width: 4,
      height: 1,
      data: new Uint8ClampedArray([0, 0, 0, 0, 9, 9, 9, 9, 254, 254, 254, 254, 255, 255, 255, 255]),
    };
    expect([...softZone(soft)]).toEqual([255, 255, 255, 0]);
  });
});

describe('keep outside the mask, feathered', () => {
  it('blends across the soft edge and keeps the original byte for byte beyond it', async () => {
    const out = await exportMask(strokes(W, H, inRect), 6);
    const [api, soft] = await Promise.all([decode(out.blob), decode(out.feathered!.soft)]);
    const original = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4).fill(200) };
    // What the model returned: new content wherever the API mask allowed it, the original elsewhere, drifted.
    const result = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) };
    for (let i = 0; i < W * H; i++)
      result.data.set(api.data[i * 4 + 3] === 0 ? [20, 40, 60, 255] : [201, 199, 202, 255], i * 4);
    const kept = compositeOutside(original, result, soft);
    let blended = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 4;
        const px = [...kept.data.subarray(i, i + 4)];
        const s = alphaAt(soft, x, y);
        if (s === 255) expect(px).toEqual([200, 200, 200, 200]);
        else if (s === 0) expect(px).toEqual([20, 40, 60, 255]);
        else {
          // On the soft edge: between the two, by the soft mask's alpha.
          expect(px[0]).toBe(Math.round(200 * (s / 255) + 20 * (1 - s / 255)));
          blended++;
        }
      }
    expect(blended).toBeGreaterThan(50);
  });
});
