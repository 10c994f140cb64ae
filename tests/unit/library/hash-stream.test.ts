import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256WhileArriving } from '../../../src/lib/library/hash-stream';
import { sha256Hex } from '../../../src/lib/library/hash';

/** `bytes` as a stream of `size`-byte parts; errors after `failAfter` parts when given. */
function parts(bytes: Uint8Array, size: number, failAfter?: number): ReadableStream<Uint8Array> {
  let at = 0;
  let n = 0;
  return new ReadableStream({
    pull(c) {
      if (failAfter !== undefined && n++ === failAfter) return c.error(new Error('cut'));
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, (at += size)));
    },
  });
}

describe('hashing bytes while they arrive (hash-stream.ts)', () => {
  const bytes = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 7919) % 251);
  const expected = createHash('sha256').update(bytes).digest('hex');

  it('gives the SHA-256 of the whole, whatever the parts, the same hex as hashing it in one go', async () => {
    // Parts shorter than, equal to and longer than SHA-256's 64-byte block, and all at once.
    for (const size of [7, 63, 64, 65, 4096, 200_003]) {
      expect(await sha256WhileArriving(parts(bytes, size))).toBe(expected);
    }
    expect(await sha256Hex(bytes)).toBe(expected);
    expect(await sha256WhileArriving(parts(new Uint8Array(0), 10))).toBe(createHash('sha256').digest('hex'));
  });

  it('is null when the bytes stop arriving part way', async () => {
    expect(await sha256WhileArriving(parts(bytes, 1000, 5))).toBeNull();
  });
});
