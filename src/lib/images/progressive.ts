/**
 * Decoding an image while its bytes are still arriving, so that when the last byte lands only the tail is left.
 *
 * A final image is a multi-MB PNG (or JPEG/WebP) that reaches the page over a second or more. Handed to an <img>
 * as a Blob once complete, Chromium decodes all of it only then: ~0.4–0.9 s for a 1536² PNG on a slow machine.
 * WebCodecs' ImageDecoder reads a ReadableStream and decodes as data comes in (off the main thread), so its
 * decode() resolves a few ms after the last byte. The picture is then painted, scaled to the size it is shown
 * at, on a canvas (`paintScaled`); see ResultCard for how the <img> takes over once the browser has decoded it.
 *
 * Everything here takes the browser APIs as parameters, so it runs in Node with fakes.
 */
import { sniffImageType, type ImageMime } from './bytes';
import { decodePngPreview } from './png-preview';

/** The browser APIs this needs (WebCodecs' ImageDecoder and createImageBitmap). */
export interface DecoderApi {
  ImageDecoder: new (init: ImageDecoderInit) => Pick<ImageDecoder, 'decode' | 'close'>;
  createImageBitmap: (frame: VideoFrame) => Promise<ImageBitmap>;
  /**
   * Decodes a PNG whose bytes `bytes` streams to a picture about `width` pixels wide (png-preview.ts), on
   * the thread that reads the stream.
   * 'unsupported' hands the image to ImageDecoder. Absent where there is no ImageData or DecompressionStream.
   */
  previewPng?: (
    bytes: ReadableStream<Uint8Array>,
    width: number,
  ) => Promise<DecodedPicture | 'unsupported' | null>;
}

/**
 * A picture decoded for display, and the pixel size of the image it shows: a PNG preview is smaller than the
 * image (see png-preview.ts), a picture from ImageDecoder is the image's own size.
 */
export interface DecodedPicture {
  picture: ImageBitmap;
  width: number;
  height: number;
  /**
   * The library's thumbnail (lib/library/thumbnail.ts), made from the picture where it was decoded (the decode
   * worker), so that saving the image needs no decode or encode on the page. Absent elsewhere.
   */
  thumb?: Promise<{ blob: Blob; width: number; height: number } | null>;
  /** The decode worker already drew it on the canvas the card handed over (images/decode-remote.ts). */
  painted?: boolean;
}

/** Formats the Image API returns; anything else (or unknown bytes) is left to the <img>. */
const STREAMABLE: ReadonlySet<ImageMime> = new Set(['image/png', 'image/jpeg', 'image/webp']);
/** How many new bytes make it worth asking the decoder for the rows so far (see decodeWhileArriving). */
const PARTIAL_DECODE_BYTES = 512 * 1024;
/** Enough leading bytes to tell PNG, JPEG and WebP apart. */
const SNIFF_BYTES = 12;

