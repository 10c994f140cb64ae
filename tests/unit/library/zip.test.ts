import 'fake-indexeddb/auto';
import { keys } from 'idb-keyval';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LibraryRepository } from '../../../src/lib/library/repository';
import { exportZip } from '../../../src/lib/library/zip-export';
import { IMPORT_LIMITS, ImportRejected, importZip } from '../../../src/lib/library/zip-import';
import type { LibraryItem } from '../../../src/lib/library/types';
import { blobOf, bytesOf, freshStores, itemFor } from './factories';

const newRepo = () => {
  const stores = freshStores();
  return { stores, repo: new LibraryRepository({ ...stores, notify: () => {} }) };
};

/** A library of a generation and an edit of it (with a mask), plus a blob map to save them. */
async function seeded() {
  const { repo, stores } = newRepo();
  const gen = itemFor('gen-1', await blobOf('gen-image', 'image/png', 3000), {
    thumb: await blobOf('gen-thumb', 'image/webp'),
    created: 1,
  });
  const src = await blobOf('gen-image', 'image/png', 3000);
  const mask = await blobOf('mask', 'image/png', 200);
  const edit = itemFor('edit-1', await blobOf('edit-image', 'image/jpeg', 2000), {
    created: 2,
    thumb: await blobOf('edit-thumb', 'image/webp'),
    extra: [mask],
    recipe: {
      kind: 'edit',
      endpoint: '/images/edits',
      prompt: 'Make the sky green',
      parent: 'gen-1',
      sources: [{ hash: src.hash, mime: 'image/png', bytes: 3000 }],
      mask: { hash: mask.hash, mime: 'image/png', bytes: 200 },
    },
  });
  await repo.save([gen.item], gen.blobs);
  await repo.save([edit.item], edit.blobs);
  return { repo, stores };
}

async function zipOf(repo: LibraryRepository, items?: LibraryItem[], thumbnails = true): Promise<Blob> {
  const chunks: Uint8Array[] = [];
  await exportZip(items ?? (await repo.list()).items, {
    thumbnails,
    write: (c) => void chunks.push(c),
    blobs: (h) => repo.blobMany(h),
  });
  return new Blob(chunks as BlobPart[], { type: 'application/zip' });
}

async function snapshot(stores: ReturnType<typeof freshStores>, repo: LibraryRepository) {
  return { items: (await repo.list()).items, blobs: (await keys(stores.blobs)).sort() };
}

