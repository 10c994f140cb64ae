import { expect, test } from './support/fixtures';
import { naturalSize } from './support/studio';

const FIXED_SIZES = ['Auto', '1024 × 1024', '1536 × 1024', '1024 × 1536'];

test.describe('Options follow the model', () => {
  test('Complexity is offered for 2.6 models only', async ({ studio }) => {
    await expect(studio.model).toHaveValue('gpt-image-2.6-flare');
    await expect(studio.complexity).toBeVisible();
    await studio.chooseModel('gpt-image-2');
    await expect(studio.complexity).toBeHidden();
    await studio.chooseModel('gpt-image-2.6-sunburst');
    await expect(studio.complexity).toBeVisible();
    await expect(studio.complexity.locator('option')).toHaveText(['Default (high)', 'Low', 'Medium', 'High']);
  });

  test('gpt-image-1.5 is deprecated, with fixed sizes only', async ({ studio, page }) => {
    // Pin "today" so the deprecation (shutdown 2026-12-01) is still in the future, as in the mock.
    await page.clock.setSystemTime(new Date('2026-11-24T12:00:00Z'));
    await page.reload();
    await expect(studio.size.locator('option')).toContainText(['Custom…']);
    await studio.chooseModel('gpt-image-1.5');
    await expect(studio.size.locator('option')).toHaveText(FIXED_SIZES);
    await expect(studio.customSize).toBeHidden();
    await expect(studio.complexity).toBeHidden();
    await expect(page.getByText('Deprecated', { exact: true })).toBeVisible();
    await expect(page.getByText('gpt-image-1.5 is deprecated and shuts down on 2026-12-01')).toBeVisible();
    // A custom size chosen for a flexible model falls back to a fixed one on the switch.
    await studio.chooseModel('gpt-image-2');
    await studio.size.selectOption('Custom…');
    await studio.customSize.fill('1536x864');
    await studio.chooseModel('gpt-image-1.5');
    await expect(studio.customSize).toBeHidden();
    await expect(studio.size).toHaveValue('auto');
    await expect(page.getByText('is deprecated')).toBeVisible();
    await studio.chooseModel('gpt-image-2');
    await expect(page.getByText('is deprecated')).toBeHidden();
  });

  test('a shut-down model asks in a dialog before sending; Cancel sends nothing', async ({
    studio,
    page,
    mock,
  }) => {
    await studio.chooseModel('gpt-image-1');
    await expect(page.getByText('gpt-image-1 was shut down on')).toBeVisible();
    const prompt = studio.promptText('A retired model');
    await studio.generate(prompt);
    const ask = page.getByRole('dialog', { name: 'This model is shut down' });
    await expect(ask).toBeVisible();
    await expect(ask.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect(ask).toBeHidden();
    await expect(studio.run(prompt)).toHaveCount(0);
    expect(await mock.generations()).toHaveLength(0);

    await studio.generateButton.click();
    await ask.getByRole('button', { name: 'Send anyway' }).click();
    const [body] = await mock.generationBodies(1);
    expect(body).toMatchObject({ model: 'gpt-image-1', prompt });
  });

  test('Compression only for JPEG/WebP; transparency impossible with JPEG', async ({ studio }) => {
    await expect(studio.format).toHaveValue('png');
    await expect(studio.compression).toBeHidden();
    const transparent = studio.background.locator('option', { hasText: 'Transparent' });
    await expect(transparent).toBeEnabled();
    await studio.background.selectOption('transparent');

    await studio.format.selectOption('jpeg');
    await expect(studio.compression).toBeVisible();
    await expect(transparent).toBeDisabled();
    // The impossible pair is not kept: the background falls back to Auto.
    await expect(studio.background).toHaveValue('auto');
    await expect(studio.page.getByText('Transparent needs PNG OR WEBP')).toBeVisible();

    await studio.format.selectOption('webp');
    await expect(studio.compression).toBeVisible();
    await expect(transparent).toBeEnabled();

    await studio.format.selectOption('png');
    await expect(studio.compression).toBeHidden();
    await expect(transparent).toBeEnabled();
  });

  test('JPEG with compression is sent as chosen and comes back as JPEG', async ({ studio, mock }) => {
    await studio.format.selectOption('jpeg');
    await studio.compression.fill('40');
    await expect(studio.page.getByText('40%')).toBeVisible();
    await studio.stream.uncheck();
    const prompt = studio.promptText('A jar of marmalade');
    await studio.generate(prompt);
    const final = studio.finalImages(prompt);
    await expect(final).toHaveCount(1);
    const body = await mock.onlyGenerationBody();
    expect(body).toMatchObject({ output_format: 'jpeg', output_compression: 40 });
    // The Blob the app made is typed from the bytes it got: the download is offered as a .jpg.
    await expect(studio.run(prompt).getByRole('link', { name: 'Download' })).toHaveAttribute(
      'download',
      /\.jpg$/,
    );
    await expect(studio.run(prompt).locator('summary', { hasText: 'Used:' })).toContainText('jpeg');
    expect(await naturalSize(final)).toBe('1024x1024');
  });
});

test.describe('Custom sizes', () => {
  test('an invalid size is flagged next to the field and nothing is sent; a valid one is sent exactly', async ({
    studio,
    mock,
    network,
  }) => {
    await studio.chooseModel('gpt-image-2');
    await studio.size.selectOption('Custom…');
    await expect(studio.customSize).toBeVisible();
    await studio.customSize.fill('1000x1000');
    const prompt = studio.promptText('A square tile');
    await studio.generate(prompt);

    const sizeHelp = studio.page.locator('#size-help');
    await expect(sizeHelp).toHaveClass(/field-error/);
    await expect(sizeHelp).toContainText('multiples of 16 (nearest: 1008x1008)');
    await expect(studio.customSize).toHaveAttribute('aria-invalid', 'true');
    await expect(studio.page.getByRole('alert')).toContainText(
      'Fix the highlighted fields before generating.',
    );
    await expect(studio.customSize).toBeFocused();
    await expect(studio.run(prompt)).toHaveCount(0);

    await studio.customSize.fill('1536x864');
    await expect(sizeHelp).not.toHaveClass(/field-error/);
    await expect(studio.customSize).toHaveAttribute('aria-invalid', 'false');
    await studio.generateButton.click();
    await expect(studio.finalImages(prompt)).toHaveCount(1);
    expect(await naturalSize(studio.finalImages(prompt))).toBe('1536x864');

    // Only the valid request ever left the browser.
    const body = await mock.onlyGenerationBody();
    expect(body.size).toBe('1536x864');
    const posted = (await network.all()).filter((r) => r.url.endsWith('/images/generations'));
    expect(posted.map((r) => r.method)).toEqual(['POST']);
  });

  test('gpt-image-2 stops at 3840x2160 either way round: 2880x2880 is flagged as it is typed; 2.5 takes it', async ({
    studio,
    network,
  }) => {
    await studio.chooseModel('gpt-image-2');
    await studio.size.selectOption('Custom…');
    await studio.customSize.fill('2880x2880');

    // Flagged while typing, before Generate is pressed.
    const sizeHelp = studio.page.locator('#size-help');
    await expect(sizeHelp).toHaveClass(/field-error/);
    await expect(sizeHelp).toContainText('The largest size is 3840x2160');
    await expect(sizeHelp).toContainText('the short side can be at most 2,160 px');
    await expect(studio.customSize).toHaveAttribute('aria-invalid', 'true');
    const prompt = studio.promptText('A square courtyard');
    await studio.generate(prompt);
    await expect(studio.page.getByRole('alert')).toContainText('Fix the highlighted fields');
    await expect(studio.run(prompt)).toHaveCount(0);

    // The same pixel count is within 2.5's limits: the size stays, only marked experimental.
    await studio.chooseModel('gpt-image-2.5-flare');
    await expect(studio.customSize).toHaveValue('2880x2880');
    await expect(sizeHelp).toHaveClass(/field-warning/);
    await expect(sizeHelp).toContainText('experimental');
    await expect(studio.customSize).toHaveAttribute('aria-invalid', 'false');

    const posted = (await network.all()).filter((r) => r.url.endsWith('/images/generations'));
    expect(posted).toEqual([]);
  });

  test('gpt-image-2 is never sent complexity or input_fidelity; 2.6 gets the chosen complexity', async ({
    studio,
    mock,
  }) => {
    await studio.stream.uncheck();
    await studio.complexity.selectOption('low');
    const first = studio.promptText('A mountain hut (2.6)');
    await studio.generate(first);
    await expect(studio.finalImages(first)).toHaveCount(1);

    await studio.chooseModel('gpt-image-2');
    const second = studio.promptText('A mountain hut (2)');
    await studio.generate(second);
    await expect(studio.finalImages(second)).toHaveCount(1);
    await expect(studio.status(second, 'Done')).toBeVisible();

    const [b26, b2] = await mock.generationBodies(2);
    expect(b26).toMatchObject({ model: 'gpt-image-2.6-flare', complexity: 'low' });
    expect(b2).toMatchObject({ model: 'gpt-image-2', prompt: second });
    expect(b2).not.toHaveProperty('complexity');
    expect(b2).not.toHaveProperty('input_fidelity');
  });
});

test.describe('Extra request fields and free model ids', () => {
  test('malformed extra JSON blocks sending; a valid object is merged into the body', async ({
    studio,
    mock,
  }) => {
    await studio.stream.uncheck();
    await studio.openAdvanced();
    await studio.extraJson.fill('{"user": ');
    const prompt = studio.promptText('A red umbrella');
    await studio.generate(prompt);
    await expect(studio.page.locator('#extra-help')).toContainText('Extra request fields are not valid JSON');
    await expect(studio.extraJson).toHaveAttribute('aria-invalid', 'true');
    await expect(studio.page.getByRole('alert')).toContainText('Fix the highlighted fields');
    await expect(studio.run(prompt)).toHaveCount(0);

    await studio.extraJson.fill('[1, 2]');
    await expect(studio.page.locator('#extra-help')).toContainText('must be a JSON object');

    await studio.extraJson.fill('{"user":"e2e"}');
    // Fixing the JSON clears the error, and the open Advanced panel must not collapse under the user's cursor
    // (AdvancedFields binds the panel's `open`, so only the user closes it).
    await expect(
      studio.extraJson,
      'the Advanced panel stays open after the JSON error is fixed',
    ).toBeVisible();
    await expect(studio.extraJson).toHaveValue('{"user":"e2e"}');
    await expect(studio.extraJson).toHaveAttribute('aria-invalid', 'false');
    await expect(studio.page.getByLabel('Request body preview')).toContainText('"user": "e2e"');
    await studio.generateButton.click();
    await expect(studio.finalImages(prompt)).toHaveCount(1);

    const body = await mock.onlyGenerationBody();
    expect(body).toMatchObject({ prompt, user: 'e2e' });
  });

  test('an unknown model id can be typed and is sent; the 404 is explained', async ({ studio, mock }) => {
    await studio.chooseModel('gpt-image-9-test');
    await expect(studio.page.getByText('Unknown to Atelier')).toBeVisible();
    const prompt = studio.promptText('A tram at night');
    await studio.generate(prompt);

    const alert = studio.run(prompt).getByRole('alert');
    await expect(alert).toContainText('“gpt-image-9-test” isn’t available to this key');
    await expect(alert).toContainText('The model `gpt-image-9-test` does not exist');
    await expect(studio.status(prompt, 'Failed')).toBeVisible();
    await expect(studio.prompt).toHaveValue(prompt);
    const body = await mock.onlyGenerationBody();
    expect(body.model).toBe('gpt-image-9-test');
  });
});
