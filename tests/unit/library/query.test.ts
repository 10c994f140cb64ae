import { describe, expect, it } from 'vitest';
import { filterItems, lineage, NO_FILTER, storageUse, facets } from '../../../src/lib/library/query';
import { blobOf, itemFor } from './factories';

const day = (d: string, h = 12) => new Date(`${d}T${String(h).padStart(2, '0')}:00:00`).getTime();

async function sample() {
  const src = await blobOf('source');
  const srcRef = { hash: src.hash, mime: 'image/png', bytes: 64 };
  const a = itemFor('a', src, {
    created: day('2026-03-01'),
    recipe: { prompt: 'A Red kite over dunes' },
  }).item;
  const b = itemFor('b', await blobOf('b'), {
    created: day('2026-03-02'),
    thumb: await blobOf('tb'),
    recipe: {
      kind: 'edit',
      endpoint: '/images/edits',
      model: 'gpt-image-1',
      prompt: 'make it blue',
      sources: [srcRef],
      parent: 'a',
    },
  }).item;
  const c = itemFor('c', await blobOf('c'), {
    created: day('2026-03-03', 23),
    recipe: {
      kind: 'edit',
      endpoint: '/images/edits',
      prompt: 'other',
      revisedPrompt: 'kite in rain',
      sources: [srcRef],
    },
  }).item;
  return [{ ...c, favourite: true }, b, a];
}

describe('library queries', () => {
  it.each([
    [{ text: 'kite' }, ['c', 'a']],
    [{ text: 'RED   dunes' }, ['a']],
    [{ model: 'gpt-image-1' }, ['b']],
    [{ endpoint: '/images/edits' }, ['c', 'b']],
    [{ from: '2026-03-02' }, ['c', 'b']],
    [{ to: '2026-03-02' }, ['b', 'a']],
    [{ from: '2026-03-03', to: '2026-03-03' }, ['c']],
    [{ favourites: true }, ['c']],
    [{}, ['c', 'b', 'a']],
  ])('filter %o', async (patch, ids) => {
    expect(filterItems(await sample(), { ...NO_FILTER, ...patch }).map((i) => i.id)).toEqual(ids);
  });

  it('links parents, children and source items', async () => {
    const items = await sample();
    const a = items.find((i) => i.id === 'a')!;
    const b = items.find((i) => i.id === 'b')!;
    expect(lineage(items, a).children.map((i) => i.id)).toEqual(['c', 'b']);
    expect(lineage(items, b).parent?.id).toBe('a');
    expect(lineage(items, b).sourceItems.map((i) => i.id)).toEqual(['a']);
    expect(facets(items)).toEqual({
      models: ['gpt-image-1', 'gpt-image-2.6-flare'],
      endpoints: ['/images/edits', '/images/generations'],
    });
  });

  it('counts a shared blob once', async () => {
    const use = storageUse(await sample());
    // a's image is also b's and c's source: 3 images of 64 bytes, one thumbnail, no extra input bytes.
    expect(use.images).toBe(192);
    expect(use.thumbnails).toBe(64);
    expect(use.inputs).toBe(0);
    expect(use.counts).toEqual({ generation: 1, edit: 2, variation: 0, conversation: 0 });
    expect(use.total).toBe(use.images + use.thumbnails + use.records);
  });
});
