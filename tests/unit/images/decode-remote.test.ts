import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  decodeRemotely,
  serveDecode,
  type DecodeRequest,
  type PictureMessage,
} from '../../../src/lib/images/decode-remote';
import { decodePngPreview } from '../../../src/lib/images/png-preview';
import type { DecoderApi } from '../../../src/lib/images/progressive';

function piecewise(
  bytes: Uint8Array,
  size: number,
  failAt?: number,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (failAt !== undefined && at >= failAt) return c.error(new TypeError('network error'));
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/**
 * Node has no ImageBitmap: these decoders' "picture" is a pixel buffer (transferable like one). PNGs go
 * through the real preview decoder; anything else to a stand-in ImageDecoder that records the bytes it got.
 */
function decoders() {
  const fullDecodes: number[] = [];
  class FakeDecoder {
    private readonly bytes: Promise<number>;
    constructor(init: ImageDecoderInit) {
      const reader = (init.data as ReadableStream<Uint8Array>).getReader();
      this.bytes = (async () => {
        let n = 0;
        for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.length;
        return n;
      })();
    }
    async decode() {
      const n = await this.bytes;
      fullDecodes.push(n);
      return { image: { n, close() {} } as unknown as VideoFrame, complete: true };
    }
    close() {}
  }
  const api: DecoderApi = {
    ImageDecoder: FakeDecoder as unknown as DecoderApi['ImageDecoder'],
    createImageBitmap: async () => new ArrayBuffer(8) as unknown as ImageBitmap,
    previewPng: async (bytes, width) => {
      const got = await decodePngPreview(bytes, width);
      if (got === null || got === 'unsupported') return got;
      return {
        // Its size as an ImageBitmap's (own properties do not cross a MessageChannel; the bytes do).
        picture: Object.assign(got.data.buffer, {
          width: got.width,
          height: got.height,
        }) as unknown as ImageBitmap,
        width: got.fullWidth,
        height: got.fullHeight,
      };
    },
  };
  return { api, fullDecodes };
}

/**
 * The stream worker's end, the decode worker's end (served for each request, with a stand-in thumbnail maker
 * when `thumbs`), and what reached the page's port.
 */
async function decode(
  bytes: ReadableStream<Uint8Array<ArrayBuffer>>,
  width: number | undefined,
  thumbs = false,
) {
  const { api, fullDecodes } = decoders();
  const served: Promise<void>[] = [];
  const scaled: { width: number; height: number }[] = [];
  const thumbnail = {
    scale: (_source: unknown, width: number, height: number) => {
      scaled.push({ width, height });
      return { small: true };
    },
    encode: async () => ({ blob: new Blob(['webp'], { type: 'image/webp' }), width: 256, height: 192 }),
  };
  const post = (r: DecodeRequest) =>
    served.push(serveDecode(r.bytes, r.picture, r.width, api, thumbs ? thumbnail : undefined));
  const { port, settled } = decodeRemotely(post, bytes, width);
  const messages: PictureMessage[] = [];
  port.onmessage = (e) => messages.push(e.data as PictureMessage);
  await settled;
  await Promise.all(served);
  await new Promise((r) => setTimeout(r, 20)); // the last message, posted just before 'settled'
  port.close();
  // The image's size comes first, as soon as its header is in (the card sizes its canvas), then the picture.
  const sizes = messages.filter((m) => m.t === 'size');
  const rest = messages.filter((m) => m.t !== 'size');
  const first = rest[0]!;
  if (first.t !== 'picture') throw new Error('the picture comes before anything but the size');
  return { message: first, messages: rest, sizes, fullDecodes, scaled };
}

const image = (w: number, h: number) =>
  sharp(Buffer.alloc(w * h * 3, 120), { raw: { width: w, height: h, channels: 3 } });

describe('decoding a final image in a worker of its own (the protocol)', () => {
  it('posts a PNG preview straight to the page port, with the image size, then settles', async () => {
    const png = await image(400, 300).png().toBuffer();
    const { message, sizes, fullDecodes } = await decode(piecewise(png, 1000), 100);
    expect(sizes).toEqual([{ t: 'size', width: 400, height: 300 }]);
    expect(message).toMatchObject({ t: 'picture', picture: { width: 400, height: 300 } });
    const pixels = new Uint8Array(message.picture!.picture as unknown as ArrayBuffer);
    expect(pixels.length).toBe(100 * 75 * 4);
    expect([...pixels.subarray(0, 4)]).toEqual([120, 120, 120, 255]);
    expect(fullDecodes).toEqual([]);
  });

  it('replays every byte to ImageDecoder for what the preview decoder refuses (a JPEG, an interlaced PNG)', async () => {
    const jpeg = await image(64, 48).jpeg().toBuffer();
    const a = await decode(piecewise(jpeg, 100), 16);
    expect(a.sizes).toEqual([{ t: 'size', width: 64, height: 48 }]); // from the JPEG's frame header
    expect(a.fullDecodes).toEqual([jpeg.length]);
    expect(a.message.picture).not.toBeNull();
    const interlaced = await image(64, 64).png({ progressive: true }).toBuffer();
    const b = await decode(piecewise(interlaced, 100), 16);
    expect(b.fullDecodes).toEqual([interlaced.length]);
    // No preview width: decoded at full size by ImageDecoder.
    const png = await image(64, 64).png().toBuffer();
    expect((await decode(piecewise(png, 100), undefined)).fullDecodes).toEqual([png.length]);
  });

  it('then the library thumbnail, made from the picture (scaled before it was sent, encoded after)', async () => {
    const png = await image(400, 300).png().toBuffer();
    const { messages, scaled } = await decode(piecewise(png, 1000), 100, true);
    expect(messages.map((m) => m.t)).toEqual(['picture', 'thumb']);
    expect(messages[0]).toMatchObject({ thumbFollows: true, picture: { width: 400, height: 300 } });
    expect(scaled).toEqual([{ width: 400, height: 300 }]);
    const thumb = messages[1] as Extract<PictureMessage, { t: 'thumb' }>;
    expect(thumb.thumb).toMatchObject({ width: 256, height: 192 });
    expect(await thumb.thumb!.blob.text()).toBe('webp');
    // Without a thumbnail maker, the picture alone.
    const alone = await decode(piecewise(png, 1000), 100);
    expect(alone.messages.map((m) => m.t)).toEqual(['picture']);
    expect(alone.message.thumbFollows).toBe(false);
  });

  it('posts no picture when the bytes stop arriving part way, and still settles', async () => {
    const png = await image(200, 200).png().toBuffer();
    const { message } = await decode(piecewise(png, 50, 150), 50);
    expect(message).toMatchObject({ t: 'picture', picture: null });
  });

  it('draws the picture on the card’s canvas when the page handed one over in time, then scales the thumbnail from it', async () => {
    const png = await image(400, 300).png().toBuffer();
    const { api } = decoders();
    // Ports driven by hand: a fake canvas (with methods) cannot cross a real MessageChannel.
    const posted: { m: PictureMessage; transfer: unknown[] }[] = [];
    const picturePort = {
      onmessage: null as ((e: MessageEvent) => void) | null,
      postMessage: (m: unknown, transfer: unknown[] = []) =>
        void posted.push({ m: m as PictureMessage, transfer }),
      close() {},
    };
    const bytesPort = {
      onmessage: null as ((e: MessageEvent) => void) | null,
      postMessage() {},
      close() {},
    };
    const drawn: unknown[][] = [];
    const canvas = {
      width: 300,
      height: 150,
      getContext: () => ({ drawImage: (...args: unknown[]) => void drawn.push(args) }),
    };
    const sources: unknown[] = [];
    const served = serveDecode(bytesPort, picturePort, 100, api, {
      scale: (source) => {
        sources.push(source);
        // By the time the thumbnail is scaled, the page has been told.
        expect(posted.map((p) => p.m.t)).toEqual(['size', 'picture']);
        return { small: true };
      },
      encode: async () => ({ blob: new Blob(['webp']), width: 256, height: 192 }),
    });
    picturePort.onmessage!({ data: { t: 'canvas', canvas, width: 100 } } as MessageEvent);
    for (let at = 0; at < png.length; at += 1000)
      bytesPort.onmessage!({ data: { t: 'bytes', bytes: png.subarray(at, at + 1000) } } as MessageEvent);
    bytesPort.onmessage!({ data: { t: 'end' } } as MessageEvent);
    await served;
    const picture = posted[1]!.m as Extract<PictureMessage, { t: 'picture' }>;
    expect(picture).toMatchObject({
      thumbFollows: true,
      picture: { painted: true, width: 400, height: 300 },
    });
    // Sized to the preview (100 × 75) and drawn once, at its own size.
    expect([canvas.width, canvas.height]).toEqual([100, 75]);
    expect(drawn).toEqual([[picture.picture!.picture, 0, 0]]);
    expect(sources).toEqual([canvas]);
    expect(posted.map((p) => p.m.t)).toEqual(['size', 'picture', 'thumb']);
  });

  it('does not draw on a canvas that comes after the picture was sent', async () => {
    const png = await image(64, 48).png().toBuffer();
    const { api } = decoders();
    const posted: PictureMessage[] = [];
    const picturePort = {
      onmessage: null as ((e: MessageEvent) => void) | null,
      postMessage: (m: unknown) => void posted.push(m as PictureMessage),
      close() {},
    };
    const bytesPort = { onmessage: null as ((e: MessageEvent) => void) | null, postMessage() {}, close() {} };
    const served = serveDecode(bytesPort, picturePort, 32, api);
    bytesPort.onmessage!({ data: { t: 'bytes', bytes: png } } as MessageEvent);
    bytesPort.onmessage!({ data: { t: 'end' } } as MessageEvent);
    await served;
    expect(picturePort.onmessage).toBeNull(); // no longer listening: a late canvas is not drawn on
    const message = posted.find((m) => m.t === 'picture') as Extract<PictureMessage, { t: 'picture' }>;
    expect(message.picture).not.toHaveProperty('painted');
    expect(message.picture).toMatchObject({ width: 64, height: 48 });
  });
});
