/**
 * Trust (issue 7): where requests go, where the key is kept, what runs, and how failures are retried.
 * Run alone with: MOCK_OPENAI_PORT=8997 E2E_APP_PORT=4374 npx playwright test tests/e2e/trust.spec.ts
 */
import type { BrowserContext, Page } from '@playwright/test';
import {
  APP_ORIGIN,
  expect,
  MOCK_BASE_URL,
  MOCK_ORIGIN,
  NetworkRecorder,
  SETTINGS_KEY,
  test,
  type RecordedRequest,
} from './support/fixtures';
import { readFile, writeFile } from 'node:fs/promises';
import { unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { clearLibrary, LibraryPage } from './support/library';
import { dumpIndexedDb, dumpStorage, keyBadge, SettingsDialog, storageHits } from './support/settings';
import { StudioPage } from './support/studio';

const VAULT_KEY = 'atelier.vault.v1';
const SAFETY_ID_KEY = 'atelier.safety-id.v1';
const PASSPHRASE = 'tangerine kite over harbour';
/** A run's end can take a while: the mock renders real images, and browser tests share the CPU. */
const RUN_ENDS = { timeout: 30_000 };

/** Collects Content-Security-Policy violations in every page of the context, from before any app script. */
async function watchCsp(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}
const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

/** Every request went to the app or the mock, none carried the key in its URL. */
function expectOnlyOwnOrigins(requests: RecordedRequest[], apiKey: string): void {
  expect(requests.length).toBeGreaterThan(0);
  const foreign = requests.filter((r) => !r.url.startsWith('data:') && !r.url.startsWith('blob:'));
  const origins = new Set(foreign.map((r) => new URL(r.url).origin));
  expect([...origins].filter((o) => o !== APP_ORIGIN && o !== MOCK_ORIGIN)).toEqual([]);
  expect(requests.filter((r) => r.url.includes(apiKey)).map((r) => r.url)).toEqual([]);
}

async function connect(page: Page, apiKey: string): Promise<SettingsDialog> {
  const settings = new SettingsDialog(page);
  await settings.open();
  await settings.fill(apiKey);
  return settings;
}

test.describe('the key', () => {
  test('connect, generate and copy as curl: only the app and the mock are contacted; the key stays in this tab', async ({
    page,
    context,
    apiKey,
    tag,
    network,
  }) => {
    test.slow(); // connect, test the connection, generate, copy
    await watchCsp(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_ORIGIN });
    await page.goto('/');
    const settings = await connect(page, apiKey);
    await expect(settings.thisTabOnly).toBeChecked();
    await settings.test.click();
    await expect(settings.success).toContainText('Connected.');
    await settings.save.click();
    await expect(settings.dialog).toBeHidden();

    const studio = new StudioPage(page, tag);
    const prompt = studio.promptText('A lantern on a quay');
    await studio.partialImages.fill('1');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Done')).toBeVisible(RUN_ENDS);

    const run = studio.run(prompt);
    await run.locator('details summary').first().click();
    await run.getByRole('button', { name: 'Copy request as curl' }).click();
    await expect(run.getByRole('status').filter({ hasText: 'Copied.' })).toBeVisible();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain(`curl -X POST '${MOCK_BASE_URL}/images/generations'`);
    expect(curl).toContain('-H "Authorization: Bearer $OPENAI_API_KEY"');
    expect(curl).toContain(`"prompt": "${prompt}"`);
    expect(curl).toContain("-H 'Accept: text/event-stream'");
    expect(curl).not.toContain(apiKey);

    expectOnlyOwnOrigins(await network.all(), apiKey);
    const storage = await dumpStorage(page);
    expect(storageHits(storage, apiKey)).toEqual([`session:${SETTINGS_KEY}`]);
    expect(Object.values(storage.local).join('\n')).not.toContain(apiKey);
    expect(await cspViolations(page)).toEqual([]);
  });

  test('a whole session (generate, edit, conversation, library, export) talks only to the app and the API, and keeps the key nowhere else', async ({
    page,
    context,
    apiKey,
    tag,
    network,
  }) => {
    test.slow(); // a generation, an edit, the library and an export
    await watchCsp(context);
    // The Blob download path of Export (a file picker cannot be answered in a headless test).
    await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await page.goto('/');
    const settings = await connect(page, apiKey);
    await settings.save.click();
    await expect(settings.dialog).toBeHidden();

    const studio = new StudioPage(page, tag);
    const made = studio.promptText('A kite over the dunes');
    await studio.generate(made);
    await expect(studio.status(made, 'Done')).toBeVisible(RUN_ENDS);

    await page.getByRole('tab', { name: 'Edit', exact: true }).click();
    const source = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#468' } })
      .png()
      .toBuffer();
    const sources = page.getByRole('region', { name: 'Source images' });
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'dunes.png', mimeType: 'image/png', buffer: source }]);
    await expect(sources.getByRole('img', { name: 'dunes.png' })).toBeVisible();
    const edited = studio.promptText('Add a second kite');
    await studio.prompt.fill(edited);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await expect(studio.status(edited, 'Done')).toBeVisible(RUN_ENDS);

    await page.getByRole('tab', { name: 'Conversation', exact: true }).click();
    const said = `A kite festival ${tag}`;
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(said);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const turn = page.getByRole('list', { name: 'Conversation', exact: true }).getByRole('listitem').first();
    await expect(turn.locator('.badge')).toHaveText('Done', RUN_ENDS);

    const library = new LibraryPage(page);
    await library.open();
    await expect(library.cell(made)).toBeVisible();
    await expect(library.cell(edited)).toBeVisible();
    await expect(library.cell(said)).toBeVisible();
    const download = page.waitForEvent('download');
    await library.button('Export').click();
    const zip = await readFile((await (await download).path())!);
    const entries = unzipSync(new Uint8Array(zip));
    expect(Object.keys(entries).length).toBeGreaterThan(2);
    for (const [name, bytes] of Object.entries(entries))
      expect(Buffer.from(bytes).includes(apiKey), `${name} in the export`).toBe(false);

    expectOnlyOwnOrigins(await network.all(), apiKey);
    const db = await dumpIndexedDb(page);
    expect(Object.keys(db).some((k) => k.startsWith('atelier-library-meta'))).toBe(true);
    expect(
      Object.entries(db)
        .filter(([, v]) => v.includes(apiKey))
        .map(([k]) => k),
    ).toEqual([]);
    expect(storageHits(await dumpStorage(page), apiKey)).toEqual([`session:${SETTINGS_KEY}`]);
    expect(await cspViolations(page)).toEqual([]);
  });

  test('locked with a passphrase: encrypted at rest, unlocked per tab, wrong passphrase refused, Forget wipes it', async ({
    page,
    context,
    apiKey,
    tag,
    mock,
  }) => {
    test.slow(); // three tabs, three key derivations and a generation
    await watchCsp(context);
    const recorders = [new NetworkRecorder(page)];
    await page.goto('/');
    const settings = await connect(page, apiKey);
    await settings.dialog.getByRole('radio', { name: 'Remember, locked with a passphrase' }).check();
    const pass = settings.dialog.getByLabel('Passphrase', { exact: true });
    const repeat = settings.dialog.getByLabel('Repeat passphrase', { exact: true });
    await pass.fill('short');
    await settings.save.click();
    await expect(settings.dialog.getByText(/Too short/)).toBeVisible();
    await expect(pass).toBeFocused();
    await pass.fill(PASSPHRASE);
    await repeat.fill(PASSPHRASE);
    await settings.save.click();
    await expect(settings.dialog).toBeHidden();
    await expect(keyBadge(page)).toContainText('Key set');

    // On the device: only the encrypted record. This tab keeps the unlocked key in its sessionStorage.
    let storage = await dumpStorage(page);
    expect(Object.values(storage.local).join('\n')).not.toContain(apiKey);
    const vault = JSON.parse(storage.local[VAULT_KEY]!) as Record<string, unknown>;
    expect(Object.keys(vault).sort()).toEqual(['ciphertext', 'iterations', 'iv', 'salt', 'v']);
    expect(vault.iterations).toBeGreaterThanOrEqual(600_000);
    expect(storageHits(storage, apiKey)).toEqual([`session:${SETTINGS_KEY}`]);

    // A new tab: nothing unlocked yet, so the key is nowhere in clear text and the Unlock prompt shows.
    const tab = await context.newPage();
    recorders.push(new NetworkRecorder(tab));
    await tab.goto('/');
    const unlock = tab.getByRole('dialog', { name: 'Unlock your API key' });
    await expect(unlock).toBeVisible();
    storage = await dumpStorage(tab);
    expect(storageHits(storage, apiKey)).toEqual([]);
    expect(storage.local[VAULT_KEY]).toBeTruthy();

    await unlock.getByLabel('Passphrase', { exact: true }).fill('tangerine kite over harbor');
    await unlock.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect(unlock.getByRole('alert')).toContainText('Wrong passphrase');
    await expect(unlock).toBeVisible();
    expect((await dumpStorage(tab)).local[VAULT_KEY]).toBe(storage.local[VAULT_KEY]);

    await unlock.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await unlock.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect(unlock).toBeHidden();
    await expect(keyBadge(tab)).toContainText('Key set');
    const studio = new StudioPage(tab, tag);
    const prompt = studio.promptText('An unlocked door');
    await studio.partialImages.fill('1');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Done')).toBeVisible(RUN_ENDS);
    expect(await mock.generations()).toHaveLength(1);
    // The image went to the library, and nothing in IndexedDB holds the key in the clear.
    await expect
      .poll(async () => (await dumpIndexedDb(tab))['atelier-library-meta-v1/items'] ?? '')
      .toContain(prompt);
    const db = await dumpIndexedDb(tab);
    expect(
      Object.entries(db)
        .filter(([, v]) => v.includes(apiKey))
        .map(([k]) => k),
    ).toEqual([]);

    // A reload of the same tab does not ask again.
    await tab.reload();
    await expect(studio.prompt).toBeVisible();
    await expect(keyBadge(tab)).toContainText('Key set');
    await expect(unlock).toBeHidden();

    // Forget key from the Unlock prompt of yet another tab: gone everywhere.
    const third = await context.newPage();
    recorders.push(new NetworkRecorder(third));
    await third.goto('/');
    const unlock3 = third.getByRole('dialog', { name: 'Unlock your API key' });
    await unlock3.getByRole('button', { name: 'Forget key', exact: true }).click();
    await expect(unlock3).toBeHidden();
    await expect(third.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    storage = await dumpStorage(third);
    expect(storage.local[VAULT_KEY]).toBeUndefined();
    expect(storageHits(storage, apiKey)).toEqual([]);

    for (const r of recorders) expectOnlyOwnOrigins(await r.all(), apiKey);
    for (const p of [page, tab, third]) expect(await cspViolations(p)).toEqual([]);
  });
});

