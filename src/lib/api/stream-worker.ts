/**
 * The worker that fetches and reads streamed image answers (see offthread.ts). Started by offthread-client.ts
 * on the first streamed run and kept for the page's life; each request comes with its own port.
 */
import { serveImageStream, type ReadRequest } from './offthread';
import { serveFetch, type FetchRequest } from './offthread-fetch';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ReadRequest | FetchRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = ({ data }) => {
  if (data?.t === 'fetch') {
    const { t: _, port, ...req } = data;
    return void serveFetch(port, req);
  }
  if (data?.t !== 'read') return;
  void serveImageStream(data.port, {
    stallMs: data.stallMs,
    decodeWhileStreaming: data.decodeWhileStreaming,
    previewWidth: data.previewWidth,
  });
};
scope.postMessage({ t: 'ready' });
