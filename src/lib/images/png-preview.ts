/**
 * A streamed PNG decoded while its bytes arrive, straight into a smaller picture: the size the result card shows.
 *
 * A final image is a 4–8 MB PNG. Chromium's ImageDecoder decodes a non-interlaced PNG only once its last byte is
 * in (~170–200 ms for 1536² on a small machine), and drawing that full-size picture scaled down costs more again.
 * This decoder works row by row as the bytes come: the compressed data goes through the browser's own inflate
 * (DecompressionStream), each row is unfiltered and averaged into a picture `factor` times smaller on each side
 * (a box filter, with alpha-weighted colour so transparent areas leave no dark fringe). When the last byte lands
 * only its rows are left. The full image is still shown by an <img> a moment later; this is for the first paint
 * and for the library's thumbnail.
 *
 * Pure: the chunk reader (png-chunks.ts) and the row scaler take bytes and give bytes, so they run in Node.
 * `decodePngPreview` wires them to a byte stream and the browser's inflate stream (DecompressionStream).
 */
import { PngChunks, UnsupportedPng, type PngHeader } from './png-chunks';

/** The downscaled picture: RGBA, `width` × `height`; the image's own size is `fullWidth` × `fullHeight`. */
export interface Preview {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
  fullWidth: number;
  fullHeight: number;
}

/** Larger than any image model's output: a header beyond it is refused rather than allocated for. */
const MAX_EDGE = 16384;
/** Samples per pixel by colour type: grey, RGB, palette, grey + alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The integer factor that shrinks `width` to no less than `target` pixels (1: full size). */
export function previewFactor(width: number, target: number): number {
  return target > 0 ? Math.max(1, Math.floor(width / target)) : 1;
}

/** Why this decoder cannot do a PNG with this header, or null when it can. */
export function unsupported(h: PngHeader): string | null {
  if (h.interlaced) return 'interlaced';
  if (CHANNELS[h.colorType] === undefined) return `colour type ${h.colorType}`;
  const depthOk = h.colorType === 3 ? h.bitDepth === 8 : h.bitDepth === 8 || h.bitDepth === 16;
  if (!depthOk) return `${h.bitDepth} bits per sample`;
  if (!(h.width > 0 && h.height > 0 && h.width <= MAX_EDGE && h.height <= MAX_EDGE))
    return `${h.width} × ${h.height} pixels`;
  return null;
}

/**
 * Takes a PNG's inflated scanlines as they come and builds the downscaled RGBA picture: unfilters each row,
 * turns it into RGBA, and adds it into per-column sums; every `factor` rows the sums become one output row.
 */
export class PreviewRows {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray<ArrayBuffer>;
  private readonly factor: number;
  private readonly bpp: number;
  private readonly stride: number;
  private readonly kind: 'rgb8' | 'rgba8' | 'other';
  private cur: Uint8Array;
  private prev: Uint8Array;
  private filled = 0;
  private row = 0;
  private readonly rgba: Uint8Array;
  /** Per output column: alpha-weighted R, G, B sums and the alpha sum. */
  private readonly sums: Float64Array;
  /** Per output column: how many image columns it averages (`factor`, fewer in the last). */
  private readonly cols: Uint8Array | Uint16Array;
  private readonly lut: Uint8Array | null = null;

  constructor(
    private readonly h: PngHeader,
    target: number,
    palette: Uint8Array | null = null,
    transparency: Uint8Array | null = null,
  ) {
    const refused = unsupported(h);
    if (refused) throw new UnsupportedPng(refused);
    if (h.colorType === 3 && !palette) throw new Error('The PNG has no palette.');
    const channels = CHANNELS[h.colorType]!;
    this.factor = previewFactor(h.width, target);
    this.width = Math.ceil(h.width / this.factor);
    this.height = Math.ceil(h.height / this.factor);
    this.data = new Uint8ClampedArray(this.width * this.height * 4);
    this.bpp = channels * (h.bitDepth / 8);
    this.stride = h.width * this.bpp;
    this.cur = new Uint8Array(this.stride + 1);
    this.prev = new Uint8Array(this.stride + 1);
    this.rgba = new Uint8Array(h.width * 4);
    this.sums = new Float64Array(this.width * 4);
    this.cols = this.factor < 256 ? new Uint8Array(this.width) : new Uint16Array(this.width);
    for (let ox = 0; ox < this.width; ox++)
      this.cols[ox] = Math.min(h.width, (ox + 1) * this.factor) - ox * this.factor;
    this.kind =
      h.bitDepth !== 8 ? 'other' : h.colorType === 2 ? 'rgb8' : h.colorType === 6 ? 'rgba8' : 'other';
    if (h.colorType === 3 && palette) {
      const lut = new Uint8Array(256 * 4);
      for (let i = 0; i < 256; i++) {
        lut[i * 4] = palette[i * 3] ?? 0;
        lut[i * 4 + 1] = palette[i * 3 + 1] ?? 0;
        lut[i * 4 + 2] = palette[i * 3 + 2] ?? 0;
        lut[i * 4 + 3] = transparency?.[i] ?? 255;
      }
      this.lut = lut;
    }
  }

