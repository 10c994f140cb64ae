/**
 * The worker that reads streamed image answers (see offthread.ts). Started by offthread-client.ts on the first
 * streamed run and kept for the page's life; each run comes with its own port and the response body.
 */
import { serveImageStream, type ReadRequest } from './offthread';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ReadRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = ({ data }) => {
  if (data?.t !== 'read') return;
  void serveImageStream(data.port, {
    stallMs: data.stallMs,
    decodeWhileStreaming: data.decodeWhileStreaming,
  });
};
scope.postMessage({ t: 'ready' });
