import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/lib/api/images';
import { LibrarySaver, type RunLike, type SaverDeps } from '../../../src/lib/library/saver';
import type { LibraryItem } from '../../../src/lib/library/types';

const run: RunLike = {
  id: 1,
  prompt: 'a heron at dawn',
  model: 'gpt-image-2',
  body: { model: 'gpt-image-2', prompt: 'a heron at dawn' },
  startedAt: 0,
  expected: 1,
  status: 'running',
  echoed: {},
  usage: null,
  endedAt: null,
};

/** A PNG-signed Blob that counts how often its whole bytes are read. */
function countedImage(size = 50_000) {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < size; i++) bytes[i] = (i * 31) & 255;
  const blob = new Blob([bytes], { type: 'image/png' });
  const reads = { whole: 0 };
  const arrayBuffer = blob.arrayBuffer.bind(blob);
  blob.arrayBuffer = () => {
    reads.whole++;
    return arrayBuffer();
  };
  return { blob, bytes, reads };
}

function saverWithFakes() {
  const saved: { items: LibraryItem[]; blobs: Map<string, Blob> }[] = [];
  const thumbnailCalls: { bytes: Uint8Array | undefined }[] = [];
  const deps: SaverDeps = {
    save: async (items, blobs, stored) => {
      saved.push({ items, blobs });
      stored?.();
    },
    itemWithImage: () => null,
    thumbnail: async (_blob, bytes) => {
      thumbnailCalls.push({ bytes });
      return { width: 64, height: 64, thumb: null };
    },
    now: () => 1000,
    newId: () => 'item-1',
    saved: () => {},
    failed: (e) => {
      throw e;
    },
  };
  return { saver: new LibrarySaver(deps), saved, thumbnailCalls };
}

describe('saving a streamed final image (saver.ts)', () => {
  it('uses the hash the stream worker made, and never reads the image back', async () => {
    const { blob, bytes, reads } = countedImage();
    const hash = createHash('sha256').update(bytes).digest('hex');
    const { saver, saved, thumbnailCalls } = saverWithFakes();
    const ev: GenerationEvent = {
      kind: 'image',
      index: 0,
      image: blob,
      echoed: {},
      sha256: Promise.resolve(hash),
    };
    await saver.image(run, ev);
    expect(reads.whole).toBe(0);
    expect(thumbnailCalls).toEqual([{ bytes: undefined }]);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.items[0]!.image.hash).toBe(hash);
    expect(saved[0]!.blobs.get(hash)).toBe(blob);
  });

  it('hashes the bytes itself when no hash came with the image (or it could not be made)', async () => {
    for (const sha256 of [undefined, Promise.resolve(null)]) {
      const { blob, bytes, reads } = countedImage();
      const { saver, saved } = saverWithFakes();
      const ev: GenerationEvent = {
        kind: 'image',
        index: 0,
        image: blob,
        echoed: {},
        ...(sha256 ? { sha256 } : {}),
      };
      await saver.image(run, ev);
      expect(reads.whole).toBe(1);
      expect(saved[0]!.items[0]!.image.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});
