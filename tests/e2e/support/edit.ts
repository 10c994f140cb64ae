/** Shared by Edit mode specs: test images made with sharp, the mock's edit log, the mask editor and its mask. */
import type { Locator, Page } from '@playwright/test';
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
export type EditLogged = LoggedRequest & {
  files?: LoggedFile[];
  parts?: { name: string; type: string | null }[];
};

/**
 * A gradient photo, `width` × `height` as stored. `orientation` tags it (EXIF) as a phone does: 6 means the
 * browser shows it turned 90° clockwise, `height` × `width`.
 */
export async function photo(
  width: number,
  height: number,
  hue: number,
  format: 'png' | 'jpeg' = 'png',
  orientation?: number,
): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = ((x * 255) / width + hue) & 255;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = (hue * 3) & 255;
    }
  let img = sharp(raw, { raw: { width, height, channels: 3 } });
  img = format === 'png' ? img.png() : img.jpeg({ quality: 95 });
  if (orientation) img = img.withMetadata({ orientation });
  return img.toBuffer();
}

/** Waits for `count` edit requests with this test's key and returns them. */
export async function edits(mock: MockLog, count = 1): Promise<EditLogged[]> {
  const list = async () =>
    (await mock.requests()).filter(
      (r) => r.method === 'POST' && r.path === '/v1/images/edits',
    ) as EditLogged[];
  // `files` is logged once the mock has inspected the parts (before it answers).
  await expect
    .poll(async () => (await list()).filter((r) => r.files).length, { message: `${count} edit request(s)` })
    .toBe(count);
  return list();
}

/** Opens the mask editor over the first source and draws one rectangle between fractions of the image. */
export async function maskRectangle(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  await page.getByRole('button', { name: 'Edit mask' }).click();
  const dialog = page.getByRole('dialog', { name: 'Mask editor' });
  await dialog.getByRole('button', { name: 'Rectangle' }).click();
  const box = (await dialog.locator('canvas.upper-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 8 });
  await page.mouse.up();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toHaveCount(0);
}

/** Switches to Edit mode and adds one image as a source; returns the "Source images" region once it shows. */
export async function addSource(page: Page, name: string, buffer: Buffer): Promise<Locator> {
  await page.getByRole('tab', { name: 'Edit' }).click();
  const sources = page.getByRole('region', { name: 'Source images' });
  const mimeType = /\.jpe?g$/i.test(name) ? 'image/jpeg' : /\.webp$/i.test(name) ? 'image/webp' : 'image/png';
  await sources.getByRole('button', { name: 'Add images' }).setInputFiles([{ name, mimeType, buffer }]);
  await expect(sources.getByRole('img', { name })).toBeVisible();
  return sources;
}

/** Opens Edit mode with one PNG (320×240 unless told) and the mask editor over it; returns canvas helpers. */
export async function openEditor(page: Page, { width = 320, height = 240, name = 'room.png' } = {}) {
  await addSource(page, name, await photo(width, height, 60));
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

/** The current mask's pixels (the panel's thumbnail Blob): its size, alpha at fractions of it, every alpha value, a hash. */
export async function maskPixels(page: Page, points: [number, number][] = []) {
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

/** The current mask's size and its alpha at fractions of that size. */
export async function maskAlpha(page: Page, points: [number, number][]) {
  const { size, alpha } = await maskPixels(page, points);
  return { size, alpha };
}
