/** The cost panel, the Costs and limits dialog and the confirmation, as the cost specs use them. */
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** The live estimate next to Generate. */
export const estimatePanel = (page: Page): Locator => page.getByRole('region', { name: 'Cost estimate' });
export const costsDialog = (page: Page): Locator => page.getByRole('dialog', { name: 'Costs and limits' });
export const confirmDialog = (page: Page): Locator => page.getByRole('dialog', { name: 'Confirm the cost' });

/** The point estimate in dollars, as shown ("≈ $0.032"). */
export async function estimatedDollars(page: Page): Promise<number> {
  const text = (await estimatePanel(page).locator('.head strong').textContent()) ?? '';
  const m = /≈ \$([\d.,]+)/.exec(text);
  expect(m, `an estimate in dollars, got “${text}”`).not.toBeNull();
  return Number(m![1]!.replace(/,/g, ''));
}

/** Opens Costs and limits from the estimate panel and types a limit (committed on blur). */
export async function setLimit(page: Page, label: RegExp, value: string): Promise<void> {
  const dialog = costsDialog(page);
  if (!(await dialog.isVisible()))
    await estimatePanel(page).getByRole('button', { name: 'Costs and limits' }).click();
  await expect(dialog).toBeVisible();
  const field = dialog.getByRole('textbox', { name: label });
  await field.fill(value);
  await field.blur();
  await expect(field).toHaveAttribute('aria-invalid', 'false');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
}

/** Generating on a loaded machine can take a while: give "Done" more time than the default 10 s. */
export const DONE = { timeout: 25_000 };