/** The browser's decoder; null where ImageDecoder (WebCodecs) or createImageBitmap is missing. */
export function browserDecoderApi(scope: object = globalThis): DecoderApi | null {
  const g = scope as { ImageDecoder?: unknown; createImageBitmap?: unknown };
  if (typeof g.ImageDecoder !== 'function' || typeof g.createImageBitmap !== 'function') return null;
  const createImageBitmap = g.createImageBitmap as (source: VideoFrame | ImageData) => Promise<ImageBitmap>;
  const s = scope as { ImageData?: typeof ImageData; DecompressionStream?: unknown };
  const ImageDataOf = typeof s.DecompressionStream === 'function' ? s.ImageData : undefined;
  // Pixels → picture: through an OffscreenCanvas where there is one (createImageBitmap of an ImageData took
  // 50–85 ms for 768² in the decode worker on a 2-core machine; putImageData + transferToImageBitmap a few).
  const Offscreen = (scope as { OffscreenCanvas?: typeof OffscreenCanvas }).OffscreenCanvas;
  const pixelsToPicture = async (pixels: ImageData): Promise<ImageBitmap> => {
    const ctx = Offscreen ? new Offscreen(pixels.width, pixels.height).getContext('2d') : null;
    if (!ctx) return createImageBitmap.call(scope, pixels);
    ctx.putImageData(pixels, 0, 0);
    return ctx.canvas.transferToImageBitmap();
  };
  return {
    ImageDecoder: g.ImageDecoder as DecoderApi['ImageDecoder'],
    createImageBitmap: (frame) => createImageBitmap.call(scope, frame),
    ...(ImageDataOf
      ? {
          previewPng: async (bytes: ReadableStream<Uint8Array>, width: number) => {
            const got = await decodePngPreview(bytes, width);
            if (got === null || got === 'unsupported') return got;
            const picture = await pixelsToPicture(new ImageDataOf(got.data, got.width, got.height)).catch(
              () => null,
            );
            return picture && { picture, width: got.fullWidth, height: got.fullHeight };
          },
        }
      : {}),
  };
}

/**
 * The picture to show for an image whose bytes `source` streams (each `stream()` call replays them from the
 * start): a PNG goes through the preview decoder, `previewWidth` device pixels wide or a little more, where it
 * can run; anything else, or a PNG it does not handle, through ImageDecoder at full size. Null as for
 * `decodeWhileArriving`; never rejects.
 */
export async function pictureWhileArriving(
  source: { stream(): ReadableStream<Uint8Array<ArrayBuffer>> },
  api: DecoderApi,
  previewWidth?: number,
): Promise<DecodedPicture | null> {
  if (previewWidth && api.previewPng) {
    const preview = await api.previewPng(source.stream(), previewWidth).catch(() => null);
    if (preview !== 'unsupported') return preview;
  }
  const picture = await decodeWhileArriving(source.stream(), api);
  return picture && { picture, width: picture.width, height: picture.height };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Decodes the image whose bytes `bytes` delivers, as they arrive. Resolves to the decoded picture once the last
 * byte is in and decoded; to null when the bytes are not PNG/JPEG/WebP, the stream errors, or the decoder
 * refuses them. Never rejects: a null just means "show it the ordinary way".
 */
export async function decodeWhileArriving(
  bytes: ReadableStream<Uint8Array<ArrayBuffer>>,
  api: DecoderApi,
): Promise<ImageBitmap | null> {
  const reader = bytes.getReader();
  const head: Uint8Array<ArrayBuffer>[] = [];
  let headLength = 0;
  let ended = false;
  try {
    while (headLength < SNIFF_BYTES) {
      const r = await reader.read();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      headLength += r.value.length;
    }
  } catch {
    return null;
  }
  const type = sniffImageType(concat(head, headLength));
  if (!type || !STREAMABLE.has(type)) {
    reader.cancel().catch(() => {});
    return null;
  }
  let decoder: Pick<ImageDecoder, 'decode' | 'close'> | null = null;
  // The decoder only decodes when asked. Asked once for the complete frame, it waits for the last byte and then
  // decodes the whole image (250–400 ms for a 1536² PNG on a small machine). Asking for the partial frame every
  // so often while the bytes arrive makes it decode the rows it has, so after the last byte only the tail is left.
  let sinceAsked = 0;
  let asking = false;
  const askForRows = () => {
    if (!decoder || asking || sinceAsked < PARTIAL_DECODE_BYTES) return;
    sinceAsked = 0;
    asking = true;
    decoder.decode({ frameIndex: 0, completeFramesOnly: false }).then(
      ({ image }) => {
        image.close();
        asking = false;
      },
      () => (asking = false),
    );
  };
  // ImageDecoder needs its type up front, so the bytes read for sniffing go first, then the rest as it comes.
  const data = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      for (const p of head) controller.enqueue(p);
      if (ended) controller.close();
    },
    async pull(controller) {
      const r = await reader.read();
      if (r.done) return controller.close();
      controller.enqueue(r.value);
      sinceAsked += r.value.length;
      askForRows();
    },
    cancel: (reason) => reader.cancel(reason),
  });
  try {
    decoder = new api.ImageDecoder({ data, type, preferAnimation: false });
    const { image } = await decoder.decode({ frameIndex: 0, completeFramesOnly: true });
    try {
      return await api.createImageBitmap(image);
    } finally {
      image.close();
    }
  } catch {
    reader.cancel().catch(() => {});
    return null;
  } finally {
    decoder?.close();
  }
}