describe('library zip', () => {
  it('round-trips: byte-identical images and equal recipes, files with real extensions', async () => {
    const a = await seeded();
    const zip = await zipOf(a.repo);
    const names = Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())));
    expect(names[0]).toBe('manifest.json');
    expect(
      names
        .filter((n) => n.startsWith('images/'))
        .map((n) => n.split('.').pop())
        .sort(),
    ).toEqual(['jpg', 'png']);
    expect(names.filter((n) => n.startsWith('thumbnails/'))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('inputs/'))).toHaveLength(1); // the mask; the source is gen-1's image

    const b = newRepo();
    const report = await importZip(zip, b.repo);
    expect(report).toMatchObject({ added: 2, skipped: 0, rejected: 0 });
    const before = (await a.repo.list()).items;
    const after = (await b.repo.list()).items;
    expect(after).toEqual(before);
    for (const item of before)
      for (const ref of [item.image, item.thumb!, ...item.recipe.sources])
        expect(await bytesOf(await b.repo.blob(ref.hash))).toEqual(
          await bytesOf(await a.repo.blob(ref.hash)),
        );

    // Importing again adds nothing.
    expect(await importZip(zip, b.repo)).toMatchObject({ added: 0, skipped: 2, rejected: 0 });
    expect((await keys(b.stores.blobs)).length).toBe((await keys(a.stores.blobs)).length);
  });

  it('exports a selection, without thumbnails when asked, and the import is still whole', async () => {
    const a = await seeded();
    const edit = (await a.repo.list()).items.filter((i) => i.id === 'edit-1');
    const zip = await zipOf(a.repo, edit, false);
    const names = Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())));
    expect(names.some((n) => n.startsWith('thumbnails/'))).toBe(false);
    const b = newRepo();
    const report = await importZip(zip, b.repo);
    expect(report).toMatchObject({ added: 1, rejected: 0, needThumbnails: ['edit-1'] });
    const [got] = (await b.repo.list()).items;
    expect(got!.thumb).toBeNull();
    expect(got!.recipe).toEqual(edit[0]!.recipe);
  });

  it('never puts a key into the export', async () => {
    const { repo } = newRepo();
    const key = 'sk-proj-SECRET1234567890';
    const x = itemFor('k', await blobOf('k'), {
      recipe: { body: { model: 'm', prompt: 'p', api_key: key, nested: { Authorization: `Bearer ${key}` } } },
    });
    await repo.save([x.item], x.blobs);
    const zip = await zipOf(repo);
    const text = new TextDecoder().decode(
      unzipSync(new Uint8Array(await zip.arrayBuffer()))['manifest.json'],
    );
    expect(text).toContain('"prompt": "p"');
    expect(text).not.toContain(key);
    expect(new TextDecoder('latin1').decode(await zip.arrayBuffer())).not.toContain('SECRET1234567890');
  });

  it('counts records without their image as rejected and keeps the rest', async () => {
    const a = await seeded();
    const items = (await a.repo.list()).items;
    const chunks: Uint8Array[] = [];
    const gen = items.find((i) => i.id === 'gen-1')!;
    await exportZip(items, {
      thumbnails: true,
      write: (c) => void chunks.push(c),
      // gen-1's image cannot be read: its record goes out, its file does not.
      blobs: async (h) => (await a.repo.blobMany(h)).map((b, i) => (h[i] === gen.image.hash ? null : b)),
    });
    const b = newRepo();
    const report = await importZip(new Blob(chunks as BlobPart[]), b.repo);
    // edit-1 needs gen-1's image as its source, so it is rejected too.
    expect(report).toMatchObject({ added: 0, rejected: 2 });
    expect(report.notes).toHaveLength(2);
    expect(await keys(b.stores.blobs)).toEqual([]);
  });

  describe('rejects, changing nothing', () => {
    const manifestZip = (manifest: unknown, extra: Record<string, Uint8Array> = {}) =>
      new Blob([zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), ...extra })]);

    it.each([
      ['not a zip', async () => new Blob(['hello, this is text']), /not a zip archive/],
      ['an empty zip', async () => new Blob([zipSync({})]), /empty/],
      [
        'a foreign zip',
        async () => new Blob([zipSync({ 'notes.txt': strToU8('hi'), 'manifest.json': strToU8('{}') })]),
        /not an Atelier library export/,
      ],
      [
        'a foreign manifest',
        async () => manifestZip({ name: 'some-app', version: 1 }),
        /not an Atelier library export/,
      ],
      [
        'an unknown manifest version',
        async () => manifestZip({ format: 'atelier-library', version: 99, items: [], files: [] }),
        /format 99, newer/,
      ],
      [
        'a manifest that is not JSON',
        async () => new Blob([zipSync({ 'manifest.json': strToU8('{"format": ') })]),
        /not readable JSON/,
      ],
      [
        'a file that does not match its checksum',
        async () => {
          const a = await seeded();
          const chunks: Uint8Array[] = [];
          const tampered = new Blob([new Uint8Array(3000).fill(7)], { type: 'image/png' });
          await exportZip((await a.repo.list()).items, {
            thumbnails: true,
            write: (c) => void chunks.push(c),
            blobs: async (h) => (await a.repo.blobMany(h)).map((b) => (b && b.size === 3000 ? tampered : b)),
          });
          return new Blob(chunks as BlobPart[]);
        },
        /does not match its checksum/,
      ],
      [
        'a zip cut short',
        async () => {
          const zip = await zipOf((await seeded()).repo);
          return zip.slice(0, Math.floor(zip.size * 0.6));
        },
        /ends early|damaged/,
      ],
      [
        'corrupt compressed data',
        async () => {
          const zipped = await zipOf((await seeded()).repo);
          const zip = new Uint8Array(await zipped.arrayBuffer());
          // Scramble the deflated manifest (it starts right after the 30-byte local header and its name).
          for (let i = 30 + 13 + 2; i < 30 + 13 + 60; i++) zip[i] = zip[i]! ^ 0x5a;
          return new Blob([zip]);
        },
        /damaged/,
      ],
    ])('%s', async (_, make, reason) => {
      const target = await seeded();
      const before = await snapshot(target.stores, target.repo);
      const err = await importZip(await make(), target.repo).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportRejected);
      expect((err as Error).message).toMatch(reason);
      expect(await snapshot(target.stores, target.repo)).toEqual(before);
    });

    it('an oversized entry, and removes what it had already written', async () => {
      const a = await seeded();
      const zip = await zipOf(a.repo);
      const b = newRepo();
      const keep = itemFor('mine', await blobOf('mine'));
      await b.repo.save([keep.item], keep.blobs);
      const before = await snapshot(b.stores, b.repo);
      const err = await importZip(zip, b.repo, { ...IMPORT_LIMITS, maxEntryBytes: 2500 }).catch(
        (e: unknown) => e,
      );
      expect((err as Error).message).toMatch(/larger than 2\.4 KB|larger than/);
      expect(await snapshot(b.stores, b.repo)).toEqual(before);
    });
  });
});
