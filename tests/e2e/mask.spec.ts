/**
 * The mask studio beyond painting (edit.spec.ts has the strokes, tools, touch and import): the feather, which
 * widens the binary mask the API gets and softens only the "keep outside" composite; a mask closed empty; wheel
 * zoom around the pointer; the keyboard.
 */
import { expect, test } from './support/fixtures';
import { addSource, edits, editorHelpers, maskPixels, openEditor, photo } from './support/edit';

test.describe('Mask feather', () => {
  test('the API gets only alpha 0/255, grown over the soft edge; keep-outside blends across it and keeps the rest', async ({
    studio,
    page,
    mock,
  }) => {
    test.slow();
    await addSource(page, 'square.png', await photo(1024, 1024, 90));
    await page.getByRole('button', { name: 'Edit mask' }).click();
    const { dialog, box } = await editorHelpers(page);
    await dialog.getByRole('slider', { name: 'Feather' }).fill('32');
    // The left half, x 0…511.
    await dialog.getByRole('button', { name: 'Rectangle' }).click();
    await page.mouse.move(box.x + 1, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height - 1, { steps: 8 });
    await page.mouse.up();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toHaveCount(0);

    const m = await maskPixels(page, [
      [0.25, 0.5], // painted
      [(512 + 16) / 1024, 0.5], // on the soft edge, outside what was painted: edited too
      [(512 + 48) / 1024, 0.5], // beyond the edge: kept
    ]);
    expect(m).toMatchObject({ size: [1024, 1024], alpha: [0, 0, 255], values: [0, 255] });

    await page.getByRole('checkbox', { name: 'Keep outside the mask' }).check();
    await studio.size.selectOption('1024x1024');
    const prompt = studio.promptText('a red door on the left');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const [req] = await edits(mock);
    const mask = req!.files!.find((f) => f.field === 'mask')!;
    expect(mask).toMatchObject({
      type: 'image/png',
      format: 'png',
      width: 1024,
      height: 1024,
      hasAlpha: true,
    });
    // Only alpha 0 and 255: no partial alpha reaches the API, and more than the painted half is to be edited.
    expect(mask.alpha!.partial).toBe(0);
    expect(mask.alpha!.transparent + mask.alpha!.opaque).toBe(1024 * 1024);
    expect(mask.alpha!.transparent).toBeGreaterThan(1024 * (512 + 16));
    expect(mask.alpha!.transparent).toBeLessThan(1024 * (512 + 48));

    const run = studio.run(prompt);
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible({ timeout: 30_000 });
    const after = run.getByRole('img', { name: prompt.slice(0, 200) });
    await expect(after).toHaveJSProperty('complete', true);
    // Read the composited result and the source; keep the result for the comparison with the raw one.
    const kept = await after.evaluate(async (img: HTMLImageElement) => {
      const before = document.querySelector<HTMLImageElement>('img[alt="Before: square.png"]')!;
      await before.decode();
      const read = (el: HTMLImageElement) => {
        const c = document.createElement('canvas');
        c.width = c.height = 1024;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(el, 0, 0);
        return ctx.getImageData(0, 0, 1024, 1024).data;
      };
      const a = read(img);
      const b = read(before);
      const w = window as unknown as { __kept: Uint8ClampedArray; __source: Uint8ClampedArray };
      w.__kept = a;
      w.__source = b;
      let outside = 0;
      for (let y = 0; y < 1024; y++)
        for (let x = 512 + 40; x < 1024; x++) {
          const i = (y * 1024 + x) * 4;
          if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) outside++;
        }
      return { size: [img.naturalWidth, img.naturalHeight], outside };
    });
    expect(kept.size).toEqual([1024, 1024]);
    expect(kept.outside).toBe(0); // beyond the soft edge: byte-identical to the source

    // On the soft edge the raw result is new content (the API was allowed to change it), and the kept result
    // is a blend: neither the source nor the raw result.
    await run.getByRole('checkbox', { name: 'Show raw result' }).check();
    const raw = run.getByRole('img', { name: `Raw result: ${prompt.slice(0, 200)}` });
    await expect(raw).toHaveJSProperty('complete', true);
    const edge = await raw.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const c = document.createElement('canvas');
      c.width = c.height = 1024;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const r = ctx.getImageData(0, 0, 1024, 1024).data;
      const { __kept: k, __source: s } = window as unknown as {
        __kept: Uint8ClampedArray;
        __source: Uint8ClampedArray;
      };
      const far = (p: Uint8ClampedArray, q: Uint8ClampedArray, i: number) =>
        Math.max(Math.abs(p[i]! - q[i]!), Math.abs(p[i + 1]! - q[i + 1]!), Math.abs(p[i + 2]! - q[i + 2]!)) >
        4;
      let pixels = 0;
      let rawNew = 0;
      let blended = 0;
      for (let y = 0; y < 1024; y += 2)
        for (let x = 514; x < 530; x++) {
          const i = (y * 1024 + x) * 4;
          pixels++;
          if (far(r, s, i)) rawNew++;
          if (far(k, s, i) && far(k, r, i)) blended++;
        }
      return { pixels, rawNew: rawNew / pixels, blended: blended / pixels };
    });
    expect(edge.rawNew).toBeGreaterThan(0.8);
    expect(edge.blended).toBeGreaterThan(0.6);
  });

  test('the feather stays with the mask: reopening shows it, and Done again changes nothing', async ({
    studio: _studio,
    page,
  }) => {
    const { dialog, drag } = await openEditor(page);
    const feather = dialog.getByRole('slider', { name: 'Feather' });
    await expect(feather).toHaveValue('0');
    await feather.fill('12');
    await dialog.getByRole('slider', { name: 'Brush size' }).fill('20');
    await drag([0.2, 0.5], [0.8, 0.5]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    // 12 px beyond the stroke's edge (10 px from its centre line): inside the soft edge, so edited.
    const near: [number, number] = [0.5, 0.5 + 18 / 240];
    const first = await maskPixels(page, [[0.5, 0.5], near]);
    expect(first).toMatchObject({ alpha: [0, 0], values: [0, 255] });

    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Edit mask' }).click();
      await editorHelpers(page);
      await expect(feather).toHaveValue('12');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expect(dialog).toHaveCount(0);
      // Exactly the same mask: not hardened, not grown again by the feather.
      expect((await maskPixels(page)).hash).toBe(first.hash);
    }

    // The editor reopened what was painted, not the widened mask: without the feather the edge is kept again.
    await page.getByRole('button', { name: 'Edit mask' }).click();
    await editorHelpers(page);
    await feather.fill('0');
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect((await maskPixels(page, [[0.5, 0.5], near])).alpha).toEqual([0, 255]);
  });
});