  get fullWidth(): number {
    return this.h.width;
  }

  get fullHeight(): number {
    return this.h.height;
  }

  /** True once every row has been read. */
  get done(): boolean {
    return this.row >= this.h.height;
  }

  push(bytes: Uint8Array): void {
    let at = 0;
    const rowBytes = this.stride + 1;
    while (at < bytes.length && !this.done) {
      const take = Math.min(rowBytes - this.filled, bytes.length - at);
      this.cur.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled < rowBytes) break;
      this.filled = 0;
      this.unfilter();
      this.accumulate();
      const swap = this.prev;
      this.prev = this.cur;
      this.cur = swap;
      this.row++;
      if (this.row % this.factor === 0 || this.done) this.emit();
    }
    if (at < bytes.length && this.done) throw new Error('The PNG has more image data than rows.');
  }

  /** Undoes the row's filter in place (`cur[1..]`, against `prev[1..]`); cur[0] is the filter type. */
  private unfilter(): void {
    const c = this.cur;
    const p = this.prev;
    const n = this.stride + 1;
    const bpp = this.bpp;
    // Before the first row `prev` is all zeros, which is what the filters take the row above to be.
    switch (c[0]!) {
      case 0:
        return;
      case 1:
        for (let i = 1 + bpp; i < n; i++) c[i] = c[i]! + c[i - bpp]!;
        return;
      case 2:
        for (let i = 1; i < n; i++) c[i] = c[i]! + p[i]!;
        return;
      case 3:
        for (let i = 1; i < n; i++) {
          const left = i > bpp ? c[i - bpp]! : 0;
          c[i] = c[i]! + ((p[i]! + left) >> 1);
        }
        return;
      case 4:
        for (let i = 1; i < n; i++) {
          const a = i > bpp ? c[i - bpp]! : 0;
          const b = p[i]!;
          const cc = i > bpp ? p[i - bpp]! : 0;
          const est = a + b - cc;
          const pa = Math.abs(est - a);
          const pb = Math.abs(est - b);
          const pc = Math.abs(est - cc);
          c[i] = c[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : cc);
        }
        return;
      default:
        throw new Error(`Unknown PNG filter ${c[0]!}.`);
    }
  }

  /** Adds the row (unfiltered, in `cur`) into the column sums. */
  private accumulate(): void {
    const s = this.sums;
    const k = this.factor;
    const w = this.h.width;
    const row = this.cur;
    if (this.kind === 'rgb8') {
      // Opaque: alpha 255 everywhere, so the weighted sums are 255 × the colour sums.
      for (let ox = 0, x = 0; ox < this.width; ox++) {
        const end = Math.min(w, x + k);
        let r = 0;
        let g = 0;
        let b = 0;
        const n = end - x;
        for (let i = 1 + x * 3; x < end; x++, i += 3) {
          r += row[i]!;
          g += row[i + 1]!;
          b += row[i + 2]!;
        }
        const o = ox * 4;
        s[o] = s[o]! + r * 255;
        s[o + 1] = s[o + 1]! + g * 255;
        s[o + 2] = s[o + 2]! + b * 255;
        s[o + 3] = s[o + 3]! + n * 255;
      }
      return;
    }
    const px = this.kind === 'rgba8' ? row.subarray(1) : this.toRgba();
    for (let ox = 0, x = 0; ox < this.width; ox++) {
      const end = Math.min(w, x + k);
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let i = x * 4; x < end; x++, i += 4) {
        const al = px[i + 3]!;
        r += px[i]! * al;
        g += px[i + 1]! * al;
        b += px[i + 2]! * al;
        a += al;
      }
      const o = ox * 4;
      s[o] = s[o]! + r;
      s[o + 1] = s[o + 1]! + g;
      s[o + 2] = s[o + 2]! + b;
      s[o + 3] = s[o + 3]! + a;
    }
  }

  /** The row (unfiltered) as 8-bit RGBA, for the colour types and depths without a loop of their own. */
  private toRgba(): Uint8Array {
    const src = this.cur;
    const out = this.rgba;
    const w = this.h.width;
    const wide = this.h.bitDepth === 16 ? 2 : 1; // 16-bit samples: the high byte
    const ct = this.h.colorType;
    for (let x = 0, o = 0; x < w; x++, o += 4) {
      const i = 1 + x * this.bpp;
      if (ct === 3) {
        const e = src[i]! * 4;
        const lut = this.lut!;
        out[o] = lut[e]!;
        out[o + 1] = lut[e + 1]!;
        out[o + 2] = lut[e + 2]!;
        out[o + 3] = lut[e + 3]!;
      } else if (ct === 0 || ct === 4) {
        const v = src[i]!;
        out[o] = out[o + 1] = out[o + 2] = v;
        out[o + 3] = ct === 4 ? src[i + wide]! : 255;
      } else {
        out[o] = src[i]!;
        out[o + 1] = src[i + wide]!;
        out[o + 2] = src[i + 2 * wide]!;
        out[o + 3] = ct === 6 ? src[i + 3 * wide]! : 255;
      }
    }
    return out;
  }

  /** Turns the column sums into the next output row and clears them. */
  private emit(): void {
    const k = this.factor;
    const oy = Math.ceil(this.row / k) - 1;
    const rows = this.row - oy * k;
    const out = this.data;
    const s = this.sums;
    const cols = this.cols;
    const n = this.width;
    // (v + 0.5) | 0 is Math.round for these non-negative values, without the call.
    for (let ox = 0, o = oy * n * 4, i = 0; ox < n; ox++, o += 4, i += 4) {
      const a = s[i + 3]!;
      if (a > 0) {
        out[o] = (s[i]! / a + 0.5) | 0;
        out[o + 1] = (s[i + 1]! / a + 0.5) | 0;
        out[o + 2] = (s[i + 2]! / a + 0.5) | 0;
        out[o + 3] = (a / (cols[ox]! * rows) + 0.5) | 0;
      }
    }
    s.fill(0);
  }
}

