/**
 * Decoding a streamed final image in a worker of its own, which hands the picture straight to the page.
 *
 * The stream worker is busy for the whole of a final image's arrival (text decoding, lifting and decoding the
 * base64, making the Blob) and again when the response ends. Decoding the PNG there too, the rows fell ~300 ms
 * behind the bytes; and a picture decoded anywhere waited for the stream worker to pass it on. So the stream
 * worker only forwards the image's bytes, as it decodes them from base64, to the decode worker, which decodes
 * them while they arrive (`pictureWhileArriving`: the PNG preview decoder, else ImageDecoder) on the machine's
 * other core, and posts the picture on a port that the stream worker handed to the page with the image event.
 *
 * Three ports per image: the bytes (stream worker → decode worker, then 'settled' back), and the picture
 * (decode worker → page). Pure protocol: both ends run in Node over MessageChannels; decode-worker.ts is the
 * entry, decode-client.ts starts it.
 */
import { LiftedBase64 } from '../api/lift';
import { identify, readHeader, type PixelSize } from './header';
import {
  MAX_COMPOSITOR_SCALE,
  paintScaled,
  pictureWhileArriving,
  type DecodedPicture,
  type DecoderApi,
  type PaintTarget,
} from './progressive';

/** The part of a MessagePort these ends use. */
export interface DecodePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

/** Stream worker → decode worker, on the bytes port. */
export type BytesMessage = { t: 'bytes'; bytes: Uint8Array<ArrayBuffer> } | { t: 'end' } | { t: 'failed' };

/** Decode worker → stream worker, on the bytes port, once: the picture has gone to the page (or there is none). */
export interface Settled {
  t: 'settled';
}

/** The library's thumbnail as it crosses threads. */
export type ThumbBlob = { blob: Blob; width: number; height: number };

/**
 * Decode worker → page, on the picture port: the picture (its `thumb` is not sent: with `thumbFollows` a 'thumb'
 * message follows), then maybe the thumbnail. `at`: when (timeOrigin + now, comparable across threads).
 */
export type PictureMessage =
  /** The image's pixel size, from its header, as soon as that has arrived (the card sizes its canvas). */
  | { t: 'size'; width: number; height: number }
  | { t: 'picture'; picture: Omit<DecodedPicture, 'thumb'> | null; at: number; thumbFollows: boolean }
  | { t: 'thumb'; thumb: ThumbBlob | null };

/** How much of an image's start is searched for its size (a JPEG's frame header may follow EXIF). */
const SIZE_SEARCH_BYTES = 256 * 1024;

/**
 * Page → decode worker, on the picture port: the card's canvas (transferControlToOffscreen), on which the worker
 * draws the picture itself. Its frames then go to the compositor without the page's main thread: no draw there,
 * and no copy of the picture when the page's frame is committed (~20–25 ms each on a small machine).
 */
export interface CanvasMessage {
  t: 'canvas';
  canvas: OffscreenCanvas;
  /** How many device pixels wide the card shows it. */
  width: number;
}

/** The part of an OffscreenCanvas the decode worker draws on. */
export type DrawTarget = PaintTarget;

/**
 * Draws `picture` on `canvas`: at its own size when it is about the `width` it is shown at (the compositor
 * scales it the rest of the way), else scaled down to that width; false when it cannot.
 */
export function drawOn(canvas: DrawTarget, picture: ImageBitmap, width: number): boolean {
  try {
    if (picture.width > width * MAX_COMPOSITOR_SCALE) return paintScaled(canvas, picture, width, 1);
    canvas.width = picture.width;
    canvas.height = picture.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    ctx.drawImage(picture, 0, 0);
    return true;
  } catch {
    return false;
  }
}

/** The request on the decode worker's global port. */
export interface DecodeRequest {
  t: 'decode';
  bytes: MessagePort;
  picture: MessagePort;
  /** The preview width for a PNG (device pixels); absent: decode at full size. */
  width?: number;
}

/**
 * The decode worker's end of one image: takes the bytes arriving on `bytesPort`, decodes them as they come,
 * posts the picture (transferred) on `picturePort`, then its thumbnail, then 'settled' on `bytesPort`. Never
 * rejects.
 */