test.describe('hostile text', () => {
  const PAYLOADS = [
    '<img src=x onerror=window.__xss=1>',
    '<script>window.__xss=1</script>',
    'javascript:window.__xss=1',
  ];

  test('in the prompt, a revised prompt and an error message, it is shown as text and runs nothing', async ({
    page,
    context,
    studio,
    network,
    apiKey,
  }) => {
    test.slow(); // two generations
    await watchCsp(context);
    await page.reload();
    // The mock has no revised prompts: add one to its real answer.
    await page.route(`${MOCK_BASE_URL}/images/generations`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      const json = (await response.json()) as { data?: Record<string, unknown>[] };
      if (json.data?.[0]) json.data[0].revised_prompt = `Revised: ${PAYLOADS.join(' ')}`;
      await route.fulfill({ response, json });
    });

    await studio.stream.uncheck();
    const prompt = studio.promptText(PAYLOADS.join(' '));
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Done')).toBeVisible(RUN_ENDS);
    const run = studio.run(prompt);
    await expect(run.locator('.prompt')).toHaveText(prompt);
    await expect(run.getByText(`Revised: ${PAYLOADS.join(' ')}`)).toBeVisible();

    // The mock echoes an unknown parameter's name in its error message.
    await studio.openAdvanced();
    await studio.extraJson.fill(JSON.stringify({ [PAYLOADS[0]!]: 1, [PAYLOADS[1]!]: 2 }));
    const bad = studio.promptText('Hostile parameter names');
    await studio.generate(bad);
    await expect(studio.status(bad, 'Failed')).toBeVisible(RUN_ENDS);
    await expect(studio.run(bad).getByRole('alert')).toContainText(`Unknown parameter: '${PAYLOADS[0]}'`);

    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await expect(page.locator('main img[src="x"], main script, main a[href^="javascript:"]')).toHaveCount(0);
    const requests = await network.all();
    expect(requests.filter((r) => r.url === `${APP_ORIGIN}/x`)).toEqual([]);
    expectOnlyOwnOrigins(requests, apiKey);
    expect(await cspViolations(page)).toEqual([]);
  });

  test('in a file name and in an imported library manifest, it is shown as text and runs nothing', async ({
    page,
    context,
    studio,
    network,
    apiKey,
  }, testInfo) => {
    test.slow(); // a generation, an export and an import
    await watchCsp(context);
    await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await page.reload();

    // A source image whose file name is markup.
    await page.getByRole('tab', { name: 'Edit', exact: true }).click();
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#845' } })
      .png()
      .toBuffer();
    const sources = page.getByRole('region', { name: 'Source images' });
    const hostileName = `${PAYLOADS[0]}.png`;
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: hostileName, mimeType: 'image/png', buffer: png }]);
    await expect(sources.getByText(hostileName)).toBeVisible();
    await page.getByRole('tab', { name: 'Generate', exact: true }).click();

    // A library export whose manifest is then rewritten with markup in every text the gallery shows.
    await studio.stream.uncheck();
    const prompt = studio.promptText('An honest kite');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Done')).toBeVisible(RUN_ENDS);
    const library = new LibraryPage(page);
    await library.open();
    await expect(library.cell(prompt)).toBeVisible();
    const download = page.waitForEvent('download');
    await library.button('Export').click();
    const files = unzipSync(new Uint8Array(await readFile((await (await download).path())!)));
    const hostile = PAYLOADS.join(' ');
    const manifest = new TextDecoder()
      .decode(files['manifest.json']!)
      .split(JSON.stringify(prompt).slice(1, -1))
      .join(JSON.stringify(hostile).slice(1, -1));
    expect(manifest).toContain('onerror');
    files['manifest.json'] = new TextEncoder().encode(manifest);
    const zipPath = testInfo.outputPath('hostile.zip');
    await writeFile(zipPath, zipSync(files));

    await clearLibrary(page);
    await page.reload();
    await library.open();
    await library.importFile(zipPath);
    await expect(library.region.getByRole('status').filter({ hasText: 'Import finished' })).toContainText(
      '1 added',
    );
    await library.cell(hostile).click();
    await expect(library.region.getByRole('heading', { name: hostile })).toBeVisible();

    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await expect(page.locator('main img[src="x"], main script, main a[href^="javascript:"]')).toHaveCount(0);
    const requests = await network.all();
    expect(requests.filter((r) => r.url === `${APP_ORIGIN}/x`)).toEqual([]);
    expectOnlyOwnOrigins(requests, apiKey);
    expect(await cspViolations(page)).toEqual([]);
  });
});

