import { expect, test } from './support/fixtures';
import { naturalSize } from './support/studio';

test.describe('Generate', () => {
  test('streamed: partial previews arrive before the final image; the body asks for them', async ({
    studio,
    mock,
  }) => {
    // [[mock:slow]] spaces the stream events 2 s apart, so each partial can be seen on its own.
    const prompt = studio.promptText('A lighthouse at dusk, watercolour', 'slow');
    await expect(studio.stream).toBeChecked();
    await studio.partialImages.fill('2');
    const imageAlts = await studio.recordImageAlts();
    await studio.generate(prompt);

    await expect(studio.status(prompt, 'Working')).toBeVisible();
    const final = studio.finalImages(prompt);
    await expect(final).toHaveCount(1, { timeout: 20_000 });
    await expect(final).toHaveAttribute('alt', prompt);
    // In the order they reached the screen: both previews, each before the final image.
    const shown = (await imageAlts()).filter((alt) => alt.startsWith('Partial image') || alt === prompt);
    expect(shown).toEqual(['Partial image 1', 'Partial image 2', prompt]);
    await expect(studio.status(prompt, 'Done')).toBeVisible();
    // The final image replaces the preview.
    await expect(studio.run(prompt).getByRole('img', { name: /^Partial image/ })).toHaveCount(0);
    expect(await naturalSize(final)).toBe('1024x1024');
    await expect(studio.generateButton).toBeEnabled();

    const body = await mock.onlyGenerationBody();
    expect(body).toMatchObject({ model: 'gpt-image-2.6-flare', prompt, stream: true, partial_images: 2 });

    // Echoed size/quality and the token usage the stream reported (mock: 1056 per medium 1024² + 100 per partial).
    const input = Math.ceil(prompt.length / 4);
    const output = 1056 + 2 * 100;
    const details = studio
      .run(prompt)
      .locator('details', { has: studio.page.locator('summary', { hasText: 'Used:' }) });
    const summary = details.locator(':scope > summary');
    await expect(summary).toContainText('Used: 1024x1024 · medium');
    await expect(summary).toContainText(`${(input + output).toLocaleString('en-US')} tokens`);
    await summary.click();
    const row = (term: string) => details.locator('dt', { hasText: term }).locator('+ dd');
    await expect(row('size')).toHaveText(/^1024x1024\s*\(asked: auto\)$/);
    await expect(row('quality')).toHaveText(/^medium\s*\(asked: auto\)$/);
    await expect(row('input tokens')).toContainText(String(input));
    await expect(row('output tokens')).toContainText(String(output));
  });

  test('not streamed: one request without `stream`, the final image arrives whole', async ({
    studio,
    mock,
  }) => {
    const prompt = studio.promptText('A paper boat on a pond');
    await studio.stream.uncheck();
    await expect(studio.partialImages).toBeHidden();
    await studio.generate(prompt);

    const final = studio.finalImages(prompt);
    await expect(final).toHaveCount(1);
    await expect(studio.status(prompt, 'Done')).toBeVisible();
    await expect(studio.run(prompt).getByRole('img', { name: /^Partial image/ })).toHaveCount(0);
    expect(await naturalSize(final)).toBe('1024x1024');
    // The picture is also a button; its name carries the prompt, since a button's content is not read out.
    await expect(studio.run(prompt).getByRole('button', { name: `Open full size: ${prompt}` })).toBeVisible();

    // Full size opens the image in a dialog (its <img> exists only while the dialog is open).
    const viewer = studio.page.getByRole('dialog', { name: 'Full-size image' });
    await expect(viewer.getByRole('img')).toHaveCount(0);
    await studio.run(prompt).getByRole('button', { name: 'Full size', exact: true }).click();
    await expect(viewer).toBeVisible();
    expect(await naturalSize(viewer.getByRole('img', { name: prompt }))).toBe('1024x1024');
    await viewer.getByRole('button', { name: 'Close' }).click();
    await expect(viewer).toBeHidden();
    await expect(viewer.getByRole('img')).toHaveCount(0);

    const body = await mock.onlyGenerationBody();
    expect(body).toMatchObject({ model: 'gpt-image-2.6-flare', prompt });
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('partial_images');
  });

  test('several images: streaming is turned off (with a note) and all of them arrive in a grid', async ({
    studio,
    mock,
  }) => {
    const prompt = studio.promptText('Three pears on a sill');
    await expect(studio.stream).toBeChecked();
    await studio.images.fill('3');
    const note = 'Streaming is off for several images';
    await expect(studio.page.getByText(note)).toBeVisible();
    await studio.generate(prompt);

    const finals = studio.finalImages(prompt);
    await expect(finals).toHaveCount(3);
    for (let i = 1; i <= 3; i++)
      await expect(finals.nth(i - 1)).toHaveAttribute('alt', `${prompt} (image ${i})`);
    await expect(studio.status(prompt, 'Done')).toBeVisible();
    await expect(studio.run(prompt).getByText(note)).toBeVisible();
    // Laid out as a grid of several, not as a single large image.
    const grid = studio.run(prompt).locator('.grid');
    await expect(grid).not.toHaveClass(/\bsingle\b/);
    await expect(grid.getByRole('img', { name: prompt })).toHaveCount(3);
    // Three distinct images (the mock draws each index differently), each a real image.
    const sources = await finals.evaluateAll((els) => els.map((el) => (el as HTMLImageElement).src));
    expect(new Set(sources).size).toBe(3);
    for (let i = 0; i < 3; i++) expect(await naturalSize(finals.nth(i))).toBe('1024x1024');

    const body = await mock.onlyGenerationBody();
    expect(body).toMatchObject({ n: 3, prompt });
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('partial_images');
  });

  test('Cancel stops a slow run at once and frees the Generate button', async ({ studio, mock }) => {
    const prompt = studio.promptText('A slow sunrise', 'slow');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Working')).toBeVisible();
    await expect(studio.generateButton).toBeDisabled();

    await studio.cancelButton.click();
    await expect(studio.status(prompt, 'Cancelled')).toBeVisible({ timeout: 1_500 });
    await expect(studio.generateButton).toBeEnabled({ timeout: 1_500 });
    await expect(studio.cancelButton).toBeHidden();
    // A cancellation is not an error.
    await expect(studio.run(prompt).getByRole('alert')).toHaveCount(0);
    await expect(studio.prompt).toHaveValue(prompt);

    // The browser really dropped the connection: the mock logs when it closed, long before the ~6 s the
    // slow stream (two partials and the final image, 2 s apart) takes to finish.
    await expect
      .poll(async () => (await mock.generations())[0]?.durationMs ?? null)
      .toEqual(expect.any(Number));
    const [request] = await mock.generations();
    expect(request!.durationMs).toBeLessThan(5_000);
    await expect(studio.finalImages(prompt)).toHaveCount(0);
  });
});
