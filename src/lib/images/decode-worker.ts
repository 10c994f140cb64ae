/**
 * The worker that decodes streamed final images (see decode-remote.ts). Started by the stream worker on its
 * first streamed request and kept; each image comes with its own ports.
 */
import { serveDecode, type DecodeRequest } from './decode-remote';
import { browserDecoderApi } from './progressive';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
};
const api = browserDecoderApi();

scope.onmessage = ({ data }) => {
  if (data?.t !== 'decode') return;
  void serveDecode(data.bytes, data.picture, data.width, api);
};
