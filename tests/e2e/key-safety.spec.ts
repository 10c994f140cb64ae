import { APP_ORIGIN, expect, MOCK_BASE_URL, MOCK_ORIGIN, test } from './support/fixtures';
import { dumpStorage, SettingsDialog, storageHits } from './support/settings';
import { StudioPage } from './support/studio';

/** The origin a request goes to; blob: URLs count as their creator's origin, data: URLs as none. */
function originOf(url: string): string | null {
  if (url.startsWith('data:')) return null;
  return new URL(url).origin;
}

test('the key goes only to the Base URL, only in the Authorization header', async ({
  page,
  apiKey,
  tag,
  network,
  mock,
}) => {
  // Connect through the dialog, test the connection, save, then generate a streamed image.
  await page.goto('/');
  const settings = new SettingsDialog(page);
  await settings.fill(apiKey);
  await settings.test.click();
  await expect(settings.success).toContainText('Connected.');
  await settings.save.click();
  await expect(settings.dialog).toBeHidden();

  const studio = new StudioPage(page, tag);
  const prompt = studio.promptText('A brass key on velvet');
  await studio.partialImages.fill('1');
  await studio.generate(prompt);
  await expect(studio.finalImages(prompt)).toHaveCount(1);
  await expect(studio.status(prompt, 'Done')).toBeVisible();
  // Reload once more: whatever the app does on start-up must obey the same rule.
  await page.reload();
  await expect(studio.prompt).toBeVisible();

  const requests = await network.all();
  expect(requests.length).toBeGreaterThan(0);

  // Every request goes to the app itself or to the mock: nothing else, and never to api.openai.com.
  const origins = new Set(requests.map((r) => originOf(r.url)).filter((o) => o !== null));
  expect([...origins].sort()).toEqual([APP_ORIGIN, MOCK_ORIGIN].sort());
  expect(requests.filter((r) => r.url.includes('openai.com'))).toEqual([]);

  // The key never appears in a URL.
  expect(requests.filter((r) => r.url.includes(apiKey)).map((r) => r.url)).toEqual([]);

  // Every request that carries credentials goes to the Base URL, under /v1, with exactly `Bearer <key>`.
  const authorized = requests.filter((r) => 'authorization' in r.headers);
  expect(authorized.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(
    expect.arrayContaining(['GET /v1/models', 'POST /v1/images/generations']),
  );
  for (const r of authorized) {
    expect(r.url.startsWith(`${MOCK_BASE_URL}/`), r.url).toBe(true);
    expect(r.headers.authorization).toBe(`Bearer ${apiKey}`);
  }
  // ...and the key shows up in no other header of any request (e.g. a referrer or a custom header).
  for (const r of requests)
    for (const [name, value] of Object.entries(r.headers))
      if (name !== 'authorization') expect(value, `${name} of ${r.url}`).not.toContain(apiKey);

  // The app's own files are fetched without the key.
  expect(requests.filter((r) => r.url.startsWith(APP_ORIGIN) && 'authorization' in r.headers)).toEqual([]);

  // What the mock received matches: the model list from Test connection, then the generation.
  const received = await mock.requests();
  expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(
    expect.arrayContaining(['GET /v1/models', 'POST /v1/images/generations']),
  );
  for (const r of received) expect(r.query).toBe('');

  // The key sits only in this tab's settings record; the model cache and the options hold no copy.
  expect(storageHits(await dumpStorage(page), apiKey)).toEqual(['session:atelier.settings.v1']);
});
