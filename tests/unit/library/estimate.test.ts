import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/lib/api/images';
import { conversationImageRecord } from '../../../src/lib/conversation/library';
import { describeStoredCost } from '../../../src/lib/cost/describe';
import { storedEstimate } from '../../../src/lib/cost/estimate';
import { LibrarySaver, type RunLike } from '../../../src/lib/library/saver';
import { asLibraryItem, LIBRARY_SCHEMA, type LibraryItem } from '../../../src/lib/library/types';
import { turnRecord } from '../factories';
import { blobOf, itemFor, recipe } from './factories';

const ESTIMATE = {
  usd: { low: 0.03, point: 0.042, high: 0.05 },
  tokens: { low: 1000, point: 1256, high: 1500 },
};

describe('the estimate kept with a library item (recipe.estimate)', () => {
  it('round-trips through a stored record', async () => {
    const { item } = itemFor('kite', await blobOf('kite'), { recipe: recipe({ estimate: ESTIMATE }) });
    const read = asLibraryItem(JSON.parse(JSON.stringify(item)));
    expect(read?.recipe.estimate).toEqual(ESTIMATE);
  });

  it('a v1 record saved before the field existed is still read, with estimate null (no version bump)', async () => {
    const { item } = itemFor('kite', await blobOf('kite'));
    const old = JSON.parse(JSON.stringify(item)) as { recipe: Record<string, unknown> };
    delete old.recipe.estimate;
    expect(LIBRARY_SCHEMA).toBe(1);
    const read = asLibraryItem(old);
    expect(read?.id).toBe(item.id);
    expect(read?.recipe.estimate).toBeNull();
  });

  it.each([
    ['not an object', 'cheap'],
    ['bounds out of order', { usd: { low: 2, point: 1, high: 3 }, tokens: null }],
    ['a negative amount', { usd: { low: -1, point: 1, high: 3 }, tokens: null }],
    ['no range at all', { usd: null, tokens: null }],
  ])('a malformed estimate (%s) reads as null and keeps the item', async (_, estimate) => {
    const { item } = itemFor('kite', await blobOf('kite'));
    const raw = JSON.parse(JSON.stringify(item)) as { recipe: Record<string, unknown> };
    raw.recipe.estimate = estimate;
    const read = asLibraryItem(raw);
    expect(read).not.toBeNull();
    expect(read?.recipe.estimate).toBeNull();
  });

  it('keeps tokens when the model had no price', () => {
    expect(storedEstimate({ usd: null, tokens: { low: 1, point: 2, high: 3 } })).toEqual({
      usd: null,
      tokens: { low: 1, point: 2, high: 3 },
    });
    expect(storedEstimate(null)).toBeNull();
  });
});

/** A saver whose writes are kept in `saved` (one array of records per write). */
function fakeSaver() {
  const saved: LibraryItem[][] = [];
  const saver = new LibrarySaver({
    save: async (items, _blobs, stored) => {
      saved.push(items);
      stored?.();
    },
    itemWithImage: () => null,
    thumbnail: async () => ({ width: 64, height: 64, thumb: null }),
    now: () => 1000,
    newId: () => 'item-1',
    saved: () => {},
    failed: (e) => {
      throw e;
    },
  });
  return { saver, saved };
}

describe('saving a run stores its estimate beside its cost', () => {
  it('LibrarySaver.ended writes cost and estimate into every item of the run', async () => {
    const { saver, saved } = fakeSaver();
    const run: RunLike = {
      id: 7,
      prompt: 'a kite',
      model: 'gpt-image-1.5',
      body: { model: 'gpt-image-1.5', prompt: 'a kite' },
      startedAt: 0,
      expected: 1,
      status: 'done',
      echoed: {},
      usage: { input_tokens: 10, output_tokens: 1056, total_tokens: 1066 },
      endedAt: 500,
    };
    const image = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], { type: 'image/png' });
    const ev: GenerationEvent = { kind: 'image', index: 0, image, echoed: {} };
    await saver.image(run, ev);
    expect(saved.at(-1)![0]!.recipe.estimate).toBeNull();
    await saver.ended(run, 0.034, ESTIMATE);
    expect(saved.at(-1)![0]!.recipe).toMatchObject({ cost: 0.034, estimate: ESTIMATE });
  });

  it('a variations run is kept as a variation, with its own endpoint', async () => {
    const { saver, saved } = fakeSaver();
    const run: RunLike = {
      id: 8,
      prompt: 'Variations of “dune.png”',
      model: 'dall-e-2',
      body: { model: 'dall-e-2', n: 1, size: '256x256' },
      startedAt: 0,
      expected: 1,
      status: 'done',
      echoed: {},
      usage: null,
      endedAt: 500,
      kind: 'edit',
      operation: 'variations',
    };
    const image = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 4, 5, 6])], { type: 'image/png' });
    await saver.image(run, { kind: 'image', index: 0, image, echoed: {} });
    expect(saved.at(-1)![0]!.recipe).toMatchObject({ kind: 'variation', endpoint: '/images/variations' });
  });

  it('a conversation image carries the dollars estimated when its turn was sent', () => {
    const turn = turnRecord('t', null, { estimate: ESTIMATE.usd });
    const record = conversationImageRecord([turn], turn, 'ig_t');
    expect(record.estimate).toEqual({ usd: ESTIMATE.usd, tokens: null });
    const bare = turnRecord('u', null);
    expect(conversationImageRecord([bare], bare, 'ig_u').estimate).toBeNull();
  });
});

describe('describeStoredCost (the item detail’s Cost line)', () => {
  it.each([
    [0.042, 1, ESTIMATE, '$0.042 · estimated ≈ $0.030–$0.050 (≈ 1,000–1,500 tokens)'],
    [0.084, 2, { usd: ESTIMATE.usd, tokens: null }, '$0.084 for 2 images · estimated ≈ $0.030–$0.050'],
    [
      null,
      1,
      { usd: null, tokens: ESTIMATE.tokens },
      'unknown · estimated price unknown (≈ 1,000–1,500 tokens)',
    ],
    [0.042, 1, null, '$0.042'],
    [null, 1, null, 'unknown'],
  ])('cost %s, %s image(s)', (cost, images, estimate, text) => {
    expect(describeStoredCost(cost, images, estimate)).toBe(text);
  });
});