test.describe('Content-Security-Policy', () => {
  test('the built app carries the policy in a meta tag and as a header, and it refuses inline script', async ({
    page,
    context,
  }) => {
    await watchCsp(context);
    const response = await page.goto('/');
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toContain("script-src 'self'");
    expect(meta).toContain("object-src 'none'");
    expect(meta).not.toMatch(/unsafe-eval|unsafe-inline/);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');

    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    expect(await cspViolations(page)).toEqual([]);

    // An injected inline script does not run, and the listener sees the refusal.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__xss = 1';
      document.body.append(s);
    });
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    // One report per policy: the meta tag's and the header's.
    await expect.poll(async () => (await cspViolations(page)).length).toBeGreaterThan(0);
    for (const v of await cspViolations(page)) expect(v).toMatch(/^script-src(-elem)? inline$/);
  });
});

test.describe('a flaky network', () => {
  const RETRY_CASES = [
    { scenario: '429-rate-once', requests: 2, status: 'Done' },
    { scenario: '500-once', requests: 2, status: 'Done' },
    { scenario: 'moderation', requests: 1, status: 'Failed' },
  ];
  for (const c of RETRY_CASES) {
    test(`${c.scenario}: ${c.requests} request(s) at the mock, then ${c.status}`, async ({
      studio,
      mock,
    }) => {
      test.slow(); // the retry waits for retry-after or a back-off
      const prompt = studio.promptText('Retry policy', c.scenario);
      await studio.generate(prompt);
      await expect(studio.status(prompt, c.status)).toBeVisible(RUN_ENDS);
      const bodies = await mock.generationBodies(c.requests);
      for (const b of bodies) expect(b).toEqual(bodies[0]);
    });
  }

  test('going offline mid-request says so while the run waits', async ({ page, context, studio }) => {
    test.slow(); // waits for a streamed partial first
    const prompt = studio.promptText('Offline while streaming', 'stall');
    await studio.partialImages.fill('1');
    await studio.generate(prompt);
    await expect(studio.partial(prompt, 1)).toBeVisible(RUN_ENDS);
    await context.setOffline(true);
    await expect(studio.run(prompt).getByRole('status').filter({ hasText: 'You are offline' })).toBeVisible();
    await context.setOffline(false);
    await expect(studio.run(prompt).getByText('You are offline')).toBeHidden();
    await studio.cancelButton.click();
    await expect(studio.status(prompt, 'Cancelled')).toBeVisible();
    expect(await page.evaluate(() => navigator.onLine)).toBe(true);
  });

  test('leaving the page while a request is in flight asks first; after it ends, it does not', async ({
    page,
    studio,
  }) => {
    test.slow(); // waits for a streamed partial first
    const prompt = studio.promptText('Leaving mid-stream', 'stall');
    await studio.partialImages.fill('1');
    await studio.generate(prompt);
    await expect(studio.partial(prompt, 1)).toBeVisible(RUN_ENDS);
    const asked = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const dialog = await asked;
    expect(dialog.type()).toBe('beforeunload');
    await dialog.dismiss();
    expect(page.isClosed()).toBe(false);
    await studio.cancelButton.click();
    await expect(studio.status(prompt, 'Cancelled')).toBeVisible();
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
  });

  test('Retry on a failed run re-sends exactly the same body', async ({ studio, mock }) => {
    const prompt = studio.promptText('Blocked then retried', 'moderation');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Failed')).toBeVisible(RUN_ENDS);
    await studio.prompt.fill('Something else entirely');
    await studio.run(prompt).getByRole('button', { name: 'Retry', exact: true }).click();
    const [first, second] = await mock.generationBodies(2);
    expect(second).toEqual(first);
  });
});

