/**
 * Every registry price pinned to the reference, so a typo in the registry fails here. The numbers are copied by
 * hand from /work/shared/reference/models-2026-11.md §1 (USD per 1M tokens: text in / cached, image in / cached,
 * image out) and, for gpt-image-1.5's cached and text-output rates that §1 leaves as "?", wire.md §8.
 */
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../src/lib/models/registry';

const REFERENCE: Record<string, Record<string, number> | null> = {
  'gpt-image-2.6-sunburst': { textIn: 5, textInCached: 1.25, imageIn: 8, imageInCached: 2, imageOut: 30 },
  'gpt-image-2.6-flare': { textIn: 5, textInCached: 1.25, imageIn: 8, imageInCached: 2, imageOut: 30 },
  'gpt-image-2.5-sunburst': { textIn: 5, textInCached: 1.25, imageIn: 8, imageInCached: 2, imageOut: 30 },
  'gpt-image-2.5-flare': { textIn: 5, textInCached: 1.25, imageIn: 8, imageInCached: 2, imageOut: 30 },
  'gpt-image-2': { textIn: 5, textInCached: 1.25, imageIn: 8, imageInCached: 2, imageOut: 30 },
  'gpt-image-1.5': { textIn: 5, textInCached: 1.25, imageIn: 8, imageInCached: 2, imageOut: 32, textOut: 10 },
  // "Same as 1.5 per [3P]".
  'chatgpt-image-latest': {
    textIn: 5,
    textInCached: 1.25,
    imageIn: 8,
    imageInCached: 2,
    imageOut: 32,
    textOut: 10,
  },
  'gpt-image-1-mini': { textIn: 2, textInCached: 0.2, imageIn: 2.5, imageInCached: 0.25, imageOut: 8 },
  'gpt-image-1': { textIn: 5, textInCached: 1.25, imageIn: 10, imageInCached: 2.5, imageOut: 40 },
  // Priced per image, not per token: no token prices.
  'dall-e-3': null,
  'dall-e-2': null,
};

describe('registry prices match models-2026-11.md', () => {
  it('every registry model is in the reference table, and every reference model in the registry', () => {
    expect(MODELS.map((m) => m.id).sort()).toEqual(Object.keys(REFERENCE).sort());
  });

  it.each(Object.entries(REFERENCE))('%s', (id, want) => {
    const model = MODELS.find((m) => m.id === id)!;
    if (want === null) return expect(model.prices).toBeNull();
    const { source, asOf, ...rates } = model.prices!;
    expect(rates).toEqual(want);
    expect(source.length).toBeGreaterThan(0);
    expect(asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
