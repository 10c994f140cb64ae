import sharp from 'sharp';
import { expect, test } from './support/fixtures';
import { confirmDialog, costsDialog, DONE, estimatedDollars, estimatePanel, setLimit } from './support/cost';

/** A plain PNG of `width` × `height`. */
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#6a8caf' } })
    .png()
    .toBuffer();

test.describe('Cost: inputs, budgets and the price table', () => {
  test.describe.configure({ timeout: 60_000 });

  test('the Edit estimate grows with every source image, counted as image input', async ({
    studio,
    page,
  }) => {
    await studio.chooseModel('gpt-image-2');
    await page.getByRole('tab', { name: 'Edit' }).click();
    await studio.prompt.fill(studio.promptText('Put a lighthouse on the pier'));
    const sources = page.getByRole('region', { name: 'Source images' });
    const panel = estimatePanel(page);

    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'pier.png', mimeType: 'image/png', buffer: await png(1024, 1024) }]);
    await expect(sources.getByRole('img')).toHaveCount(1);
    const one = await estimatedDollars(page);
    await panel.getByText('Breakdown and what is estimated').click();
    await expect(panel.getByRole('row', { name: /Image input/ })).toContainText('1 image');

    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'boat.png', mimeType: 'image/png', buffer: await png(1536, 1024) }]);
    await expect(sources.getByRole('img')).toHaveCount(2);
    // A second 1536×1024 input at high fidelity: ≈ 6,500 image input tokens at $8 per 1M, ≈ $0.05 more.
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(one + 0.04);
    await expect(panel.getByRole('row', { name: /Image input/ })).toContainText('2 images');
  });

  test('a reached monthly budget blocks sending, named as the monthly one', async ({
    studio,
    page,
    mock,
  }) => {
    const first = studio.promptText('A lantern at night');
    await studio.generate(first);
    await expect(studio.status(first, 'Done')).toBeVisible(DONE);
    await mock.generationBodies(1);

    // A generous daily budget is not what stops it: the month's is reached.
    await setLimit(page, /Daily budget/, '50');
    await setLimit(page, /Monthly budget/, '0.01');
    const second = studio.promptText('A second lantern');
    await studio.generate(second);
    const alert = page.getByRole('alert').filter({ hasText: 'budget' });
    await expect(alert).toContainText('Monthly budget reached — nothing was sent');
    await expect(alert).toContainText('You have reached your monthly budget of $0.01');
    await expect(alert).toContainText('raise the monthly budget in Costs and limits');
    await expect(studio.run(second)).toHaveCount(0);
    expect(await mock.generations()).toHaveLength(1);

    await alert.getByRole('button', { name: 'Open spending limits' }).click();
    await expect(costsDialog(page).getByRole('textbox', { name: /Monthly budget/ })).toBeFocused();
  });

  test('“Reset all prices to defaults” restores an edited price', async ({ studio, page }) => {
    await studio.chooseModel('gpt-image-2');
    await studio.quality.selectOption('high');
    const before = await estimatedDollars(page);
    await estimatePanel(page).getByRole('button', { name: 'Costs and limits' }).click();
    const dialog = costsDialog(page);
    const imageOut = dialog.getByRole('textbox', { name: /^Image output/ });
    const reset = dialog.getByRole('button', { name: 'Reset all prices to defaults' });
    await expect(reset).toBeDisabled();
    await imageOut.fill('90');
    await imageOut.blur();
    await expect(dialog).toContainText('edited on');
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(before * 2.5);

    await reset.click();
    await expect(imageOut).toHaveValue('30');
    await expect(dialog).not.toContainText('edited on');
    await expect(reset).toBeDisabled();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => estimatedDollars(page)).toBeCloseTo(before, 6);
    // …and it stays reset after a reload.
    await page.reload();
    await expect.poll(() => estimatedDollars(page)).toBeCloseTo(before, 6);
  });

  test('an unpriced request (dall-e-2 variations) is asked about under a budget and shown as unpriced', async ({
    studio,
    page,
  }) => {
    await setLimit(page, /Daily budget/, '5');
    await page.getByRole('tab', { name: 'Edit' }).click();
    await studio.chooseModel('dall-e-2');
    const sources = page.getByRole('region', { name: 'Source images' });
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'dune.png', mimeType: 'image/png', buffer: await png(256, 256) }]);
    await expect(sources.getByRole('img', { name: 'dune.png' })).toBeVisible();
    await studio.size.selectOption('256x256');
    await page.getByRole('button', { name: 'Create variations' }).click();

    // A budget cannot count a request without a price: it is asked about, and says so.
    const confirm = confirmDialog(page);
    await expect(confirm).toContainText('dall-e-2 has no price');
    await expect(confirm).toContainText('not counted toward your budgets');
    await expect(confirm).toContainText('a daily budget of $5.00');
    await confirm.getByRole('button', { name: 'Send request' }).click();
    const run = studio.run('Variations of “dune.png”');
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible(DONE);

    // Spend so far names it instead of counting it as $0 in silence.
    await page
      .getByRole('group', { name: 'Variations estimate' })
      .getByRole('button', { name: 'add a price in Costs and limits' })
      .click();
    const dialog = costsDialog(page);
    await expect(dialog).toContainText('1 request is unpriced (not counted)');
    await expect(dialog.getByLabel('Spent so far').locator('div', { hasText: 'Today' })).toContainText(
      '$0.00',
    );
  });

  test('a stream cut after one partial is counted at the partial’s tokens, as an estimate', async ({
    studio,
    page,
  }) => {
    // `slow`: the partial arrives well before the cut (see errors.spec.ts).
    const prompt = studio.promptText('A kite cut short', 'cut', 'slow');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Incomplete')).toBeVisible(DONE);
    const line = studio.run(prompt).getByRole('group', { name: 'Cost of this request' });
    // 1 partial × 100 image output tokens at gpt-image-2.6-flare's $30 per 1M.
    await expect(line).toContainText('Cost ≈ $0.003');
    await expect(line).toContainText('only 1 partial image arrived');
    await expect(line).toContainText('an estimate');
    const spent = estimatePanel(page).getByLabel('Spent so far');
    await expect(spent.locator('div', { hasText: 'This session' })).toContainText('≈ $0.003');
  });

  test('Retry of a failed edit is priced with its images: the confirmation counts them', async ({
    studio,
    page,
  }) => {
    await studio.chooseModel('gpt-image-2');
    await page.getByRole('tab', { name: 'Edit' }).click();
    const sources = page.getByRole('region', { name: 'Source images' });
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'pier.png', mimeType: 'image/png', buffer: await png(1024, 1024) }]);
    await expect(sources.getByRole('img')).toHaveCount(1);
    const prompt = studio.promptText('A refused lighthouse', 'moderation');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const failed = studio.run(prompt).first();
    await expect(failed.locator('header .badge', { hasText: 'Failed' })).toBeVisible(DONE);

    await setLimit(page, /Confirm requests above/, '0.01');
    await failed.getByRole('button', { name: 'Retry', exact: true }).click();
    const dialog = confirmDialog(page);
    await expect(dialog.getByRole('row', { name: /Image input/ })).toContainText('1 image');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