test.describe('safety identifier', () => {
  test('off by default; when on, a 64-hex id per browser is sent and the Extra JSON still wins', async ({
    page,
    studio,
    mock,
  }) => {
    test.slow(); // three generations
    await studio.stream.uncheck();
    const first = studio.promptText('No identifier');
    await studio.generate(first);
    await expect(studio.status(first, 'Done')).toBeVisible(RUN_ENDS);
    expect(await mock.onlyGenerationBody()).not.toHaveProperty('safety_identifier');

    const settings = new SettingsDialog(page);
    await settings.open();
    const box = settings.dialog.getByRole('checkbox', { name: 'Send a safety identifier' });
    await expect(box).not.toBeChecked();
    await box.check();
    await settings.save.click();
    await expect(settings.dialog).toBeHidden();

    const second = studio.promptText('With identifier');
    await studio.generate(second);
    await expect(studio.status(second, 'Done')).toBeVisible(RUN_ENDS);
    const [, body] = await mock.generationBodies(2);
    const id = (await dumpStorage(page)).local[SAFETY_ID_KEY];
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(body!.safety_identifier).toBe(id);

    await studio.openAdvanced();
    await studio.extraJson.fill('{"safety_identifier": "chosen-by-me"}');
    const third = studio.promptText('Extra JSON wins');
    await studio.generate(third);
    await expect(studio.status(third, 'Done')).toBeVisible(RUN_ENDS);
    const bodies = await mock.generationBodies(3);
    expect(bodies[2]!.safety_identifier).toBe('chosen-by-me');
  });
});