export async function serveDecode<Small>(
  bytesPort: DecodePort,
  picturePort: DecodePort,
  width: number | undefined,
  api: DecoderApi | null,
  /**
   * The library's thumbnail (thumbnail.ts): `scale` draws the small picture (before the picture is transferred
   * away), `encode` makes the WebP (after it has gone to the page, so the first paint does not wait for it).
   */
  thumbnail?: {
    scale: (
      source: CanvasImageSource & { width: number; height: number },
      width: number,
      height: number,
    ) => Small | null;
    encode: (small: Small) => Promise<ThumbBlob>;
  },
): Promise<void> {
  // The bytes kept as they come, so a PNG the preview decoder refuses can be replayed to ImageDecoder.
  const held = new LiftedBase64();
  const post = (m: PictureMessage, transfer: Transferable[] = []) => picturePort.postMessage(m, transfer);
  // The image's first bytes, until its header tells its size.
  let head: Uint8Array | null = new Uint8Array(0);
  const sizeFrom = (bytes: Uint8Array) => {
    if (!head) return;
    const more = new Uint8Array(head.length + bytes.length);
    more.set(head);
    more.set(bytes, head.length);
    head = more;
    const kind = identify(head);
    const h = kind?.accepted ? readHeader(kind.mime, head, false) : null;
    if (h?.ok) post({ t: 'size', width: h.width, height: h.height });
    if (h?.ok || !kind?.accepted || head.length >= SIZE_SEARCH_BYTES) head = null;
  };
  bytesPort.onmessage = (e) => {
    const m = e.data as BytesMessage;
    if (m.t === 'bytes') {
      held.push(m.bytes);
      sizeFrom(m.bytes);
    } else if (m.t === 'end') held.end();
    else held.fail(new Error('The image stopped arriving.'));
  };
  // The card's canvas, if the page hands it over before the picture is ready.
  let handed: { canvas: DrawTarget & CanvasImageSource; width: number } | null = null;
  picturePort.onmessage = (e) => {
    const m = e.data as CanvasMessage;
    if (m?.t === 'canvas') handed = m;
  };
  const picture = api ? await pictureWhileArriving(held, api, width) : null;
  picturePort.onmessage = null;
  const card = handed as { canvas: DrawTarget & CanvasImageSource; width: number } | null;
  const onCanvas = card?.canvas ?? null;
  const painted = !!picture && !!card && drawOn(card.canvas, picture.picture, card.width);
  const scale = (source: CanvasImageSource & { width: number; height: number }): Small | null => {
    try {
      return picture && thumbnail ? thumbnail.scale(source, picture.width, picture.height) : null;
    } catch {
      return null;
    }
  };
  // Drawn on the card: the page learns at once, and the thumbnail is scaled from the canvas afterwards. Else
  // it is scaled from the picture before that is transferred away.
  let small = painted ? null : picture && scale(picture.picture);
  const thumbFollows = !!thumbnail && (painted || !!small);
  const at = performance.timeOrigin + performance.now();
  try {
    post(
      { t: 'picture', picture: picture && { ...picture, ...(painted ? { painted } : {}) }, at, thumbFollows },
      picture ? [picture.picture] : [],
    );
  } catch {
    // A picture that cannot be transferred: the page shows the <img> instead (never leave it waiting).
    picture?.picture.close();
    post({ t: 'picture', picture: null, at, thumbFollows });
  }
  if (painted && onCanvas) small = scale(onCanvas);
  if (thumbFollows && !small) post({ t: 'thumb', thumb: null });
  if (small && thumbnail) {
    const thumb = await thumbnail.encode(small).catch(() => null);
    post({ t: 'thumb', thumb });
  }
  picturePort.close();
  bytesPort.onmessage = null;
  bytesPort.postMessage({ t: 'settled' } satisfies Settled);
  bytesPort.close();
}

/** See receivePicture. */
export type PaintOn = (canvas: OffscreenCanvas, width: number) => Promise<PixelSize | null>;

