import { expect, test } from './support/fixtures';
import { confirmDialog, costsDialog, DONE, estimatedDollars, estimatePanel, setLimit } from './support/cost';
import { LibraryPage, storedRecords } from './support/library';

test.describe('Cost', () => {
  test.describe.configure({ timeout: 60_000 });

  test('the estimate updates with every option: quality, images, partials', async ({ studio, page }) => {
    await studio.prompt.fill(studio.promptText('A quiet harbour'));
    const panel = estimatePanel(page);
    await expect(panel).toContainText('≈ $');
    await expect(panel).toContainText('range');

    await studio.quality.selectOption('low');
    const low = await estimatedDollars(page);
    await studio.quality.selectOption('medium');
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(low);
    const medium = await estimatedDollars(page);
    await studio.quality.selectOption('high');
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(medium);

    // The breakdown names the parts and says what is estimated.
    await panel.getByText('Breakdown and what is estimated').click();
    await expect(panel.getByRole('rowheader', { name: /Image output/ })).toBeVisible();
    await expect(panel.getByRole('rowheader', { name: /Partial images/ })).toContainText('2 × 100');
    await expect(panel).toContainText('scaled from pixel area');

    const single = await estimatedDollars(page);
    await studio.images.fill('3');
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(single * 2.5);
    await expect(panel.getByRole('rowheader', { name: /Partial images/ })).toHaveCount(0);
  });

  test('models without prices say so and point to Settings', async ({ studio, page }) => {
    await studio.chooseModel('gpt-image-9-test');
    const panel = estimatePanel(page);
    await expect(panel).toContainText('Price unknown — add one in Settings');
    await panel.getByRole('button', { name: 'add one in Settings' }).click();
    const dialog = costsDialog(page);
    await expect(dialog.getByRole('combobox', { name: 'Model' })).toHaveValue('gpt-image-9-test');
    for (const [label, value] of [
      [/^Text input/, '5'],
      [/^Image input/, '8'],
      [/^Image output/, '30'],
    ] as const) {
      await dialog.getByRole('textbox', { name: label }).first().fill(value);
      await dialog.getByRole('textbox', { name: label }).first().blur();
    }
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(panel).not.toContainText('Price unknown');
    await expect(panel).toContainText('≈ $');
  });

  test('above the threshold a dialog asks first; Cancel sends nothing', async ({ studio, page, mock }) => {
    await setLimit(page, /Confirm requests above/, '0.01');
    const prompt = studio.promptText('A brass telescope');
    await studio.generate(prompt);

    const dialog = confirmDialog(page);
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('above the $0.01 you asked to confirm');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(studio.run(prompt)).toHaveCount(0);
    expect(await mock.generations()).toHaveLength(0);

    // Escape cancels too.
    await studio.generateButton.click();
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await studio.generateButton.click();
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await expect(studio.status(prompt, 'Done')).toBeVisible(DONE);
    // Exactly one request: neither Cancel nor Escape sent anything.
    const [body] = await mock.generationBodies(1);
    expect(body).toMatchObject({ prompt });
  });

  test('Retry asks like Generate: above the threshold it waits for confirmation', async ({
    studio,
    page,
    mock,
  }) => {
    const prompt = studio.promptText('A refused kite', 'moderation');
    await studio.generate(prompt);
    const failed = studio.run(prompt).first();
    await expect(failed.locator('header .badge', { hasText: 'Failed' })).toBeVisible(DONE);
    await mock.generationBodies(1);

    await setLimit(page, /Confirm requests above/, '0.01');
    await failed.getByRole('button', { name: 'Retry', exact: true }).click();
    const dialog = confirmDialog(page);
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(studio.run(prompt)).toHaveCount(1);
    expect(await mock.generations()).toHaveLength(1);

    await failed.getByRole('button', { name: 'Retry', exact: true }).click();
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await expect(studio.run(prompt)).toHaveCount(2);
    await mock.generationBodies(2);
  });

  test('conversation: an estimate beside Send, the same confirmation, and the turn counted in spend', async ({
    studio: _studio, // opens the app, connected
    page,
    mock,
    tag,
  }) => {
    await page.getByRole('tab', { name: 'Conversation' }).first().click();
    const message = page.getByRole('textbox', { name: 'Message' });
    await expect(message).toBeVisible();
    const panel = estimatePanel(page);
    await expect(panel).toContainText('mainline model');
    const low = await estimatedDollars(page);
    await page.getByRole('combobox', { name: 'Quality' }).selectOption('high');
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(low);

    await setLimit(page, /Confirm requests above/, '0.01');
    await message.fill(`A paper boat ${tag}`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const dialog = confirmDialog(page);
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const sent = async () =>
      (await mock.requests()).filter((r) => r.method === 'POST' && r.path === '/v1/responses').length;
    expect(await sent()).toBe(0);
    await expect(message).toHaveValue(`A paper boat ${tag}`);

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(sent).toBe(1);
    const turn = page.getByRole('list', { name: 'Conversation' }).getByRole('listitem').first();
    await expect(turn.getByText('Done', { exact: true })).toBeVisible(DONE);
    // The actual cost from the response: the image tool's tokens (`tool_usage.image_gen`) at the image
    // model's prices; the mainline model's tokens (`usage`) are shown, unpriced until it has text prices.
    const line = turn.getByRole('group', { name: 'Cost of this request' });
    await expect(line).toContainText(/Cost \$0\.\d+/);
    await expect(line).toContainText(/image tool: text input \d+ · image output [\d,]+ tokens/);
    await expect(line).toContainText(/gpt-6\.1-sol: [\d,]+ in · [\d,]+ out tokens — no text prices/);
    await expect(line).toContainText('Estimated ≈ $');
    const amount = (await line.locator('strong').innerText()).trim();
    const spent = panel.getByLabel('Spent so far');
    await expect(spent.locator('div', { hasText: 'This session' })).toContainText(amount);

    // Pricing the mainline model in Costs and limits adds its part.
    await panel.getByRole('button', { name: 'Costs and limits' }).click();
    const costs = costsDialog(page);
    await costs.getByRole('combobox', { name: 'Model' }).selectOption('gpt-6.1-sol');
    await costs.getByRole('textbox', { name: /^Text input$/ }).fill('2000');
    await costs.getByRole('textbox', { name: /^Text input$/ }).blur();
    await costs.getByRole('textbox', { name: /^Text output$/ }).fill('8000');
    await costs.getByRole('textbox', { name: /^Text output$/ }).blur();
    await expect(costs).toContainText('this model’s conversation tokens are priced');
    await costs.getByRole('button', { name: 'Done' }).click();
    await expect(line).not.toContainText('no text prices');
    await expect(line).toContainText(/gpt-6\.1-sol: [\d,]+ in · [\d,]+ out tokens \$/);
    const priced = Number((await line.locator('strong').innerText()).replace(/[$,]/g, ''));
    expect(priced).toBeGreaterThan(Number(amount.replace(/[$,]/g, '')));
  });

  test('any model id can be added to the price table', async ({ studio: _studio, page }) => {
    await estimatePanel(page).getByRole('button', { name: 'Costs and limits' }).click();
    const costs = costsDialog(page);
    await costs.getByRole('textbox', { name: 'Price another model' }).fill('my-text-model');
    await costs.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(costs.getByRole('combobox', { name: 'Model' })).toHaveValue('my-text-model');
    await expect(costs).toContainText('No default price for my-text-model');
    await costs.getByRole('textbox', { name: /^Text input$/ }).fill('1');
    await costs.getByRole('textbox', { name: /^Text input$/ }).blur();
    await expect(costs.getByRole('combobox', { name: 'Model' })).toContainText('my-text-model (edited)');
  });

  test('the actual cost from usage appears with the result, beside the estimate', async ({
    studio,
    page,
    mock,
  }) => {
    const prompt = studio.promptText('A glass of lemonade');
    await studio.generate(prompt);
    await expect(studio.status(prompt, 'Done')).toBeVisible(DONE);
    await mock.generationBodies(1);

    // Mock usage: ceil(prompt/4) text tokens; 1,056 image tokens for medium 1024² + 100 per partial (2).
    const text = Math.ceil(prompt.length / 4);
    const usd = (text * 5 + (1056 + 200) * 30) / 1e6;
    const cost = studio.run(prompt).getByRole('group', { name: 'Cost of this request' });
    await expect(cost).toContainText(`Cost $${usd.toFixed(3)}`);
    await expect(cost).toContainText(`image output ${(1256).toLocaleString('en-US')}`);
    await expect(cost).toContainText('Estimated ≈ $');
    await expect(cost).toContainText('within its range');

    // The library keeps the estimate with the item, beside the cost, and the item detail shows both.
    await expect
      .poll(async () => (await storedRecords(page)).find((r) => r.recipe.prompt === prompt)?.recipe ?? null)
      .toMatchObject({ cost: expect.any(Number), estimate: { usd: { point: expect.any(Number) } } });
    const library = new LibraryPage(page);
    await library.open();
    await library.cell(prompt).click();
    const detail = library.region.getByRole('region', { name: prompt });
    await expect(detail).toContainText(
      new RegExp(`\\$${usd.toFixed(3)} · estimated ≈ \\$[\\d.]+(–\\$[\\d.]+)?`),
    );
    await library.openButton.click();
    await expect(estimatePanel(page)).toBeVisible();

    // Spend so far counts it: this session, today, this month and all time.
    const spent = estimatePanel(page).getByLabel('Spent so far');
    for (const period of ['This session', 'Today', 'This month', 'All time'])
      await expect(spent.locator('div', { hasText: period })).toContainText(`$${usd.toFixed(3)}`);
    // …and it survives a reload (IndexedDB), while "this session" starts again.
    await page.reload();
    await expect(spent.locator('div', { hasText: 'All time' })).toContainText(`$${usd.toFixed(3)}`);
    await expect(spent.locator('div', { hasText: 'This session' })).toContainText('$0.00');
  });

  test('a reached daily budget blocks sending with a message and a way to raise it', async ({
    studio,
    page,
    mock,
  }) => {
    const first = studio.promptText('A lantern');
    await studio.generate(first);
    await expect(studio.status(first, 'Done')).toBeVisible(DONE);
    await mock.generationBodies(1);

    await setLimit(page, /Daily budget/, '0.01');
    const second = studio.promptText('A second lantern');
    await studio.generate(second);
    const alert = page.getByRole('alert').filter({ hasText: 'budget' });
    await expect(alert).toContainText('You have reached your daily budget of $0.01');
    await expect(alert).toContainText('raise the daily budget in Costs and limits');
    await expect(studio.run(second)).toHaveCount(0);
    expect(await mock.generations()).toHaveLength(1);

    await alert.getByRole('button', { name: 'Open spending limits' }).click();
    const daily = costsDialog(page).getByRole('textbox', { name: /Daily budget/ });
    await expect(daily).toBeFocused();
    await daily.fill('5');
    await daily.blur();
    await costsDialog(page).getByRole('button', { name: 'Done' }).click();
    await expect(alert).toBeHidden();
    await studio.generateButton.click();
    await expect(studio.status(second, 'Done')).toBeVisible(DONE);
    await mock.generationBodies(2);
  });

  test('prices: bad input names the field and keeps the value; a corrupt table falls back', async ({
    studio,
    page,
  }) => {
    await studio.chooseModel('gpt-image-2');
    await studio.quality.selectOption('high');
    const before = await estimatedDollars(page);
    await estimatePanel(page).getByRole('button', { name: 'Costs and limits' }).click();
    const dialog = costsDialog(page);
    const imageOut = dialog.getByRole('textbox', { name: /^Image output/ });
    await expect(imageOut).toHaveValue('30');
    await imageOut.fill('cheap');
    await imageOut.blur();
    await expect(imageOut).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toContainText('Image output for gpt-image-2 must be a number of dollars');
    await expect(dialog).toContainText('kept $30');

    await imageOut.fill('60');
    await imageOut.blur();
    await expect(dialog).toContainText('edited on');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => estimatedDollars(page)).toBeGreaterThan(before * 1.9);

    // A corrupt stored table: defaults, and a message instead of a crash.
    await page.evaluate(() => localStorage.setItem('atelier.prices.v1', '{"models": '));
    await page.reload();
    await expect.poll(() => estimatedDollars(page)).toBeCloseTo(before, 6);
    // Reached from Settings as well, on top of it.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('button', { name: 'Costs and limits…' }).click();
    await expect(dialog).toContainText('could not be read');
    await expect(dialog.getByRole('textbox', { name: /^Image output/ })).toHaveValue('30');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    await expect(settings).toBeVisible();
  });
});
