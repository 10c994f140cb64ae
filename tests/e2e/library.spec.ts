import { readFileSync, writeFileSync } from 'node:fs';
import { expect, preconnect, test } from './support/fixtures';
import {
  BLOB_DB,
  clearLibrary,
  LibraryPage,
  RECENT_KEY,
  storedBlobs,
  storedRecords,
} from './support/library';
import { StudioPage } from './support/studio';

/** Generates one image and waits until its record is complete in IndexedDB (usage and cost arrive at the end). */
async function generateAndStore(studio: StudioPage, prompt: string) {
  await studio.generate(prompt);
  await expect(studio.finalImages(prompt)).toHaveCount(1, { timeout: 20_000 });
  await expect
    .poll(
      async () =>
        (await storedRecords(studio.page)).find((r) => r.recipe.prompt === prompt)?.recipe.usage ?? null,
    )
    .not.toBeNull();
}

test.describe('Library', () => {
  // Each test generates one to three images and reloads; on a busy machine that outlasts the default 30 s.
  test.describe.configure({ timeout: 90_000 });

  test('a generated image is kept with its recipe across a reload', async ({ studio, page }, testInfo) => {
    const prompt = studio.promptText('A paper boat on a puddle');
    await generateAndStore(studio, prompt);
    const [record] = (await storedRecords(page)).filter((r) => r.recipe.prompt === prompt);
    expect(record).toMatchObject({
      partialIndex: null,
      recipe: {
        kind: 'generation',
        endpoint: '/images/generations',
        model: 'gpt-image-2.6-flare',
        status: 'complete',
      },
    });
    expect(record!.recipe.body).toMatchObject({ prompt, stream: true });
    expect(record!.recipe.cost).toEqual(expect.any(Number));
    // Its thumbnail (made in the decode worker from the streamed picture): 256 px on the long edge, stored under
    // its own hash, and the recent record holds it as a WebP data: URL.
    expect(record!.thumb).toMatchObject({ width: 256, height: 256 });
    expect(Object.keys(await storedBlobs(page))).toContain(record!.thumb!.hash);
    const thumbUrl = await page.evaluate(
      (h) => localStorage.getItem(`atelier.library.thumb.${h}`),
      record!.thumb!.hash,
    );
    expect(thumbUrl).toMatch(/^data:image\/webp;base64,/);

    await page.reload();
    await studio.prompt.fill('a different draft');
    const library = new LibraryPage(page);
    await library.open();
    await expect(library.cell(prompt)).toBeVisible();
    await expect(library.cell(prompt).getByRole('img')).toHaveJSProperty('complete', true);
    await page.screenshot({ path: testInfo.outputPath('gallery.png') });
    await library.cell(prompt).click();
    const detail = library.region.getByRole('region', { name: prompt });
    await expect(detail.getByRole('img', { name: prompt })).toBeVisible();
    await expect(detail).toContainText('gpt-image-2.6-flare');
    await expect(detail).toContainText('complete');
    await page.screenshot({ path: testInfo.outputPath('detail.png'), fullPage: true });

    // "Use these settings" puts the prompt back into the studio.
    await library.button('Use these settings').click();
    await expect(studio.prompt).toHaveValue(prompt);

    // Searching narrows the gallery.
    await library.open();
    await library.search.fill('no such words anywhere');
    await expect(library.region).toContainText('Nothing matches these filters.');
  });

  test('opening on #library paints the first screen before the app loads, where the gallery then is', async ({
    studio,
    page,
  }, testInfo) => {
    const prompts = [studio.promptText('A lighthouse at dawn'), studio.promptText('A fox in snow')];
    for (const p of prompts) await generateAndStore(studio, p);
    const library = new LibraryPage(page);
    await library.open();
    await expect(library.cell(prompts[1]!).getByRole('img')).toHaveJSProperty('complete', true);
    // Showing its first screen, the gallery recorded where its cells are (lib/library/boot.ts).
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('atelier.library.boot.v1')))
      .not.toBeNull();

    // The next visit, straight to #library: record what the early picture was, before the app's code ran.
    await page.addInitScript(() => {
      const seen: { at: number; imgs: { src: string; rect: number[] }[] }[] = [];
      (window as unknown as { __boot: typeof seen }).__boot = seen;
      new MutationObserver(() => {
        const box = document.getElementById('library-boot');
        if (!box || seen.length) return;
        seen.push({
          at: performance.now(),
          imgs: [...box.querySelectorAll('img')].map((img) => {
            const r = img.getBoundingClientRect();
            return { src: img.src, rect: [r.left, r.top, r.width, r.height] };
          }),
        });
      }).observe(document, { childList: true, subtree: true });
    });
    const base = page.url().replace(/#.*$/, '');
    await page.goto(`${base}#library`);
    await page.reload(); // a real load (going to the fragment alone stays in the same document)
    await expect(library.cell(prompts[1]!).getByRole('img')).toHaveJSProperty('complete', true);
    // It is gone once the gallery shows its own thumbnails.
    await expect(page.locator('#library-boot')).toHaveCount(0);
    const boot = await page.evaluate(
      () => (window as unknown as { __boot: { imgs: { src: string; rect: number[] }[] }[] }).__boot,
    );
    expect(boot).toHaveLength(1);
    // Newest first, each thumbnail exactly where the gallery's cell for it is, and the same image.
    const live = await page.locator('li.cell').evaluateAll((lis) =>
      lis
        .map((li) => {
          const r = li.getBoundingClientRect();
          return {
            pos: Number((li as HTMLElement).dataset.pos),
            src: li.querySelector('img')?.src ?? '',
            rect: [r.left, r.top, r.width, r.height],
          };
        })
        .sort((a, b) => a.pos - b.pos),
    );
    const early = boot[0]!.imgs;
    expect(early.length).toBeGreaterThanOrEqual(2);
    for (const [i, img] of early.entries()) {
      for (let k = 0; k < 4; k++) expect(Math.abs(img.rect[k]! - live[i]!.rect[k]!)).toBeLessThan(1);
      const same = await page.evaluate(
        async ([a, b]) => {
          // The same pixels (fetching a data: URL is not allowed here by the app's own CSP).
          const pixels = async (u: string) => {
            const im = new Image();
            im.src = u;
            await im.decode();
            const c = document.createElement('canvas');
            c.width = im.naturalWidth;
            c.height = im.naturalHeight;
            c.getContext('2d')!.drawImage(im, 0, 0);
            return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.join(',');
          };
          return (await pixels(a!)) === (await pixels(b!));
        },
        [img.src, live[i]!.src],
      );
      expect(same).toBe(true);
    }
    await page.screenshot({ path: testInfo.outputPath('library-after-boot.png') });

    // A window of another size gets no early picture (the layout would not fit).
    await page.setViewportSize({ width: 900, height: 700 });
    await page.reload();
    await expect(library.cell(prompts[1]!).getByRole('img')).toHaveJSProperty('complete', true);
    expect(await page.evaluate(() => (window as unknown as { __boot: unknown[] }).__boot.length)).toBe(0);

    // A thumbnail pressed on the early picture, before the app's code has loaded, opens once the gallery is there.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.reload();
    await expect(library.cell(prompts[1]!).getByRole('img')).toHaveJSProperty('complete', true);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/assets\/app-[^/]*\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.reload({ waitUntil: 'commit' });
    await page.locator('#library-boot img').first().click();
    release();
    await expect(library.region.getByRole('region', { name: prompts[1]! })).toBeVisible();
    await expect(page.locator('#library-boot')).toHaveCount(0);
  });

  test('export, clear, import: the same bytes and the same recipes, and never the key', async ({
    studio,
    page,
    apiKey,
  }, testInfo) => {
    // The Blob download path (a file picker cannot be answered in a headless test).
    await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await page.reload();
    const prompts = [studio.promptText('A red kite'), studio.promptText('A blue kite')];
    for (const p of prompts) await generateAndStore(studio, p);
    const before = await storedRecords(page);
    const bytesBefore = await storedBlobs(page);
    expect(before).toHaveLength(2);

    const library = new LibraryPage(page);
    await library.open();
    const download = page.waitForEvent('download');
    await library.button('Export').click();
    const zipPath = testInfo.outputPath('library.zip');
    await (await download).saveAs(zipPath);
    await expect(library.region.getByRole('status').filter({ hasText: 'Exported 2 item(s)' })).toBeVisible();
    const zip = readFileSync(zipPath);
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip.includes(Buffer.from(apiKey))).toBe(false);

    await clearLibrary(page);
    await page.reload();
    await library.open();
    await expect(library.region).toContainText('Nothing yet');

    await library.importFile(zipPath);
    await expect(library.region.getByRole('status').filter({ hasText: 'Import finished' })).toContainText(
      '2 added, 0 skipped (already here), 0 rejected',
    );
    const sort = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(sort(await storedRecords(page))).toEqual(sort(before));
    expect(await storedBlobs(page)).toEqual(bytesBefore);
    // Content-addressed: every key is the SHA-256 of its own bytes.
    for (const [key, sizeAndDigest] of Object.entries(bytesBefore))
      expect(sizeAndDigest).toMatch(new RegExp(`:${key}$`));
    for (const p of prompts) await expect(library.cell(p)).toBeVisible();

    // The same zip again adds nothing.
    await library.importFile(zipPath);
    await expect(library.region.getByRole('status').filter({ hasText: 'Import finished' })).toContainText(
      '0 added, 2 skipped',
    );
  });

  test('a damaged or foreign file is rejected and nothing changes', async ({ studio, page }, testInfo) => {
    const prompt = studio.promptText('A lantern in fog');
    await generateAndStore(studio, prompt);
    const before = await storedRecords(page);
    const library = new LibraryPage(page);
    await library.open();

    const notZip = testInfo.outputPath('not-a-zip.zip');
    writeFileSync(notZip, 'this is plain text pretending to be a zip');
    await library.importFile(notZip);
    await expect(library.region.getByRole('alert')).toContainText(
      'Import rejected: The file is not a zip archive',
    );

    const damaged = testInfo.outputPath('damaged.zip');
    writeFileSync(damaged, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 0x41)]));
    await library.importFile(damaged);
    await expect(library.region.getByRole('alert')).toContainText('Import rejected');
    await expect(library.region.getByRole('alert')).toContainText('Nothing in your library was changed.');

    expect(await storedRecords(page)).toEqual(before);
    await expect(library.cell(prompt)).toBeVisible();
  });

  test('two tabs generating at the same time both keep their images, and each tab sees both', async ({
    context,
    apiKey,
    tag,
  }) => {
    const [a, b] = [await context.newPage(), await context.newPage()];
    const studios = [new StudioPage(a, `${tag}-a`), new StudioPage(b, `${tag}-b`)];
    for (const s of studios) {
      await preconnect(s.page, { apiKey });
      await s.open();
    }
    const prompts = studios.map((s, i) => s.promptText(`Tab ${i + 1} kite`));
    await Promise.all(studios.map((s, i) => s.generate(prompts[i]!)));
    for (const [i, s] of studios.entries())
      await expect(s.finalImages(prompts[i]!)).toHaveCount(1, { timeout: 20_000 });

    await expect
      .poll(async () => (await storedRecords(a)).map((r) => r.recipe.prompt).sort())
      .toEqual([...prompts].sort());
    // The other tab heard about the change over the BroadcastChannel.
    for (const s of studios) {
      const library = new LibraryPage(s.page);
      await library.open();
      for (const p of prompts) await expect(library.cell(p)).toBeVisible();
    }
  });

  test('a full disk: the new image is not half-saved, the user is told, earlier items are intact', async ({
    studio,
    page,
  }) => {
    // Simulates a full disk for the blob database only, from the moment the test says so.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
        if (
          (window as { __diskFull?: boolean }).__diskFull &&
          this.transaction.db.name === 'atelier-library-blobs-v1'
        )
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    await page.reload();
    const first = studio.promptText('A first saved image');
    await generateAndStore(studio, first);
    const before = await storedRecords(page);
    const blobsBefore = await storedBlobs(page);

    await page.evaluate(() => ((window as { __diskFull?: boolean }).__diskFull = true));
    const second = studio.promptText('An image that does not fit');
    await studio.generate(second);
    await expect(studio.finalImages(second)).toHaveCount(1, { timeout: 20_000 });
    const alert = page.getByRole('alert').filter({ hasText: 'Storage is full' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('Earlier items are safe');
    await expect(alert.getByRole('button', { name: 'Open library' })).toBeVisible();

    expect(await storedRecords(page)).toEqual(before);
    expect(await storedBlobs(page)).toEqual(blobsBefore);
    await page.evaluate(() => ((window as { __diskFull?: boolean }).__diskFull = false));
    await alert.getByRole('button', { name: 'Open library' }).click();
    const library = new LibraryPage(page);
    await expect(library.cell(first)).toBeVisible();
    await expect(library.cell(second)).toHaveCount(0);
  });

  test('delete can be undone, then really deletes', async ({ studio, page }) => {
    const prompt = studio.promptText('A short-lived image');
    await generateAndStore(studio, prompt);
    const library = new LibraryPage(page);
    await library.open();
    await library.cell(prompt).click();
    await library.button('Delete').click();
    await expect(library.cell(prompt)).toHaveCount(0);
    await library.button('Undo').click();
    await expect(library.cell(prompt)).toBeVisible();
    expect((await storedRecords(page)).map((r) => r.recipe.prompt)).toContain(prompt);

    await library.region.getByRole('checkbox', { name: `Select ${prompt.slice(0, 80)}` }).check();
    await library.button('Delete').click();
    await expect.poll(async () => (await storedRecords(page)).length, { timeout: 15_000 }).toBe(0);
    expect(await storedBlobs(page)).toEqual({});
  });
});

