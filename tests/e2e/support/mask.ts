/** Helpers for the mask studio's browser tests: source images, the editor, the current mask, the mock's log. */
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { expect, type LoggedRequest, type MockLog } from './fixtures';

export interface LoggedFile {
  field: string;
  filename: string | null;
  type: string | null;
  bytes: number;
  format: string | null;
  width: number | null;
  height: number | null;
  hasAlpha: boolean | null;
  alpha?: { pixels: number; transparent: number; opaque: number; partial: number };
}
export type EditLogged = LoggedRequest & { files?: LoggedFile[] };

/** A smooth colour ramp, `hue` shifting it (PNG unless told). */
export async function photo(width: number, height: number, hue: number, format: 'png' | 'jpeg' = 'png') {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = ((x * 255) / width + hue) & 255;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = (hue * 3) & 255;
    }
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg().toBuffer();
}

/** Waits for `count` edit requests with this test's key (once the mock has inspected their parts). */
export async function edits(mock: MockLog, count = 1): Promise<EditLogged[]> {
  const list = async () =>
    (await mock.requests()).filter(
      (r) => r.method === 'POST' && r.path === '/v1/images/edits',
    ) as EditLogged[];
  await expect
    .poll(async () => (await list()).filter((r) => r.files).length, { message: `${count} edit request(s)` })
    .toBe(count);
  return list();
}

/** Opens Edit mode with one PNG (320×240 unless told) and the mask editor over it; returns canvas helpers. */
export async function openEditor(page: Page, { width = 320, height = 240, name = 'room.png' } = {}) {
  await page.getByRole('tab', { name: 'Edit' }).click();
  const sources = page.getByRole('region', { name: 'Source images' });
  await sources
    .getByRole('button', { name: 'Add images' })
    .setInputFiles([{ name, mimeType: 'image/png', buffer: await photo(width, height, 60) }]);
  await expect(sources.getByRole('img', { name })).toBeVisible();
  await page.getByRole('button', { name: 'Edit mask' }).click();
  return editorHelpers(page);
}

/** Helpers over the open mask editor (once its tools are ready). */
export async function editorHelpers(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Mask editor' });
  await expect(dialog.getByRole('button', { name: 'Brush' })).toHaveAttribute('aria-pressed', 'true');
  const box = (await dialog.locator('canvas.upper-canvas').boundingBox())!;
  const at = (fx: number, fy: number) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy });
  const drag = async (from: [number, number], to: [number, number], steps = 12) => {
    const a = at(...from);
    const b = at(...to);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps });
    await page.mouse.up();
  };
  return { dialog, drag, at, box };
}

/** The current mask's pixels (the panel's thumbnail Blob): its size, alpha at fractions of it, and every alpha. */
export async function maskAlpha(page: Page, points: [number, number][] = []) {
  const img = page.getByRole('img', { name: 'The current mask' });
  await expect(img).toHaveJSProperty('complete', true);
  return img.evaluate((el: HTMLImageElement, pts) => {
    const c = document.createElement('canvas');
    c.width = el.naturalWidth;
    c.height = el.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(el, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const values = new Set<number>();
    let hash = 0;
    for (let i = 3; i < data.length; i += 4) {
      values.add(data[i]!);
      hash = (hash * 31 + data[i]!) >>> 0;
    }
    return {
      size: [c.width, c.height],
      alpha: pts.map(
        ([fx, fy]) => data[(Math.floor(fy * c.height) * c.width + Math.floor(fx * c.width)) * 4 + 3],
      ),
      values: [...values].sort((a, b) => a - b),
      hash,
    };
  }, points);
}
