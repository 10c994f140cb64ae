import {
  expect,
  MOCK_BASE_URL,
  MOCK_ORIGIN,
  SETTINGS_KEY,
  test,
  uid,
  type LoggedRequest,
} from './support/fixtures';
import { dumpStorage, keyBadge, SettingsDialog, storageHits } from './support/settings';

const IMAGE_MODEL = /^(gpt-image|chatgpt-image|dall-e)/i;

/** What the mock lists for a key, asked directly (the numbers the success message must count). */
async function mockModelCounts(apiKey: string): Promise<{ all: number; image: number }> {
  const res = await fetch(`${MOCK_BASE_URL}/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(res.ok).toBe(true);
  const { data } = (await res.json()) as { data: { id: string }[] };
  return { all: data.length, image: data.filter((m) => IMAGE_MODEL.test(m.id)).length };
}

test.describe('Connect', () => {
  test('first visit asks for a key; a good key tests OK, is saved for this tab only, and can be forgotten', async ({
    page,
    context,
    apiKey,
    mock,
  }) => {
    await page.goto('/');
    const settings = new SettingsDialog(page);
    // No key yet: the dialog opens by itself, and the header says so.
    await expect(settings.dialog).toBeVisible();
    await expect(keyBadge(page)).toHaveText('No API key yet');
    await expect(settings.thisTabOnly).toBeChecked();
    await expect(settings.test).toBeDisabled();

    await settings.fill(apiKey);
    await settings.test.click();
    const counts = await mockModelCounts(apiKey);
    expect(counts.image).toBeGreaterThan(0);
    await expect(settings.success).toContainText('Connected.');
    await expect(settings.success).toContainText(
      `This key can see ${counts.all} models, including ${counts.image} image models`,
    );
    await expect(settings.success).toContainText('gpt-image-2, ');
    // The test really went to the mock, with the key in the Authorization header.
    const listed = (await mock.requests()).filter((r) => r.method === 'GET' && r.path === '/v1/models');
    expect(listed.length).toBeGreaterThanOrEqual(1);

    await settings.save.click();
    await expect(settings.dialog).toBeHidden();
    await expect(keyBadge(page)).toHaveText('Key set · this tab only');
    await expect(page.getByText(`${counts.all} models visible`)).toBeVisible();

    let stored = await dumpStorage(page);
    expect(JSON.parse(stored.session[SETTINGS_KEY] ?? '{}')).toMatchObject({
      apiKey,
      baseUrl: MOCK_BASE_URL,
      organization: '',
      project: '',
      persistence: 'session',
    });
    expect(storageHits(stored, apiKey)).toEqual([`session:${SETTINGS_KEY}`]);

    // A reload keeps the key within this tab...
    await page.reload();
    await expect(keyBadge(page)).toHaveText('Key set · this tab only');
    await expect(settings.dialog).toBeHidden();
    // ...but another tab of the same browser does not get it.
    const other = await context.newPage();
    await other.goto('/');
    await expect(new SettingsDialog(other).dialog).toBeVisible();
    await expect(keyBadge(other)).toHaveText('No API key yet');
    expect(storageHits(await dumpStorage(other), apiKey)).toEqual([]);
    await other.close();

    // Forget key wipes it from memory and from both storages.
    await settings.open();
    await expect(settings.apiKey).toHaveValue(apiKey);
    await settings.forget.click();
    await expect(settings.apiKey).toHaveValue('');
    await expect(keyBadge(page)).toHaveText('No API key yet');
    await expect(settings.forget).toBeHidden();
    stored = await dumpStorage(page);
    expect(storageHits(stored, apiKey)).toEqual([]);
    await page.reload();
    await expect(settings.dialog).toBeVisible();
    await expect(settings.apiKey).toHaveValue('');
    expect(storageHits(await dumpStorage(page), apiKey)).toEqual([]);
  });

  test('"Remember on this device" keeps the key across tabs in localStorage only; Forget key wipes it', async ({
    page,
    context,
    apiKey,
  }) => {
    await page.goto('/');
    const settings = new SettingsDialog(page);
    await settings.fill(apiKey);
    await settings.remember.check();
    await settings.save.click();
    await expect(keyBadge(page)).toHaveText('Key set · remembered on this device');
    expect(storageHits(await dumpStorage(page), apiKey)).toEqual([`local:${SETTINGS_KEY}`]);

    const other = await context.newPage();
    await other.goto('/');
    await expect(keyBadge(other)).toHaveText('Key set · remembered on this device');
    await expect(new SettingsDialog(other).dialog).toBeHidden();

    // Switching back to "this tab only" moves the key: no copy stays in localStorage.
    await settings.open();
    await settings.thisTabOnly.check();
    await settings.save.click();
    await expect(keyBadge(page)).toHaveText('Key set · this tab only');
    expect(storageHits(await dumpStorage(page), apiKey)).toEqual([`session:${SETTINGS_KEY}`]);

    await settings.open();
    await settings.forget.click();
    await expect(keyBadge(page)).toHaveText('No API key yet');
    expect(storageHits(await dumpStorage(page), apiKey)).toEqual([]);
    await other.reload();
    await expect(keyBadge(other)).toHaveText('No API key yet');
    expect(storageHits(await dumpStorage(other), apiKey)).toEqual([]);
    await other.close();
  });

  test('Test connection explains a rejected key and an unreachable server', async ({ page }) => {
    await page.goto('/');
    const settings = new SettingsDialog(page);
    const badKey = `sk-bad-${uid()}${uid()}`;

    await settings.fill(badKey);
    await settings.test.click();
    await expect(settings.failure).toContainText('The API key was rejected');
    await expect(settings.failure).toContainText('Check the key in Settings');
    await expect(settings.failure.getByRole('link', { name: 'API keys' })).toHaveAttribute(
      'href',
      'https://platform.openai.com/api-keys',
    );
    // The message never repeats the key itself.
    await expect(settings.failure).not.toContainText(badKey);
    await expect(settings.success).toHaveCount(0);

    await settings.fill(`sk-e2e-${uid()}${uid()}`, 'http://127.0.0.1:9/v1');
    await settings.test.click();
    await expect(settings.failure).toContainText('Could not reach http://127.0.0.1:9');
    await expect(settings.failure).toContainText('CORS');
    await expect(settings.success).toHaveCount(0);

    // A base URL that would send the key in the clear is refused before anything is sent.
    await settings.baseUrl.fill('http://example.com/v1');
    await expect(settings.dialog.getByText('Use https://')).toBeVisible();
    await expect(settings.test).toBeDisabled();
    await expect(settings.save).toBeDisabled();

    // Nothing was saved by testing.
    await settings.close.click();
    await expect(keyBadge(page)).toHaveText('No API key yet');
  });

  test('Test connection names organization verification and links to its settings (403 "must be verified")', async ({
    page,
    mock,
  }) => {
    await page.goto('/');
    const settings = new SettingsDialog(page);
    // A magic key of the mock (tests/mock-openai/README.md): its organization is not verified.
    const unverified = `${mock.apiKey}[[mock:403-verify]]`;
    await settings.fill(unverified);
    await settings.test.click();

    await expect(settings.failure).toContainText('Organization verification required');
    await expect(settings.failure).toContainText('must be verified');
    await expect(settings.failure).toContainText('Verify your organization in the OpenAI settings');
    await expect(settings.failure.getByRole('link', { name: 'Organization settings' })).toHaveAttribute(
      'href',
      'https://platform.openai.com/settings/organization/general',
    );
    await expect(settings.failure).not.toContainText(unverified);
    await expect(settings.success).toHaveCount(0);
    // It was the real GET /v1/models that answered 403.
    const all = await fetch(`${MOCK_ORIGIN}/__mock/requests`).then(
      (r) => r.json() as Promise<LoggedRequest[]>,
    );
    const listed = all.filter(
      (r) => r.headers.authorization === `Bearer ${unverified}` && r.method === 'GET',
    );
    expect(listed.map((r) => [r.path, r.status])).toEqual([['/v1/models', 403]]);
  });

  test('the default model is the newest active one the key can see, once the key is known', async ({
    page,
    mock,
  }) => {
    await page.goto('/');
    const settings = new SettingsDialog(page);
    const model = page.getByRole('combobox', { name: 'Model', exact: true });
    // No key yet: the newest model of the registry.
    await expect(model).toHaveValue('gpt-image-2.6-flare');

    // A key whose list lacks the 2.6 models (and lists a shut-down one first).
    const visible = ['gpt-image-1.5', 'gpt-image-2', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-flare'];
    await settings.fill(`${mock.apiKey}[[mock-models:${visible.join(',')}]]`);
    await settings.test.click();
    await expect(settings.success).toContainText('Connected.');
    await settings.save.click();
    await expect(settings.dialog).toBeHidden();
    await expect(model).toHaveValue('gpt-image-2.5-flare');
    await expect(page.getByText('Your key can see it')).toBeVisible();

    // It stays after a reload (the draft saved on the first visit did not pin the old default)...
    await page.reload();
    await expect(model).toHaveValue('gpt-image-2.5-flare');
    // ...and a model the user picks stays theirs, listed or not, with the warning.
    await model.fill('gpt-image-2.6-sunburst');
    await model.blur();
    await expect(page.getByText('Not listed for your key')).toBeVisible();
    await page.reload();
    await expect(model).toHaveValue('gpt-image-2.6-sunburst');
    await expect(page.getByText('Not listed for your key')).toBeVisible();
  });

  test('the silent-stream limit is a saved setting (default 90 s)', async ({ studio, page }) => {
    const settings = new SettingsDialog(page);
    await expect(settings.dialog).toBeHidden();
    await settings.open();
    await settings.dialog.locator('summary', { hasText: 'Network' }).click();
    const stall = settings.dialog.getByRole('spinbutton', {
      name: 'Give up on a silent stream after (seconds)',
    });
    await expect(stall).toHaveValue('90');
    await stall.fill('5');
    await settings.save.click();
    await expect(settings.dialog).toBeHidden();
    const stored = JSON.parse((await dumpStorage(page)).session[SETTINGS_KEY] ?? '{}') as Record<
      string,
      unknown
    >;
    expect(stored.stallSeconds).toBe(5);

    await page.reload();
    await expect(studio.prompt).toBeVisible();
    await settings.open();
    await settings.dialog.locator('summary', { hasText: 'Network' }).click();
    await expect(stall).toHaveValue('5');
  });

  test('Generate without a key opens Settings instead of sending', async ({ page, network }) => {
    await page.goto('/');
    const settings = new SettingsDialog(page);
    await settings.close.click();
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a quiet harbour');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect(settings.dialog).toBeVisible();
    const sent = (await network.all()).filter((r) => r.url.includes('/images/generations'));
    expect(sent).toEqual([]);
  });
});
