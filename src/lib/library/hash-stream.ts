/**
 * SHA-256 of bytes while they arrive, part by part (@noble/hashes' incremental SHA-256): the stream worker hashes
 * a final image as its base64 is decoded, so the hash is ready with the image. WebCrypto has no incremental
 * digest: hashing afterwards meant copying the parts into one buffer and digesting it, a 35–100 ms burst (4.5 MB,
 * a 2-core machine) right when the thumbnail and the first paint want the CPU. Gives the same lowercase hex as
 * `sha256Hex` (hash.ts); null if the bytes stop arriving part way.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export async function sha256WhileArriving(bytes: ReadableStream<Uint8Array>): Promise<string | null> {
  const hash = sha256.create();
  const reader = bytes.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return bytesToHex(hash.digest());
      hash.update(value);
    }
  } catch {
    return null;
  }
}
