import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageResponse, type GenerationEvent } from '../../../src/lib/api/images';
import { StreamError } from '../../../src/lib/api/errors';
import type { DecoderApi } from '../../../src/lib/images/progressive';
import { decodePngPreview } from '../../../src/lib/images/png-preview';

/** PNG-signed bytes, long enough (4 KB of base64) to be lifted out of the stream. */
const png = (n = 3000) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(n)]);

const partial = (b: Buffer) => ({
  type: 'image_generation.partial_image',
  b64_json: b.toString('base64'),
  partial_image_index: 0,
  output_format: 'png',
});
const completed = (b: Buffer) => ({
  type: 'image_generation.completed',
  b64_json: b.toString('base64'),
  output_format: 'png',
  usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
});

/** An SSE response sent in pieces of `chunk` characters; `cutAt` errors the body after that many. */
function sseResponse(events: object[], opts: { chunk?: number; cutAt?: number } = {}): Response {
  const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
  const end = opts.cutAt ?? text.length;
  const step = opts.chunk ?? 1000;
  const enc = new TextEncoder();
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at < end) {
        c.enqueue(enc.encode(text.slice(at, Math.min(end, at + step))));
        at += step;
      } else if (opts.cutAt !== undefined) c.error(new TypeError('network error'));
      else c.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** WebCodecs stand-in: records what each decoder was given; its picture is {decoded: bytes}. */
function fakeDecoders() {
  const made: { type: string; bytes: number[]; closed: boolean }[] = [];
  class FakeDecoder {
    private readonly done: Promise<number[]>;
    private readonly rec: (typeof made)[number];
    constructor(init: ImageDecoderInit) {
      const rec = { type: init.type, bytes: [] as number[], closed: false };
      this.rec = rec;
      made.push(rec);
      const reader = (init.data as ReadableStream<Uint8Array>).getReader();
      this.done = (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) rec.bytes.push(...r.value);
        return rec.bytes;
      })();
    }
    async decode() {
      const bytes = await this.done;
      return { image: { bytes, close() {} } as unknown as VideoFrame, complete: true };
    }
    close() {
      this.rec.closed = true;
    }
  }
  const api: DecoderApi = {
    ImageDecoder: FakeDecoder as unknown as DecoderApi['ImageDecoder'],
    createImageBitmap: async (frame) =>
      ({
        decoded: Buffer.from((frame as unknown as { bytes: number[] }).bytes),
        close() {},
      }) as unknown as ImageBitmap,
  };
  return { api, made };
}

/** Reads every event into `into` (kept when the stream then fails). */
async function collectInto(into: GenerationEvent[], res: Response): Promise<void> {
  for await (const ev of readImageResponse(res, {})) into.push(ev);
}

async function collect(res: Response, api: DecoderApi | null, decodeWhileStreaming = true) {
  const events: GenerationEvent[] = [];
  for await (const ev of readImageResponse(res, { decodeWhileStreaming, decoderApi: api })) events.push(ev);
  return events;
}

describe('readImageResponse: a stream that ends without its final image', () => {
  it.each([
    ['without [DONE]', false],
    ['with [DONE]', true],
  ])('yields the partials, then fails as incomplete (%s)', async (_name, done) => {
    const partials = [png(500), png(600)];
    const events = [partial(partials[0]!), { ...partial(partials[1]!), partial_image_index: 1 }];
    const res = done
      ? new Response(`${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`, {
          headers: { 'content-type': 'text/event-stream' },
        })
      : sseResponse(events, { chunk: 333 });
    const seen: GenerationEvent[] = [];
    const error = await collectInto(seen, res).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).kind).toBe('incomplete');
    expect((error as StreamError).message).toMatch(/ended before the final image/);
    expect(seen.map((e) => e.kind)).toEqual(['partial', 'partial']);
    const last = seen[1] as Extract<GenerationEvent, { kind: 'partial' }>;
    expect(last.partialIndex).toBe(1);
    expect(Buffer.from(await last.image.arrayBuffer())).toEqual(partials[1]);
  });
});

