import { describe, expect, it } from 'vitest';
import {
  browserDecoderApi,
  decodeWhileArriving,
  paintScaled,
  scaledSize,
  showPicture,
  type DecoderApi,
} from '../../../src/lib/images/progressive';

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
const bytes = (...xs: number[]) => new Uint8Array(xs) as Uint8Array<ArrayBuffer>;

/** A byte stream the test feeds by hand. */
function source() {
  let ctl!: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>>;
  let cancelled: unknown = null;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start: (c) => void (ctl = c),
    cancel: (reason) => void (cancelled = reason ?? 'cancelled'),
  });
  return { stream, ctl, cancelled: () => cancelled };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A stand-in for WebCodecs' ImageDecoder: reads its stream as it arrives and records what it was given. */
function fakeApi(opts: { failDecode?: boolean } = {}) {
  const log = {
    constructed: [] as { type: string; at: number }[],
    received: [] as number[],
    ended: false,
    closed: 0,
    framesClosed: 0,
  };
  class FakeDecoder {
    private readonly done: Promise<void>;
    constructor(init: ImageDecoderInit) {
      log.constructed.push({ type: init.type, at: log.received.length });
      const reader = (init.data as ReadableStream<Uint8Array>).getReader();
      this.done = (async () => {
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
          log.received.push(...r.value);
        }
        log.ended = true;
      })();
    }
    async decode() {
      await this.done;
      if (opts.failDecode) throw new DOMException('bad data', 'EncodingError');
      return {
        image: { close: () => void log.framesClosed++ } as unknown as VideoFrame,
        complete: true,
      };
    }
    close() {
      log.closed++;
    }
  }
  const api: DecoderApi = {
    ImageDecoder: FakeDecoder as unknown as DecoderApi['ImageDecoder'],
    createImageBitmap: async () => ({ width: 1536, height: 1024 }) as ImageBitmap,
  };
  return { api, log };
}

describe('decodeWhileArriving', () => {
  it('starts the decoder on the first bytes and hands it every byte, in order, while they arrive', async () => {
    const { api, log } = fakeApi();
    const src = source();
    const result = decodeWhileArriving(src.stream, api);
    // The PNG signature split over several chunks: the type is known once 12 bytes are in.
    src.ctl.enqueue(bytes(...PNG_HEAD.slice(0, 3)));
    src.ctl.enqueue(bytes(...PNG_HEAD.slice(3, 10)));
    await tick();
    expect(log.constructed).toHaveLength(0);
    src.ctl.enqueue(bytes(...PNG_HEAD.slice(10), 1, 2, 3));
    await tick();
    expect(log.constructed).toEqual([{ type: 'image/png', at: 0 }]);
    expect(log.received).toEqual([...PNG_HEAD, 1, 2, 3]);
    src.ctl.enqueue(bytes(4, 5));
    await tick();
    // Still arriving: the decoder already has the new bytes.
    expect(log.received).toEqual([...PNG_HEAD, 1, 2, 3, 4, 5]);
    expect(log.ended).toBe(false);
    src.ctl.close();
    await expect(result).resolves.toEqual({ width: 1536, height: 1024 });
    expect(log.ended).toBe(true);
    expect(log.framesClosed).toBe(1);
    expect(log.closed).toBe(1);
  });

  it('knows JPEG and WebP by their bytes', async () => {
    const jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1];
    const webp = [0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50];
    for (const [head, type] of [
      [jpeg, 'image/jpeg'],
      [webp, 'image/webp'],
    ] as const) {
      const { api, log } = fakeApi();
      const src = source();
      const result = decodeWhileArriving(src.stream, api);
      src.ctl.enqueue(bytes(...head));
      src.ctl.close();
      await expect(result).resolves.not.toBeNull();
      expect(log.constructed[0]?.type).toBe(type);
    }
  });

  it('leaves other bytes alone (null, no decoder) and stops reading them', async () => {
    const { api, log } = fakeApi();
    const src = source();
    const result = decodeWhileArriving(src.stream, api);
    src.ctl.enqueue(bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0, 0, 0, 0, 0)); // GIF
    await expect(result).resolves.toBeNull();
    expect(log.constructed).toHaveLength(0);
    expect(src.cancelled()).not.toBeNull();
  });

  it('is null when the bytes stop short (the stream errors) or the decoder refuses them', async () => {
    const cut = fakeApi();
    const src = source();
    const result = decodeWhileArriving(src.stream, cut.api);
    src.ctl.enqueue(bytes(...PNG_HEAD, 9));
    await tick();
    src.ctl.error(new Error('cut'));
    await expect(result).resolves.toBeNull();

    const refused = fakeApi({ failDecode: true });
    const src2 = source();
    const result2 = decodeWhileArriving(src2.stream, refused.api);
    src2.ctl.enqueue(bytes(...PNG_HEAD));
    src2.ctl.close();
    await expect(result2).resolves.toBeNull();
    expect(refused.log.closed).toBe(1);

    const early = fakeApi();
    const src3 = source();
    const result3 = decodeWhileArriving(src3.stream, early.api);
    src3.ctl.error(new Error('cut at once'));
    await expect(result3).resolves.toBeNull();
    expect(early.log.constructed).toHaveLength(0);
  });
});

