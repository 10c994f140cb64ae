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
import { pictureWhileArriving, type DecodedPicture, type DecoderApi } from './progressive';

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
  | { t: 'picture'; picture: Omit<DecodedPicture, 'thumb'> | null; at: number; thumbFollows: boolean }
  | { t: 'thumb'; thumb: ThumbBlob | null };

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
    scale: (d: Omit<DecodedPicture, 'thumb'>) => Small | null;
    encode: (small: Small) => Promise<ThumbBlob>;
  },
): Promise<void> {
  // The bytes kept as they come, so a PNG the preview decoder refuses can be replayed to ImageDecoder.
  const held = new LiftedBase64();
  bytesPort.onmessage = (e) => {
    const m = e.data as BytesMessage;
    if (m.t === 'bytes') held.push(m.bytes);
    else if (m.t === 'end') held.end();
    else held.fail(new Error('The image stopped arriving.'));
  };
  const picture = api ? await pictureWhileArriving(held, api, width) : null;
  let small: Small | null = null;
  try {
    small = picture && thumbnail ? thumbnail.scale(picture) : null;
  } catch {
    small = null;
  }
  const at = performance.timeOrigin + performance.now();
  const post = (m: PictureMessage, transfer: Transferable[] = []) => picturePort.postMessage(m, transfer);
  try {
    post({ t: 'picture', picture, at, thumbFollows: !!small }, picture ? [picture.picture] : []);
  } catch {
    // A picture that cannot be transferred: the page shows the <img> instead (never leave it waiting).
    picture?.picture.close();
    post({ t: 'picture', picture: null, at, thumbFollows: !!small });
  }
  if (small && thumbnail) {
    const thumb = await thumbnail.encode(small).catch(() => null);
    post({ t: 'thumb', thumb });
  }
  picturePort.close();
  bytesPort.onmessage = null;
  bytesPort.postMessage({ t: 'settled' } satisfies Settled);
  bytesPort.close();
}

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
): { picture: Promise<DecodedPicture | null>; giveUp: () => void } {
  let resolvePicture: (p: DecodedPicture | null) => void = () => {};
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
    thumbTo?.(null);
  };
  const timer = setTimeout(giveUp, opts.waitMs);
  on.onmessage = (e: MessageEvent) => {
    const m = e.data as PictureMessage;
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
  return { picture, giveUp };
}
