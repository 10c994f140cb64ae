/**
 * Starts the decode worker (decode-worker.ts) from the stream worker, once, and sends it each streamed final
 * image (see decode-remote.ts). Null where this browser cannot start a worker from a worker; the stream worker
 * then decodes the images itself.
 */
import { decodeRemotely, type DecodingElsewhere } from './decode-remote';

export type DecodeElsewhere = (
  bytes: ReadableStream<Uint8Array<ArrayBuffer>>,
  width: number | undefined,
) => DecodingElsewhere;

let worker: Worker | null | undefined;

export function decodeInWorker(): DecodeElsewhere | null {
  if (worker === undefined) {
    try {
      worker =
        typeof Worker === 'function' && typeof MessageChannel === 'function'
          ? new Worker(new URL('./decode-worker.ts', import.meta.url), {
              type: 'module',
              name: 'atelier-decode',
            })
          : null;
    } catch {
      worker = null;
    }
  }
  const w = worker;
  if (!w) return null;
  return (bytes, width) =>
    decodeRemotely((request, transfer) => w.postMessage(request, transfer), bytes, width);
}
