import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createStore, get, setMany } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { upgradeRecord, schemaOf } from '../../../src/lib/library/migrate';
import { LibraryRepository } from '../../../src/lib/library/repository';
import { sha256Hex } from '../../../src/lib/library/hash';
import { bytesOf } from './factories';

/** Pre-release v0 data (see the fixture's _comment and migrate.ts): records plus their blobs. */
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/library/v0-records.json', import.meta.url), 'utf8'),
) as {
  blobs: Record<string, { mime: string; base64: string }>;
  records: Record<string, unknown>[];
};

describe('library migration', () => {
  it('recognises the versions', () => {
    expect(schemaOf(fixture.records[0])).toBe(0);
    expect(schemaOf({ v: 1 })).toBe(1);
    expect(schemaOf({ v: 'one' })).toBeNull();
    expect(schemaOf('text')).toBeNull();
    expect(upgradeRecord({ v: 2, id: 'x' })).toBeNull();
  });

  it('opens data written in the previous format and finds it intact', async () => {
    const suffix = Math.random().toString(36).slice(2);
    const meta = createStore(`v0-meta-${suffix}`, 'items');
    const blobs = createStore(`v0-blobs-${suffix}`, 'blobs');
    await setMany(
      fixture.records.map((r) => [r.id as string, r]),
      meta,
    );
    await setMany(
      Object.entries(fixture.blobs).map(([h, b]) => [
        h,
        new Blob([Buffer.from(b.base64, 'base64')], { type: b.mime }),
      ]),
      blobs,
    );

    const repo = new LibraryRepository({ meta, blobs, notify: () => {} });
    const { items, unreadable } = await repo.list();
    expect(unreadable).toBe(0);
    expect(items.map((i) => i.id)).toEqual(['v0-edit-1', 'v0-gen-1']);

    const [edit, gen] = items as [(typeof items)[0], (typeof items)[0]];
    const v0gen = fixture.records[0]!;
    expect(gen.recipe).toMatchObject({
      kind: 'generation',
      endpoint: '/images/generations',
      model: 'gpt-image-1',
      prompt: 'A red kite over dunes',
      revisedPrompt: 'A red kite flying over golden sand dunes',
      body: v0gen.params,
      usage: v0gen.usage,
      cost: 0.0423,
      status: 'complete',
    });
    expect(gen.favourite).toBe(true);
    expect(gen.image).toEqual({
      hash: v0gen.imageHash,
      mime: 'image/png',
      bytes: 96,
      width: 1024,
      height: 1024,
    });
    expect(gen.thumb).toMatchObject({ hash: v0gen.thumbHash, width: 256, height: 256 });
    expect(edit.recipe.kind).toBe('edit');
    expect(edit.partialIndex).toBe(0);
    expect(edit.recipe.status).toBe('incomplete');
    expect(edit.thumb).toMatchObject({ width: 256, height: 171 });
    expect(edit.recipe.sources).toHaveLength(1);

    // Every byte is still there and still matches its hash.
    for (const item of items)
      for (const ref of [item.image, item.thumb!, ...item.recipe.sources]) {
        const blob = await repo.blob(ref.hash);
        expect(await sha256Hex(blob!)).toBe(ref.hash);
        expect(await bytesOf(blob)).toEqual(
          Array.from(Buffer.from(fixture.blobs[ref.hash]!.base64, 'base64')),
        );
      }

    // The upgrade was written back in the current format.
    expect(await get('v0-gen-1', meta)).toMatchObject({ v: 1, id: 'v0-gen-1' });
    expect((await repo.list()).items).toEqual(items);
  });
});