test.describe('Mask closed empty', () => {
  test('Done with nothing painted sends no mask and says so in the panel', async ({ studio, page, mock }) => {
    const { dialog, drag } = await openEditor(page);
    await dialog.getByRole('button', { name: 'Done' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'The mask was empty' });
    await expect(notice).toHaveText(
      'The mask was empty, so no mask will be sent: the whole image may change. Press Edit mask to paint the area to edit.',
    );
    await expect(page.getByText('No mask', { exact: true })).toBeVisible();

    // A real mask takes the notice away; clearing it all and pressing Done brings it back.
    await page.getByRole('button', { name: 'Edit mask' }).click();
    await editorHelpers(page);
    await drag([0.2, 0.5], [0.8, 0.5]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByRole('img', { name: 'The current mask' })).toBeVisible();
    await expect(notice).toHaveCount(0);
    await page.getByRole('button', { name: 'Edit mask' }).click();
    await editorHelpers(page);
    await dialog.getByRole('button', { name: 'Clear' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(notice).toBeVisible();
    await expect(page.getByRole('img', { name: 'The current mask' })).toHaveCount(0);

    const prompt = studio.promptText('a new sofa');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const [req] = await edits(mock);
    expect(req!.files!.map((f) => f.field)).toEqual(['image']);
  });
});

test.describe('Mask editor view and keys', () => {
  test('a plain wheel zooms around the pointer, which stays over the same image point; Shift+wheel pans', async ({
    studio: _studio,
    page,
  }) => {
    const { dialog, at } = await openEditor(page);
    const zoomLabel = dialog.getByRole('button', { name: /^\d+%$/ });
    const pct = async () => parseInt((await zoomLabel.textContent())!, 10);
    const frame = dialog.locator('.frame');
    const stage = dialog.locator('.stage');
    const fitted = await pct();
    const cursor = at(0.3, 0.35);
    await page.mouse.move(cursor.x, cursor.y);
    await page.mouse.wheel(0, -100);
    await expect.poll(pct).toBeGreaterThanOrEqual(Math.floor(fitted * 1.25) - 1);
    expect(await pct()).toBeLessThanOrEqual(Math.ceil(fitted * 1.25) + 1);

    // Zoomed in until the image is larger than the stage (then scrolling can hold the point under the pointer).
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -100);
    await expect.poll(pct).toBeGreaterThanOrEqual(Math.floor(fitted * 1.25 ** 6) - 1);
    const under = () =>
      frame.evaluate((el, c) => {
        const r = el.getBoundingClientRect();
        return { fx: (c.x - r.left) / r.width, fy: (c.y - r.top) / r.height, r: r.toJSON() as DOMRect };
      }, cursor);
    const stageBox = (await stage.boundingBox())!;
    const start = await under();
    expect(start.r.width).toBeGreaterThan(stageBox.width);
    expect(start.r.height).toBeGreaterThan(stageBox.height);
    for (const [delta, factor] of [
      [-100, 1.25],
      [-100, 1.25],
      [100, 0.8],
    ] as const) {
      const before = await under();
      const level = await pct();
      await page.mouse.wheel(0, delta);
      await expect.poll(pct).not.toBe(level);
      await expect
        .poll(async () => Math.abs((await under()).r.width - before.r.width * factor))
        .toBeLessThanOrEqual(2);
      const now = await under();
      // The image point that was under the pointer is under it still, within a pixel or two.
      expect(Math.abs(now.r.left + before.fx * now.r.width - cursor.x)).toBeLessThanOrEqual(2);
      expect(Math.abs(now.r.top + before.fy * now.r.height - cursor.y)).toBeLessThanOrEqual(2);
    }
    // The page itself never scrolled or zoomed; the stage did scroll to hold the point.
    expect(await page.evaluate(() => [scrollX, scrollY, visualViewport?.scale ?? 1])).toEqual([0, 0, 1]);

    // Shift+wheel pans sideways without zooming.
    const level = await pct();
    const left = await stage.evaluate((el) => el.scrollLeft);
    await page.keyboard.down('Shift');
    await page.mouse.wheel(0, -60);
    await page.keyboard.up('Shift');
    await expect.poll(() => stage.evaluate((el) => el.scrollLeft)).toBe(left - 60);
    expect(await pct()).toBe(level);
  });

  test('[ and ] change the brush size; Ctrl+Z and Shift+Ctrl+Z undo and redo strokes', async ({
    studio: _studio,
    page,
  }) => {
    const { dialog, drag } = await openEditor(page);
    const size = dialog.getByRole('slider', { name: 'Brush size' });
    await size.fill('40');
    await page.keyboard.press(']');
    await expect(size).toHaveValue('50');
    await page.keyboard.press(']');
    await expect(size).toHaveValue('63');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await expect(size).toHaveValue('40');
    await expect(dialog.getByText('40 px · [ ]')).toBeVisible();

    await size.fill('24');
    await drag([0.1, 0.2], [0.9, 0.2]);
    await drag([0.1, 0.5], [0.9, 0.5]);
    await drag([0.1, 0.8], [0.9, 0.8]);
    const redo = dialog.getByRole('button', { name: 'Redo' });
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
    await expect(redo).toBeEnabled();
    await page.keyboard.press('Control+Shift+Z');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const m = await maskPixels(page, [
      [0.5, 0.2], // first stroke: never undone
      [0.5, 0.5], // second: undone, then redone
      [0.5, 0.8], // third: undone
      [0.5, 0.35], // between strokes
    ]);
    expect(m.alpha).toEqual([0, 0, 255, 255]);
  });
});