describe('browserDecoderApi', () => {
  it('is null without WebCodecs (as in Node) and wraps the scope’s functions when present', async () => {
    expect(browserDecoderApi({ createImageBitmap: () => null })).toBeNull();
    expect(browserDecoderApi({ ImageDecoder: class {} })).toBeNull();
    const scope = {
      ImageDecoder: class {},
      createImageBitmap(this: unknown, frame: unknown) {
        return Promise.resolve({ self: this, frame });
      },
    };
    const api = browserDecoderApi(scope);
    expect(api?.ImageDecoder).toBe(scope.ImageDecoder);
    const frame = {} as VideoFrame;
    await expect(api!.createImageBitmap(frame)).resolves.toEqual({ self: scope, frame });
  });
});

describe('scaledSize and paintScaled', () => {
  it('sizes the canvas to the shown width times the pixel ratio, never above the picture', () => {
    expect(scaledSize(1536, 1536, 640, 1)).toEqual({ width: 640, height: 640 });
    expect(scaledSize(1536, 1024, 640, 2)).toEqual({ width: 1280, height: 853 });
    expect(scaledSize(1024, 1536, 640, 3)).toEqual({ width: 1024, height: 1536 });
    expect(scaledSize(1536, 1024, 319.5, 1)).toEqual({ width: 320, height: 213 });
    // Not laid out yet (width 0): the full picture rather than nothing.
    expect(scaledSize(1536, 1024, 0, 1)).toEqual({ width: 1536, height: 1024 });
    expect(scaledSize(0, 0, 640, 1)).toEqual({ width: 0, height: 0 });
  });

  it('draws the picture once, scaled into the whole canvas', () => {
    const calls: unknown[][] = [];
    const ctx = {
      imageSmoothingEnabled: false,
      imageSmoothingQuality: 'high' as ImageSmoothingQuality,
      drawImage: (...args: unknown[]) => void calls.push(args),
    };
    const canvas = { width: 300, height: 150, getContext: () => ctx };
    const picture = { width: 1536, height: 1024 } as ImageBitmap;
    expect(paintScaled(canvas, picture, 640, 1.5)).toBe(true);
    expect([canvas.width, canvas.height]).toEqual([960, 640]);
    expect(calls).toEqual([[picture, 0, 0, 960, 640]]);
    expect(ctx.imageSmoothingEnabled).toBe(true);
    expect(ctx.imageSmoothingQuality).toBe('low');
    expect(paintScaled({ width: 0, height: 0, getContext: () => null }, picture, 640, 1)).toBe(false);
  });

  it('hands a picture about the shown size to a bitmap renderer as it is, and draws a much larger one scaled', () => {
    const handed: unknown[] = [];
    const drawn: unknown[][] = [];
    const canvasWith = () => {
      const canvas = {
        width: 300,
        height: 150,
        getContext: ((id: string) =>
          id === 'bitmaprenderer'
            ? { transferFromImageBitmap: (b: ImageBitmap) => void handed.push(b) }
            : {
                imageSmoothingEnabled: false,
                imageSmoothingQuality: 'high',
                drawImage: (...args: unknown[]) => void drawn.push(args),
              }) as never,
      };
      return canvas;
    };
    // A 768² preview shown 640 px wide: no draw, the canvas takes the picture's own size (CSS scales it).
    const preview = { width: 768, height: 768 } as ImageBitmap;
    const a = canvasWith();
    expect(showPicture(a, preview, 640, 1)).toBe(true);
    expect(handed).toEqual([preview]);
    expect([a.width, a.height]).toEqual([768, 768]);
    expect(drawn).toEqual([]);
    // A full-size 1536² picture for the same card is drawn at 640 (compositing it full size costs every frame).
    const full = { width: 1536, height: 1536 } as ImageBitmap;
    const b = canvasWith();
    expect(showPicture(b, full, 640, 1)).toBe(true);
    expect(handed).toHaveLength(1);
    expect(drawn).toEqual([[full, 0, 0, 640, 640]]);
    expect([b.width, b.height]).toEqual([640, 640]);
  });
});
