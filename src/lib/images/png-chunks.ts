/**
 * A PNG's chunks, read from its bytes in whatever pieces they arrive (for png-preview.ts): the header, palette
 * and transparency whole, the compressed image data passed on as it comes. Pure: runs in Node.
 */

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/**
 * Not a PNG, or a PNG the preview decoder does not handle (interlaced, under 8 bits per sample): the caller
 * decodes it another way.
 */
export class UnsupportedPng extends Error {}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const u32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const chunkType = (b: Uint8Array, at: number) =>
  String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

export interface ChunkHandlers {
  header(h: PngHeader): void;
  palette(body: Uint8Array): void;
  transparency(body: Uint8Array): void;
  /** Compressed image data: the IDAT bodies of one `push`, joined. */
  data(bytes: Uint8Array): void;
}

/**
 * Splits PNG bytes, in whatever pieces they arrive, into the chunks the decoder needs. Image data is passed on as
 * it comes; the small chunks (header, palette, transparency) whole. CRCs are not checked: a damaged image fails
 * its inflate or ends short, and the <img> shows the browser's own verdict.
 */
export class PngChunks {
  private signature = 0;
  /** Bytes of a chunk's 8-byte head (length + type) or 4-byte CRC not yet complete. */
  private carry = new Uint8Array(8);
  private carried = 0;
  private stage: 'signature' | 'head' | 'body' | 'crc' | 'end' = 'signature';
  private type = '';
  private left = 0;
  private small: Uint8Array | null = null;
  private smallAt = 0;
  private sawHeader = false;

  constructor(private readonly on: ChunkHandlers) {}

  /** True once the IEND chunk has been read. */
  get ended(): boolean {
    return this.stage === 'end';
  }

  push(bytes: Uint8Array): void {
    const data: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length && this.stage !== 'end') {
      if (this.stage === 'signature') {
        if (bytes[at++] !== SIGNATURE[this.signature++]) throw new UnsupportedPng('not a PNG');
        if (this.signature === SIGNATURE.length) this.stage = 'head';
        continue;
      }
      if (this.stage === 'head' || this.stage === 'crc') {
        const need = this.stage === 'head' ? 8 : 4;
        const take = Math.min(need - this.carried, bytes.length - at);
        this.carry.set(bytes.subarray(at, at + take), this.carried);
        this.carried += take;
        at += take;
        if (this.carried < need) break;
        this.carried = 0;
        if (this.stage === 'crc') {
          this.stage = this.type === 'IEND' ? 'end' : 'head';
          continue;
        }
        this.left = u32(this.carry, 0);
        this.type = chunkType(this.carry, 4);
        if (!this.sawHeader && this.type !== 'IHDR')
          throw new Error('The PNG does not start with its header.');
        const keep = this.type === 'IHDR' || this.type === 'PLTE' || this.type === 'tRNS';
        this.small = keep ? new Uint8Array(this.left) : null;
        this.smallAt = 0;
        this.stage = 'body';
        if (this.left === 0) this.endBody();
        continue;
      }
      // stage 'body'
      const take = Math.min(this.left, bytes.length - at);
      const piece = bytes.subarray(at, at + take);
      if (this.type === 'IDAT') data.push(piece);
      else if (this.small) this.small.set(piece, this.smallAt);
      this.smallAt += take;
      this.left -= take;
      at += take;
      if (this.left === 0) {
        if (data.length) this.flush(data);
        this.endBody();
      }
    }
    if (data.length) this.flush(data);
  }

  private flush(data: Uint8Array[]): void {
    if (data.length === 1) this.on.data(data[0]!);
    else {
      const joined = new Uint8Array(data.reduce((n, d) => n + d.length, 0));
      let at = 0;
      for (const d of data) {
        joined.set(d, at);
        at += d.length;
      }
      this.on.data(joined);
    }
    data.length = 0;
  }

  private endBody(): void {
    this.stage = 'crc';
    const body = this.small;
    this.small = null;
    if (this.type === 'IHDR' && body) {
      if (body.length < 13) throw new Error('The PNG header is too short.');
      this.sawHeader = true;
      this.on.header({
        width: u32(body, 0),
        height: u32(body, 4),
        bitDepth: body[8]!,
        colorType: body[9]!,
        interlaced: body[12] !== 0,
      });
    } else if (this.type === 'PLTE' && body) this.on.palette(body);
    else if (this.type === 'tRNS' && body) this.on.transparency(body);
  }
}