/**
 * Reads a PNG from `bytes` as they arrive and resolves to its picture `previewFactor(width, target)` times
 * smaller. 'unsupported' (decided from the first bytes and the header, before more is read) when the bytes are
 * not a PNG or this decoder does not handle the kind of PNG they are; null when the bytes are not a complete,
 * valid PNG. Never rejects. Inflating is the browser's own (DecompressionStream, zlib format).
 */
export async function decodePngPreview(
  bytes: ReadableStream<Uint8Array>,
  target: number,
): Promise<Preview | 'unsupported' | null> {
  const reader = bytes.getReader();
  const zlib = new DecompressionStream('deflate') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const writer = zlib.writable.getWriter();
  // What the chunks so far said (an object: the handlers below fill it in).
  const got: {
    header: PngHeader | null;
    palette: Uint8Array | null;
    transparency: Uint8Array | null;
    rows: PreviewRows | null;
  } = { header: null, palette: null, transparency: null, rows: null };
  const chunks = new PngChunks({
    header: (h) => {
      got.header = h;
      // The header alone tells whether this decoder can do it: decide before reading on.
      const refused = unsupported(h);
      if (refused) throw new UnsupportedPng(refused);
    },
    palette: (b) => (got.palette = b),
    transparency: (b) => (got.transparency = b),
    data: (b) => {
      got.rows ??= new PreviewRows(got.header!, target, got.palette, got.transparency);
      writer.write(b).catch(() => {}); // a failure shows on the readable side
    },
  });
  // The inflated rows are taken as the decompressor gives them, while more compressed bytes are written.
  const inflated = (async () => {
    const out = zlib.readable.getReader();
    for (;;) {
      const r = await out.read();
      if (r.done) return;
      got.rows!.push(r.value);
    }
  })();
  inflated.catch(() => {}); // awaited below
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
      if (chunks.ended) break;
    }
    if (!chunks.ended || !got.rows) throw new Error('The PNG ended early.');
    await writer.close();
    await inflated;
    const done = got.rows;
    if (!done.done) return null;
    return {
      width: done.width,
      height: done.height,
      data: done.data,
      fullWidth: done.fullWidth,
      fullHeight: done.fullHeight,
    };
  } catch (e) {
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
    return e instanceof UnsupportedPng ? 'unsupported' : null;
  }
}