test.describe('Library when storage fails', () => {
  test.describe.configure({ timeout: 90_000 });

  test('an image whose bytes cannot be read shows a placeholder; the rest of the library works', async ({
    studio,
    page,
  }) => {
    const damaged = studio.promptText('A picture whose bytes are lost');
    const whole = studio.promptText('A picture that is fine');
    await generateAndStore(studio, damaged);
    await generateAndStore(studio, whole);
    const record = (await storedRecords(page)).find((r) => r.recipe.prompt === damaged)!;
    // Its image and thumbnail become unreadable values, and the first-screen record (which carries thumbnails)
    // is gone, as for any item beyond the first screen.
    await page.evaluate(
      async ([hashes, blobDb, recentKey]) => {
        const run = (db: string, store: string, fn: (s: IDBObjectStore) => void) =>
          new Promise<void>((resolve, reject) => {
            const open = indexedDB.open(db);
            open.onsuccess = () => {
              const tx = open.result.transaction(store, 'readwrite');
              fn(tx.objectStore(store));
              tx.oncomplete = () => {
                open.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error);
            };
            open.onerror = () => reject(open.error);
          });
        await run(blobDb, 'blobs', (s) => hashes.forEach((h) => s.put('damaged bytes', h)));
        localStorage.removeItem(recentKey);
      },
      [[record.image.hash, record.thumb!.hash], BLOB_DB, RECENT_KEY] as const,
    );

    await page.reload();
    const library = new LibraryPage(page);
    await library.open();
    await expect(library.cell(damaged).getByRole('img')).toHaveText('Image unavailable');
    await expect(library.cell(whole).getByRole('img')).toHaveJSProperty('complete', true);
    await library.cell(damaged).click();
    const detail = library.region.getByRole('region', { name: damaged });
    await expect(detail.getByRole('img', { name: 'Image unavailable' })).toContainText(
      'Its recipe is still here',
    );
    await expect(detail).toContainText('gpt-image-2.6-flare');

    // Everything else still works: the other item opens with its image, search narrows, delete deletes.
    await library.cell(whole).click();
    await expect(
      library.region.getByRole('region', { name: whole }).getByRole('img', { name: whole }),
    ).toHaveJSProperty('complete', true);
    await library.search.fill('whose bytes are lost');
    await expect(library.cell(whole)).toHaveCount(0);
    await expect(library.cell(damaged)).toBeVisible();
    await library.search.fill('');
    await library.cell(damaged).click();
    await detail.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(library.cell(damaged)).toHaveCount(0);
    await expect
      .poll(async () => (await storedRecords(page)).map((r) => r.recipe.prompt), { timeout: 15_000 })
      .toEqual([whole]);
  });

  test('without IndexedDB (private browsing): generating works and the app says history is not kept', async ({
    studio,
    page,
  }) => {
    await page.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('IndexedDB is not available in this mode.', 'InvalidStateError');
      };
    });
    await page.reload();
    const prompt = studio.promptText('An image nobody keeps');
    await studio.generate(prompt);
    await expect(studio.finalImages(prompt)).toHaveCount(1, { timeout: 20_000 });
    await expect(studio.finalImages(prompt)).toHaveJSProperty('complete', true);
    const note = page.getByRole('note').filter({ hasText: 'history will not be kept' });
    await expect(note).toBeVisible();
    await expect(note).toContainText('Generating still works');
    // No "could not be saved" alarm on top of it: not keeping history is expected here.
    await expect(page.getByRole('alert').filter({ hasText: 'could not be saved' })).toHaveCount(0);

    const library = new LibraryPage(page);
    await library.open();
    await expect(library.region.getByRole('alert')).toContainText('history will not be kept');
    await expect(library.button('Import')).toBeDisabled();

    // And a second image still generates.
    await library.openButton.click();
    const again = studio.promptText('Another image nobody keeps');
    await studio.generate(again);
    await expect(studio.finalImages(again)).toHaveCount(1, { timeout: 20_000 });
  });
});
