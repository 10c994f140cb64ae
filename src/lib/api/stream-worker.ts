/**
 * The worker that fetches and reads streamed image answers (see offthread.ts). Started by offthread-client.ts
 * on the first streamed run and kept for the page's life; each request comes with its own port.
 */
import { serveImageStream, type ReadRequest } from './offthread';
import { serveFetch, type FetchRequest } from './offthread-fetch';
import { decodeInWorker, type DecodeElsewhere } from '../images/decode-client';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ReadRequest | FetchRequest>) => void) | null;
  postMessage(message: unknown): void;
};

/**
 * Final images are decoded in a worker of their own, started with the first request so that it is ready when
 * the first image comes (see images/decode-remote.ts); null where workers cannot start workers.
 */
let elsewhere: DecodeElsewhere | null | undefined;
const decodeElsewhere = () => (elsewhere === undefined ? (elsewhere = decodeInWorker()) : elsewhere);

scope.onmessage = ({ data }) => {
  if (data?.t === 'fetch') {
    const { t: _, port, ...req } = data;
    return void serveFetch(port, req, { decodeElsewhere: decodeElsewhere() });
  }
  if (data?.t !== 'read') return;
  void serveImageStream(data.port, {
    stallMs: data.stallMs,
    decodeWhileStreaming: data.decodeWhileStreaming,
    previewWidth: data.previewWidth,
    decodeElsewhere: decodeElsewhere(),
  });
};
scope.postMessage({ t: 'ready' });
