/**
 * The worker that decodes streamed final images (see decode-remote.ts). Started by the stream worker on its
 * first streamed request and kept; each image comes with its own ports.
 */
import { serveDecode, type DecodeRequest } from './decode-remote';
import { browserDecoderApi } from './progressive';
import { encodeThumb, thumbCanvas } from '../library/thumbnail';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
};
const api = browserDecoderApi();

scope.onmessage = ({ data }) => {
  if (data?.t !== 'decode') return;
  // The library's thumbnail is made here too, from the picture: saving the image then needs no decode or encode.
  void serveDecode(data.bytes, data.picture, data.width, api, {
    scale: (source, width, height) => thumbCanvas(source, width, height),
    encode: encodeThumb,
  });
};