/** The canvas size for showing a `width`×`height` picture `boxWidth` CSS pixels wide: never above its own size. */
export function scaledSize(
  width: number,
  height: number,
  boxWidth: number,
  pixelRatio: number,
): { width: number; height: number } {
  if (!(width > 0 && height > 0)) return { width: 0, height: 0 };
  const wanted = Math.ceil(boxWidth * (pixelRatio > 0 ? pixelRatio : 1));
  const w = wanted > 0 ? Math.min(width, wanted) : width;
  return { width: w, height: Math.max(1, Math.round((height * w) / width)) };
}

/** The part of a canvas `paintScaled` uses. */
export interface PaintTarget {
  width: number;
  height: number;
  getContext(
    id: '2d',
  ): Pick<CanvasRenderingContext2D, 'drawImage' | 'imageSmoothingEnabled' | 'imageSmoothingQuality'> | null;
}

/**
 * Draws `picture` onto `canvas` at the size it is shown at (`scaledSize`). Drawing the full-size picture and
 * letting the compositor scale it costs more on every frame than one scaled draw (measured: software
 * compositing of a 1536² canvas ~70–130 ms, a scaled draw ~15 ms). 'low' smoothing: 'medium'/'high' build
 * mipmaps first (several times slower), and the <img> replaces this within a second anyway.
 * Returns false when the canvas has no 2D context.
 */
export function paintScaled(
  canvas: PaintTarget,
  picture: { width: number; height: number } & CanvasImageSource,
  boxWidth: number,
  pixelRatio: number,
): boolean {
  const size = scaledSize(picture.width, picture.height, boxWidth, pixelRatio);
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return false;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low';
  ctx.drawImage(picture, 0, 0, size.width, size.height);
  return true;
}

/**
 * How much larger than shown a picture may be and still be left to the compositor to scale: a PNG preview is
 * 1–2× the shown width (png-preview.ts). Larger, one scaled draw costs less than compositing it every frame.
 */
export const MAX_COMPOSITOR_SCALE = 1.5;

/** The part of a canvas `showPicture` uses. */
export interface ShowTarget extends PaintTarget {
  getContext(id: 'bitmaprenderer'): Pick<ImageBitmapRenderingContext, 'transferFromImageBitmap'> | null;
  getContext(id: '2d'): ReturnType<PaintTarget['getContext']>;
}

/**
 * Shows `picture` on `canvas`: handed over as it is (a bitmap renderer takes it without a copy or a draw) when
 * it is no more than a little larger than the size it is shown at, which the compositor then scales; else
 * drawn scaled (`paintScaled`). The picture is consumed (detached) when handed over.
 */
export function showPicture(
  canvas: ShowTarget,
  picture: ImageBitmap,
  boxWidth: number,
  pixelRatio: number,
): boolean {
  const wanted = Math.ceil(boxWidth * (pixelRatio > 0 ? pixelRatio : 1));
  if (picture.width <= wanted * MAX_COMPOSITOR_SCALE) {
    const ctx = canvas.getContext('bitmaprenderer');
    if (ctx) {
      canvas.width = picture.width;
      canvas.height = picture.height;
      ctx.transferFromImageBitmap(picture);
      return true;
    }
  }
  return paintScaled(canvas, picture, boxWidth, pixelRatio);
}