/** What the stream worker keeps of an image sent to be decoded elsewhere. */
export interface DecodingElsewhere {
  /** The page's end of the picture port: goes to the page with the image event. */
  port: MessagePort;
  /** Resolves once the decode worker is done with the image (whatever the outcome). */
  settled: Promise<void>;
}

/**
 * The stream worker's end: asks the decode worker (`post`, its global port) to decode the image whose bytes
 * `bytes` streams, and forwards them as they come. `channel` makes MessageChannels (injectable for tests).
 */
export function decodeRemotely(
  post: (request: DecodeRequest, transfer: Transferable[]) => void,
  bytes: ReadableStream<Uint8Array<ArrayBuffer>>,
  width: number | undefined,
  channel: () => MessageChannel = () => new MessageChannel(),
): DecodingElsewhere {
  const toDecoder = channel();
  const toPage = channel();
  const request: DecodeRequest = { t: 'decode', bytes: toDecoder.port2, picture: toPage.port2, width };
  post(request, [toDecoder.port2, toPage.port2]);
  const port = toDecoder.port1;
  const settled = new Promise<void>((resolve) => {
    port.onmessage = (e: MessageEvent) => {
      if ((e.data as Settled)?.t !== 'settled') return;
      port.onmessage = null;
      port.close();
      resolve();
    };
  });
  const reader = bytes.getReader();
  void (async () => {
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) return port.postMessage({ t: 'end' } satisfies BytesMessage);
        port.postMessage({ t: 'bytes', bytes: r.value } satisfies BytesMessage);
      }
    } catch {
      port.postMessage({ t: 'failed' } satisfies BytesMessage);
    }
  })();
  return { port: toPage.port1, settled };
}

/**
 * The page's end of the picture port: resolves to the picture (with a `thumb` promise when a thumbnail follows),
 * or null when none comes within `waitMs` (the decode worker failed: the result card then shows the <img>, which
 * it does not until this settles) or `giveUp` is called. `onDone` runs once the port is closed.
 */
export function receivePicture(
  on: DecodePort,
  opts: { waitMs: number; onPicture?: () => void; onDone?: () => void },
): {
  picture: Promise<DecodedPicture | null>;
  giveUp: () => void;
  /**
   * Hands the card's canvas, shown `width` device pixels wide, to the decode worker to draw the picture on.
   * Resolves to the image's size once its header is in (null if it never is): the page cannot read the size of
   * a canvas drawn in a worker in time to lay it out, so the card gives it that aspect ratio.
   */
  paintOn: PaintOn;
} {
  let resolvePicture: (p: DecodedPicture | null) => void = () => {};
  let resolveSize: (size: PixelSize | null) => void = () => {};
  const size = new Promise<PixelSize | null>((r) => (resolveSize = r));
  let thumbTo: ((thumb: ThumbBlob | null) => void) | null = null;
  const picture = new Promise<DecodedPicture | null>((r) => (resolvePicture = r));
  const finish = () => {
    clearTimeout(timer);
    on.onmessage = null;
    on.close();
    opts.onDone?.();
  };
  const giveUp = () => {
    finish();
    resolvePicture(null);
    resolveSize(null);
    thumbTo?.(null);
  };
  const timer = setTimeout(giveUp, opts.waitMs);
  on.onmessage = (e: MessageEvent) => {
    const m = e.data as PictureMessage;
    if (m.t === 'size') return resolveSize({ width: m.width, height: m.height });
    resolveSize(null); // (a no-op once the size came)
    if (m.t === 'thumb') {
      finish();
      return thumbTo?.(m.thumb);
    }
    if (m.picture) opts.onPicture?.();
    if (!m.picture || !m.thumbFollows) {
      finish();
      return resolvePicture(m.picture);
    }
    const thumb = new Promise<ThumbBlob | null>((r) => (thumbTo = r));
    resolvePicture({ ...m.picture, thumb });
  };
  const paintOn: PaintOn = (canvas, width) => {
    if (on.onmessage) on.postMessage({ t: 'canvas', canvas, width } satisfies CanvasMessage, [canvas]);
    return size;
  };
  return { picture, giveUp, paintOn };
}
