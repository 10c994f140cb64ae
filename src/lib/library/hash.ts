/** Content addresses: lowercase hex SHA-256 through Web Crypto (browser and Node 20 alike). */

export async function sha256Hex(data: Blob | ArrayBuffer | Uint8Array): Promise<string> {
  const buf =
    data instanceof Blob ? await data.arrayBuffer() : data instanceof Uint8Array ? data.slice().buffer : data;
  const digest = await crypto.subtle.digest('SHA-256', buf);
  let out = '';
  for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, '0');
  return out;
}
