import { chromium } from '@playwright/test';
import { findChromium, CHROMIUM_ARGS } from './chromium.mjs';
const b = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
const ctx = await b.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 860 } });
const p = await ctx.newPage();
p.on('pageerror', (e) => console.log('pageerror', e.message));
await p.addInitScript(() => { if (!sessionStorage.getItem('atelier.settings.v1')) sessionStorage.setItem('atelier.settings.v1', JSON.stringify({apiKey:'sk-shot-12345678', baseUrl:'http://127.0.0.1:8799/v1', organization:'', project:'', persistence:'session'})); });
await p.goto('http://127.0.0.1:4199/');
for (const prompt of ['A lighthouse at dawn, watercolour', 'A fox reading a map by lantern light']) {
  await p.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  await p.getByRole('button', { name: 'Generate', exact: true }).click();
  await p.getByText('Done').first().waitFor({ timeout: 30000 }).catch(() => {});
  await p.waitForTimeout(2500);
}
await p.getByRole('button', { name: 'Library', exact: true }).click();
await p.waitForTimeout(1500);
await p.screenshot({ path: '/tmp/lib1.png' });
await p.locator('li.cell').first().click().catch((e) => console.log('no cell', e.message));
await p.waitForTimeout(1000);
await p.screenshot({ path: '/tmp/lib2.png' });
await b.close();