describe('readImageResponse: decoding a final image while it streams', () => {
  it('hands the final image event the picture decoded from exactly its bytes; partials are not decoded', async () => {
    const { api, made } = fakeDecoders();
    const p = png(1000);
    const f = png(30_000);
    const events = await collect(sseResponse([partial(p), completed(f)], { chunk: 4096 }), api);
    expect(events.map((e) => e.kind)).toEqual(['partial', 'image', 'done']);
    expect(events[0]).not.toHaveProperty('decoded');
    const image = events[1] as Extract<GenerationEvent, { kind: 'image' }>;
    const picture = (await image.decoded)?.picture as unknown as { decoded: Buffer };
    expect(picture.decoded.equals(f)).toBe(true);
    // The Blob (for Download/Copy) still holds the same exact bytes.
    expect(Buffer.from(await image.image.arrayBuffer()).equals(f)).toBe(true);
    expect(image.image.type).toBe('image/png');
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ type: 'image/png', closed: true });
  });

  it('does nothing of the kind unless asked, or where the browser has no ImageDecoder', async () => {
    const { api, made } = fakeDecoders();
    const off = await collect(sseResponse([completed(png())]), api, false);
    expect(off[0]).not.toHaveProperty('decoded');
    const missing = await collect(sseResponse([completed(png())]), null);
    expect(missing[0]).not.toHaveProperty('decoded');
    expect(made).toHaveLength(0);
  });

  it('a stream cut inside the final image stops its decoder; the error is the cut, as before', async () => {
    const { api, made } = fakeDecoders();
    const f = png(30_000);
    const res = sseResponse([partial(png(500)), completed(f)], { chunk: 2048, cutAt: 20_000 });
    await expect(collect(res, api)).rejects.toBeInstanceOf(StreamError);
    await expect.poll(() => made[0]?.closed).toBe(true);
    expect(made[0]!.bytes.length).toBeLessThan(f.length);
  });

  it('with a preview width, decodes a PNG straight to about that width and keeps the image size apart', async () => {
    const { api, made } = fakeDecoders();
    const previews: { width: number; height: number }[] = [];
    // The preview decoder itself, on this thread, with a stand-in for createImageBitmap.
    const withPreview: DecoderApi = {
      ...api,
      previewPng: async (bytes, width) => {
        const got = await decodePngPreview(bytes, width);
        if (got === null || got === 'unsupported') return got;
        previews.push({ width: got.width, height: got.height });
        const picture = { width: got.width, height: got.height, close() {} } as unknown as ImageBitmap;
        return { picture, width: got.fullWidth, height: got.fullHeight };
      },
    };
    const raw = { raw: { width: 300, height: 200, channels: 3 as const } };
    const real = await sharp(Buffer.alloc(300 * 200 * 3, 90), raw)
      .png()
      .toBuffer();
    const events: GenerationEvent[] = [];
    const res = sseResponse([completed(real)], { chunk: 700 });
    for await (const ev of readImageResponse(res, {
      decodeWhileStreaming: true,
      decoderApi: withPreview,
      previewWidth: 100,
    }))
      events.push(ev);
    const image = events[0] as Extract<GenerationEvent, { kind: 'image' }>;
    const shown = await image.decoded;
    expect(shown).toMatchObject({ width: 300, height: 200, picture: { width: 100, height: 67 } });
    expect(previews).toEqual([{ width: 100, height: 67 }]);
    expect(made).toHaveLength(0); // ImageDecoder not needed

    // Not a PNG (a JPEG): ImageDecoder decodes it at full size, as without a preview width.
    const jpeg = await sharp(Buffer.alloc(300 * 200 * 3, 90), raw)
      .jpeg()
      .toBuffer();
    const again: GenerationEvent[] = [];
    const res2 = sseResponse([{ ...completed(jpeg), output_format: 'jpeg' }], { chunk: 700 });
    for await (const ev of readImageResponse(res2, {
      decodeWhileStreaming: true,
      decoderApi: withPreview,
      previewWidth: 100,
    }))
      again.push(ev);
    const jpegShown = await (again[0] as Extract<GenerationEvent, { kind: 'image' }>).decoded;
    expect((jpegShown?.picture as unknown as { decoded: Buffer }).decoded.equals(jpeg)).toBe(true);
    expect(made).toHaveLength(1);
    expect(previews).toHaveLength(1);
  });
});
