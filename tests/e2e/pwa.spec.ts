/**
 * The installable, offline app: manifest and icons, the service worker's precache (the app and its lazily loaded
 * parts open with no network), API calls never cached, a request sent offline failing plainly and retried when
 * back online, "Update available" instead of a reload under the user's
 * hands, and files handed over by the operating system landing in the editor.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { APP_ORIGIN, MOCK_ORIGIN, expect, test } from './support/fixtures';
import { LibraryPage, storedRecords } from './support/library';

const RUN_ENDS = { timeout: 30_000 };

test.use({ serviceWorkers: 'allow' });
// The last test changes the built sw.js on disk; the others must not run beside it.
test.describe.configure({ mode: 'serial' });

const OUT_DIR = process.env.ATELIER_OUT_DIR || 'dist';

/** Waits until a service worker controls the page (the first visit installs it; a reload puts it in charge). */
async function controlledBySw(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
}

test('the manifest declares the name, real icons (maskable too) and PNG/JPEG/WebP file handlers', async ({
  page,
  request,
}) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifest = await (await request.get(new URL(href!, APP_ORIGIN).href)).json();
  expect(manifest).toMatchObject({ short_name: 'Atelier', display: 'standalone', start_url: '/' });
  const icons = manifest.icons as { src: string; sizes: string; purpose: string }[];
  expect(icons.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual([
    '192x192 any',
    '192x192 maskable',
    '512x512 any',
    '512x512 maskable',
  ]);
  for (const icon of icons) {
    const res = await request.get(new URL(icon.src, APP_ORIGIN).href);
    expect(res.headers()['content-type']).toBe('image/png');
    const bytes = await res.body();
    // PNG signature, then the IHDR width: the file is really the size the manifest claims.
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`).toBe(icon.sizes);
  }
  expect(manifest.share_target).toMatchObject({ action: '/share-target', method: 'POST' });
  expect(manifest.file_handlers[0].accept).toEqual({
    'image/png': ['.png'],
    'image/jpeg': ['.jpg', '.jpeg'],
    'image/webp': ['.webp'],
  });
});

test('after one visit the app, its library, settings and editor open with no network', async ({
  page,
  context,
  studio,
}) => {
  // The studio fixture made the first visit: the service worker installs and says so once.
  await expect(page.getByRole('status').filter({ hasText: 'ready to work offline' })).toBeVisible();
  await controlledBySw(page);
  const kept = studio.promptText('Kept for offline');
  await studio.generate(kept);
  await expect(studio.status(kept, 'Done')).toBeVisible(RUN_ENDS);
  // The library saves in the background once the image is shown; wait until it is stored.
  await expect
    .poll(async () =>
      (await storedRecords(page)).some((r) => r.recipe.prompt === kept && r.partialIndex === null),
    )
    .toBe(true);

  await context.setOffline(true);
  await expect(page.getByRole('status').filter({ hasText: 'generating needs a connection' })).toBeVisible();
  await page.reload();
  await expect(studio.prompt).toBeVisible();
  // The library (a lazily loaded view) opens and shows what was made online.
  const library = new LibraryPage(page);
  await library.open();
  await expect(library.cell(kept)).toBeVisible();
  await library.cell(kept).click();
  await expect(library.region.getByRole('heading', { name: kept })).toBeVisible();
  await expect(library.region.getByText('generation · /images/generations')).toBeVisible();
  await library.openButton.click();
  // Lazily loaded chunks come from the precache too.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Source images' })).toBeVisible();

  // What needs the API says so, and the draft is not lost.
  await page.getByRole('tab', { name: 'Generate', exact: true }).click();
  const prompt = studio.promptText('Offline generate');
  await studio.generate(prompt);
  await expect(studio.run(prompt).first().getByRole('alert')).toContainText(/offline/i, RUN_ENDS);
  await expect(studio.prompt).toHaveValue(prompt);
  await context.setOffline(false);
});

test('API calls go to the network and are never cached by the service worker', async ({
  page,
  studio,
  mock,
}) => {
  await controlledBySw(page);
  const prompt = studio.promptText('Through the service worker');
  await studio.generate(prompt);
  await expect(studio.status(prompt, 'Done')).toBeVisible(RUN_ENDS);
  expect(await mock.generations()).toHaveLength(1);
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
    }
    return urls;
  });
  expect(cached.length).toBeGreaterThan(5);
  expect(cached.filter((u) => !u.startsWith(APP_ORIGIN))).toEqual([]);
  expect(cached.some((u) => u.includes(MOCK_ORIGIN) || u.includes('/v1/'))).toBe(false);
});

test('a file opened with the installed app lands in the editor as a source image', async ({
  page,
  studio,
}) => {
  const png = await readFile(path.join('public', 'icons', 'icon-192.png'));
  // The File Handling API exists only for installed apps: stand in for the browser's launch queue.
  await page.addInitScript((bytes: number[]) => {
    const file = new File([new Uint8Array(bytes)], 'opened-from-desktop.png', { type: 'image/png' });
    // Chromium has a native (read-only) launchQueue that only an installed app's launch fills.
    Object.defineProperty(window, 'launchQueue', {
      configurable: true,
      value: {
        setConsumer(consumer: (p: { files: { getFile(): Promise<File> }[] }) => void) {
          setTimeout(() => consumer({ files: [{ getFile: async () => file }] }), 50);
        },
      },
    });
  }, Array.from(png));
  await studio.open();
  await expect(page.getByRole('tab', { name: 'Edit', exact: true })).toHaveAttribute('aria-selected', 'true');
  const sources = page.getByRole('region', { name: 'Source images' });
  await expect(sources.getByRole('img', { name: 'opened-from-desktop.png' })).toBeVisible();
});

test('shared with the installed app, images land in the editor and the text in the prompt', async ({
  page,
  studio,
}) => {
  await controlledBySw(page);
  const png = await readFile(path.join('public', 'icons', 'icon-192.png'));
  // What the system's Share sheet does: a multipart POST to the manifest's share_target action, which the
  // service worker answers (there is no server) with a redirect into the app.
  const opened = await page.evaluate(async (bytes: number[]) => {
    const form = new FormData();
    form.append('text', 'a lighthouse, in the style of this icon');
    form.append('images', new File([new Uint8Array(bytes)], 'shared-from-photos.png', { type: 'image/png' }));
    const res = await fetch('/share-target', { method: 'POST', body: form });
    return { url: res.url, redirected: res.redirected };
  }, Array.from(png));
  expect(opened.redirected).toBe(true);
  expect(new URL(opened.url).searchParams.get('shared')).toMatch(/^[\w-]+$/);
  await page.goto(opened.url);
  await expect(page.getByRole('tab', { name: 'Edit', exact: true })).toHaveAttribute('aria-selected', 'true');
  const sources = page.getByRole('region', { name: 'Source images' });
  await expect(sources.getByRole('img', { name: 'shared-from-photos.png' })).toBeVisible();
  await expect(studio.prompt).toHaveValue('a lighthouse, in the style of this icon');
  // The address no longer carries the share, and a reload does not take it again.
  expect(new URL(page.url()).searchParams.has('shared')).toBe(false);
  await page.reload();
  await expect(page.getByRole('img', { name: 'shared-from-photos.png' })).toHaveCount(0);
});

test('installed, a request sent offline fails as "You are offline"; back online, Retry sends the same body', async ({
  page,
  context,
  studio,
  mock,
}) => {
  // As after one visit: the service worker has the app, so only the API needs the network.
  await controlledBySw(page);
  const prompt = studio.promptText('Sent while offline');
  await studio.partialImages.fill('1');
  await context.setOffline(true);
  await studio.generate(prompt);
  const failed = studio.run(prompt).first();
  await expect(failed.locator('header .badge', { hasText: 'Failed' })).toBeVisible(RUN_ENDS);
  await expect(failed.getByRole('alert')).toContainText('You are offline');
  const retry = failed.getByRole('button', { name: 'Retry', exact: true });
  await expect(retry).toBeDisabled();
  expect(await mock.generations()).toHaveLength(0);

  await context.setOffline(false);
  await expect(failed.getByText('You are back online')).toBeVisible();
  await retry.click();
  await expect(studio.run(prompt)).toHaveCount(2);
  await expect(studio.run(prompt).first().locator('header .badge', { hasText: 'Done' })).toBeVisible(
    RUN_ENDS,
  );
  const [body] = await mock.generationBodies(1);
  expect(body).toMatchObject({ prompt, stream: true, partial_images: 1 });
});

test('a new version waits for the user: "Update available", and Reload switches to it', async ({
  page,
  studio,
}) => {
  await controlledBySw(page);
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  await studio.prompt.fill('a draft typed before the update');

  const swPath = path.join(OUT_DIR, 'sw.js');
  const original = await readFile(swPath, 'utf8');
  try {
    await writeFile(swPath, `${original}\n// a new build\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const notice = page.getByRole('status').filter({ hasText: 'Update available' });
    await expect(notice).toBeVisible();
    // Nothing reloaded by itself.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

    const reloaded = page.waitForEvent('framenavigated');
    await notice.getByRole('button', { name: 'Reload', exact: true }).click();
    await reloaded;
    await page.waitForLoadState('load');
    expect(
      await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere),
    ).toBeUndefined();
    await expect(studio.prompt).toHaveValue('a draft typed before the update');
    await expect(page.getByRole('status').filter({ hasText: 'Update available' })).toBeHidden();
  } finally {
    await writeFile(swPath, original);
  }
});
