/** Bytes and Blobs as data: URLs (the gallery's thumbnails and the recent record carry them this way). */

/** Bytes as a data: URL (base64), encoded in slices so no argument list grows with the size. */
export function bytesDataUrl(bytes: Uint8Array, mime: string): string {
  const prefix = `data:${mime || 'application/octet-stream'};base64,`;
  // The native encoder where there is one (Chromium 140+, Firefox 133+, Safari 18.2+).
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return prefix + native.call(bytes);
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000)
    text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return prefix + btoa(text);
}

/** A Blob as a data: URL. */
export async function dataUrl(blob: Blob): Promise<string> {
  return bytesDataUrl(new Uint8Array(await blob.arrayBuffer()), blob.type);
}
