import sharp from 'sharp';
import { expect, test } from './support/fixtures';
import { costsDialog, DONE, estimatedDollars, estimatePanel, setLimit } from './support/cost';

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
});
