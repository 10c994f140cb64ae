/**
 * Edit mode: source images in (file input, paste, "Edit this"), refusals by name, the multipart request the
 * mock receives (image[] parts with real MIME types, no moderation), results with a before/after slider.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { addSource, edits, maskAlpha, openEditor, photo, type EditLogged } from './support/edit';
import { expect, test } from './support/fixtures';

test.describe('Edit mode', () => {
  test('adds images, refuses a non-image by name, and sends image[] parts with their real types', async ({
    studio,
    page,
    mock,
  }) => {
    test.slow(); // two renders by the mock; the shared CI machine can be busy
    await expect(page.getByRole('tab', { name: 'Generate' })).toHaveAttribute('aria-selected', 'true');
    await expect(studio.moderation).toBeVisible();
    await page.getByRole('tab', { name: 'Edit' }).click();
    await expect(studio.moderation).toHaveCount(0);

    const sources = page.getByRole('region', { name: 'Source images' });
    await sources.getByRole('button', { name: 'Add images' }).setInputFiles([
      { name: 'harbour.png', mimeType: 'image/png', buffer: await photo(320, 240, 20) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') },
      { name: 'boat.jpg', mimeType: 'image/jpeg', buffer: await photo(200, 300, 120, 'jpeg') },
    ]);
    await expect(sources.getByRole('alert')).toContainText('notes.txt');
    await expect(sources.getByRole('alert')).toContainText('only PNG, JPEG and WebP');
    await expect(sources.getByRole('img')).toHaveCount(2);
    await expect(sources.getByRole('img', { name: 'harbour.png' })).toBeVisible();

    // Reorder: boat first, then back.
    await sources.getByRole('button', { name: 'Move boat.jpg earlier' }).click();
    await expect(sources.getByRole('listitem').first()).toContainText('boat.jpg');
    await sources.getByRole('button', { name: 'Move boat.jpg later' }).click();
    await expect(sources.getByRole('listitem').first()).toContainText('harbour.png');

    const prompt = studio.promptText('put a lighthouse on the pier');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();

    const [req] = await edits(mock);
    const body = req!.body as Record<string, string>;
    expect(body).toMatchObject({ model: expect.any(String), prompt });
    expect(body).not.toHaveProperty('moderation');
    expect(req!.parts!.filter((p) => p.name.startsWith('image')).map((p) => p.name)).toEqual([
      'image[]',
      'image[]',
    ]);
    expect(req!.files!.map((f) => [f.field, f.filename, f.type, f.format, f.width, f.height])).toEqual([
      ['image[]', 'harbour.png', 'image/png', 'png', 320, 240],
      ['image[]', 'boat.jpg', 'image/jpeg', 'jpeg', 200, 300],
    ]);

    // The result has a before/after slider against the first source.
    const run = studio.run(prompt);
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible();
    await expect(run.getByRole('img', { name: 'Before: harbour.png' })).toBeAttached();
    const slider = run.getByRole('slider', { name: 'Compare before and after' });
    await slider.fill('20');
    await expect(slider).toHaveValue('20');
  });

  test('"Copy request as curl" on an edit is a multipart command that really works against the server', async ({
    studio,
    page,
    mock,
    apiKey,
  }) => {
    test.slow(); // two renders by the mock
    await page.getByRole('tab', { name: 'Edit' }).click();
    const files = [
      { name: 'left side.png', mimeType: 'image/png', buffer: await photo(256, 256, 40) },
      { name: 'right.jpg', mimeType: 'image/jpeg', buffer: await photo(256, 256, 200, 'jpeg') },
    ];
    const sources = page.getByRole('region', { name: 'Source images' });
    await sources.getByRole('button', { name: 'Add images' }).setInputFiles(files);
    await expect(sources.getByRole('img')).toHaveCount(2);
    const prompt = studio.promptText("a sign that says 'open'");
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const run = studio.run(prompt);
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible();
    const [sent] = await edits(mock);

    await run.locator('details summary').first().click();
    await run.getByRole('button', { name: 'Show command' }).click();
    const command = (await run.getByLabel('curl command').textContent())!;
    expect(command).not.toContain(apiKey);
    expect(command).toContain("-F 'image[]=@left-side.png;type=image/png'");

    // Save the sources under the names the command expects and run it, as a user would.
    const dir = await mkdtemp(path.join(tmpdir(), 'atelier-curl-'));
    await writeFile(path.join(dir, 'left-side.png'), files[0]!.buffer);
    await writeFile(path.join(dir, 'right.jpg'), files[1]!.buffer);
    const out = execFileSync(
      'sh',
      ['-c', `${command} --silent --show-error --output /dev/null --write-out '%{http_code}'`],
      {
        cwd: dir,
        env: { ...process.env, OPENAI_API_KEY: apiKey },
        encoding: 'utf8',
      },
    );
    expect(out).toBe('200');
    const [, again] = await edits(mock, 2);
    expect(again!.body).toEqual(sent!.body);
    expect(again!.files!.map((f) => [f.field, f.type, f.width, f.height, f.bytes])).toEqual(
      sent!.files!.map((f) => [f.field, f.type, f.width, f.height, f.bytes]),
    );
  });

  test('"Edit this" on a generated image makes it a source and switches to Edit', async ({
    studio,
    page,
  }) => {
    test.slow();
    const prompt = studio.promptText('a quiet bay');
    await studio.generate(prompt);
    await expect(studio.finalImages(prompt)).toHaveCount(1);
    await studio.run(prompt).getByRole('button', { name: 'Edit this' }).click();
    await expect(page.getByRole('tab', { name: 'Edit' })).toHaveAttribute('aria-selected', 'true');
    const sources = page.getByRole('region', { name: 'Source images' });
    await expect(sources.getByRole('img')).toHaveCount(1);
    await expect(sources).toContainText('1 of 16');
  });

  test('two images and a non-image dropped anywhere on the page: two sources, the non-image refused by name', async ({
    studio: _studio,
    page,
  }) => {
    const files = {
      png: (await photo(48, 48, 10)).toString('base64'),
      jpeg: (await photo(64, 40, 150, 'jpeg')).toString('base64'),
    };
    await page.evaluate(async (b64) => {
      const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes(b64.png)], 'dropped.png', { type: 'image/png' }));
      data.items.add(new File(['%PDF-1.7\n'], 'invoice.pdf', { type: 'application/pdf' }));
      data.items.add(new File([bytes(b64.jpeg)], 'second.jpg', { type: 'image/jpeg' }));
      const target = document.querySelector('.results')!;
      for (const type of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }, files);
    await expect(page.getByRole('tab', { name: 'Edit' })).toHaveAttribute('aria-selected', 'true');
    const sources = page.getByRole('region', { name: 'Source images' });
    await expect(sources.getByRole('img')).toHaveCount(2);
    await expect(sources.getByRole('img', { name: 'dropped.png' })).toBeVisible();
    await expect(sources.getByRole('img', { name: 'second.jpg' })).toBeVisible();
    await expect(sources.getByRole('listitem').first()).toContainText('dropped.png'); // in the order dropped
    const refusal = sources.getByRole('alert');
    await expect(refusal).toContainText('One file was not added:');
    await expect(refusal).toContainText('invoice.pdf — It is a PDF document. PDFs are not accepted');
    await expect(refusal).not.toContainText('dropped.png');
  });

  test('a pasted image becomes a source', async ({ studio, page }) => {
    const png = (await photo(64, 64, 200)).toString('base64');
    await studio.prompt.focus();
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'clip.png', { type: 'image/png' }));
      document.activeElement!.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, png);
    const sources = page.getByRole('region', { name: 'Source images' });
    await expect(sources.getByRole('img', { name: 'clip.png' })).toBeVisible();
  });
});

test.describe('Mask editor', () => {
  test('paint a stroke, erase part of it, send: the mock receives a same-size PNG mask with alpha', async ({
    studio,
    page,
    mock,
  }) => {
    const { dialog, drag } = await openEditor(page);
    await dialog.getByRole('slider', { name: 'Brush size' }).fill('30');
    await drag([0.1, 0.5], [0.9, 0.5]);
    await dialog.getByRole('button', { name: 'Eraser' }).click();
    await drag([0.5, 0.2], [0.5, 0.8]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toHaveCount(0);

    const m = await maskAlpha(page, [
      [0.2, 0.5], // painted
      [0.5, 0.5], // painted, then erased
      [0.2, 0.1], // never painted
    ]);
    expect(m).toEqual({ size: [320, 240], alpha: [0, 255, 255] });

    const prompt = studio.promptText('replace the sofa');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const [req] = await edits(mock);
    const mask = req!.files!.find((f) => f.field === 'mask')!;
    expect(mask).toMatchObject({ type: 'image/png', format: 'png', width: 320, height: 240, hasAlpha: true });
    expect(mask.alpha!.transparent).toBeGreaterThan(320 * 240 * 0.03);
    expect(mask.alpha!.opaque).toBeGreaterThan(320 * 240 * 0.8);
    expect(mask.alpha!.transparent + mask.alpha!.opaque).toBe(320 * 240); // strictly 0 or 255
    expect(req!.files!.map((f) => f.field)).toEqual(['image', 'mask']);
    await expect(studio.run(prompt).locator('header .badge', { hasText: 'Done' })).toBeVisible();
  });

  test('on a large image the screen canvas is shown-size; brush, eraser, lasso and undo land on the right image pixels', async ({
    studio: _studio,
    page,
  }) => {
    const { dialog, drag, at } = await openEditor(page, { width: 2400, height: 1200 });
    // What is on screen is backed at about the shown size, far fewer pixels than the image has.
    const lower = dialog.locator('canvas.lower-canvas');
    const [backing, shown] = await lower.evaluate((c: HTMLCanvasElement) => [c.width, c.clientWidth]);
    expect(backing).toBeLessThan(2400);
    expect(backing).toBeGreaterThanOrEqual(shown);
    // Brush size is in image pixels: 120 px wide, so 50 px off the centre line is painted, 75 px is not.
    await dialog.getByRole('slider', { name: 'Brush size' }).fill('120');
    await drag([0.1, 0.25], [0.9, 0.25]);
    await dialog.getByRole('button', { name: 'Eraser' }).click();
    await drag([0.5, 0.05], [0.5, 0.45]);
    await dialog.getByRole('button', { name: 'Lasso' }).click();
    const corners: [number, number][] = [
      [0.2, 0.6],
      [0.4, 0.6],
      [0.4, 0.9],
      [0.2, 0.9],
    ];
    await page.mouse.move(at(...corners[0]!).x, at(...corners[0]!).y);
    await page.mouse.down();
    for (const c of corners.slice(1)) await page.mouse.move(at(...c).x, at(...c).y, { steps: 8 });
    await page.mouse.up();
    // A rectangle taken back again leaves nothing behind.
    await dialog.getByRole('button', { name: 'Rectangle' }).click();
    await drag([0.55, 0.55], [0.95, 0.95]);
    await dialog.getByRole('button', { name: 'Undo' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const m = await maskAlpha(page, [
      [0.3, 0.25], // brush
      [0.3, 0.25 + 50 / 1200], // inside the brush's half width
      [0.3, 0.25 + 75 / 1200], // outside it
      [0.5, 0.25], // brushed, then erased
      [0.3, 0.75], // inside the lasso
      [0.75, 0.75], // inside the undone rectangle
      [0.3, 0.5], // untouched
    ]);
    expect(m).toEqual({ size: [2400, 1200], alpha: [0, 0, 255, 255, 0, 255, 255] });
  });

  test('undo, redo, invert and clear change what will be edited', async ({ studio: _studio, page }) => {
    const { dialog, drag } = await openEditor(page);
    const undo = dialog.getByRole('button', { name: 'Undo' });
    const redo = dialog.getByRole('button', { name: 'Redo' });
    await expect(undo).toBeDisabled();
    await dialog.getByRole('button', { name: 'Rectangle' }).click();
    await drag([0, 0], [0.5, 1]);
    await expect(undo).toBeEnabled();
    await undo.click();
    await expect(redo).toBeEnabled();
    await page.keyboard.press('Control+Shift+Z');
    await expect(redo).toBeDisabled();
    await dialog.getByRole('button', { name: 'Invert' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const m = await maskAlpha(page, [
      [0.25, 0.5],
      [0.75, 0.5],
    ]);
    expect(m.alpha).toEqual([255, 0]); // inverted: the right half is edited
    await expect(page.getByText('50% of “room.png” will be edited')).toBeVisible();

    await page.getByRole('button', { name: 'Edit mask' }).click();
    await dialog.getByRole('button', { name: 'Clear' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByText('No mask', { exact: true })).toBeVisible();
  });

  test.describe('touch and pen', () => {
    test.use({ hasTouch: true });

    test('a stroke drawn by touch and one drawn by pen both end up in the mask', async ({
      studio: _studio,
      page,
    }) => {
      const { dialog } = await openEditor(page);
      await dialog.getByRole('slider', { name: 'Brush size' }).fill('24');
      const box = (await dialog.locator('canvas.upper-canvas').boundingBox())!;
      const at = (fx: number, fy: number) => ({
        x: Math.round(box.x + box.width * fx),
        y: Math.round(box.y + box.height * fy),
      });
      const cdp = await page.context().newCDPSession(page);
      // Touch: a finger drags across the top quarter.
      const t0 = at(0.1, 0.25);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ ...t0, id: 1 }] });
      for (let i = 1; i <= 10; i++)
        await cdp.send('Input.dispatchTouchEvent', {
          type: 'touchMove',
          touchPoints: [{ ...at(0.1 + 0.08 * i, 0.25), id: 1 }],
        });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await expect(dialog.getByRole('button', { name: 'Undo' })).toBeEnabled();
      // Pen: a stylus drags across the bottom quarter.
      const pen = { button: 'left' as const, pointerType: 'pen' as const, clickCount: 1 };
      await cdp.send('Input.dispatchMouseEvent', {
        type: 'mousePressed',
        ...at(0.1, 0.75),
        ...pen,
        force: 0.6,
      });
      for (let i = 1; i <= 10; i++)
        await cdp.send('Input.dispatchMouseEvent', {
          type: 'mouseMoved',
          ...at(0.1 + 0.08 * i, 0.75),
          ...pen,
          buttons: 1,
          force: 0.6,
        });
      await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at(0.9, 0.75), ...pen });
      await dialog.getByRole('button', { name: 'Done' }).click();
      const m = await maskAlpha(page, [
        [0.5, 0.25], // touch stroke
        [0.5, 0.75], // pen stroke
        [0.5, 0.5], // between them
      ]);
      expect(m).toEqual({ size: [320, 240], alpha: [0, 0, 255] });
    });

    test('two fingers pinch-zoom without painting; space-drag pans without painting', async ({
      studio: _studio,
      page,
    }) => {
      const { dialog } = await openEditor(page);
      const undo = dialog.getByRole('button', { name: 'Undo' });
      const zoomLabel = dialog.getByRole('button', { name: /^\d+%$/ });
      const before = parseInt((await zoomLabel.textContent())!, 10);
      const box = (await dialog.locator('canvas.upper-canvas').boundingBox())!;
      const cx = Math.round(box.x + box.width / 2);
      const cy = Math.round(box.y + box.height / 2);
      const cdp = await page.context().newCDPSession(page);
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', spread: number | null) =>
        cdp.send('Input.dispatchTouchEvent', {
          type,
          touchPoints:
            spread === null
              ? []
              : [
                  { x: cx - spread, y: cy, id: 1 },
                  { x: cx + spread, y: cy, id: 2 },
                ],
        });
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchStart',
        touchPoints: [{ x: cx - 30, y: cy, id: 1 }],
      });
      await touch('touchStart', 30);
      for (let s = 40; s <= 90; s += 10) await touch('touchMove', s);
      await touch('touchEnd', null);
      await expect
        .poll(async () => parseInt((await zoomLabel.textContent())!, 10))
        .toBeGreaterThanOrEqual(before * 2.5);
      await expect(undo).toBeDisabled(); // the first finger's stroke was dropped

      // Zoomed in, the stage scrolls; holding Space turns a drag into a pan.
      const stage = dialog.locator('.stage');
      const scroll = () => stage.evaluate((el) => [el.scrollLeft, el.scrollTop] as [number, number]);
      const [left0, top0] = await scroll();
      await page.mouse.move(cx, cy);
      await page.keyboard.down(' ');
      await page.mouse.down();
      await page.mouse.move(cx - 120, cy - 60, { steps: 6 });
      await page.mouse.up();
      await page.keyboard.up(' ');
      const [left1, top1] = await scroll();
      expect(left1 - left0).toBeGreaterThanOrEqual(100);
      expect(top1 - top0).toBeGreaterThanOrEqual(40);
      await expect(undo).toBeDisabled();
      // Released, the same drag paints again.
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx - 60, cy, { steps: 6 });
      await page.mouse.up();
      await expect(undo).toBeEnabled();
    });
  });

  test('imports a black-and-white mask (black = edit)', async ({ studio: _studio, page }) => {
    const { dialog } = await openEditor(page);
    const bw = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#fff' } })
      .composite([
        {
          input: await sharp({ create: { width: 160, height: 240, channels: 3, background: '#000' } })
            .png()
            .toBuffer(),
          left: 0,
          top: 0,
        },
      ])
      .png()
      .toBuffer();
    await dialog.getByRole('button', { name: 'Import mask' }).setInputFiles({
      name: 'bw.png',
      mimeType: 'image/png',
      buffer: bw,
    });
    await expect(dialog.getByRole('status')).toContainText('black = edit, white = keep');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const m = await maskAlpha(page, [
      [0.25, 0.5],
      [0.75, 0.5],
    ]);
    expect(m.alpha).toEqual([0, 255]);
  });

  test('"Keep outside the mask" leaves the pixels outside the mask identical to the source', async ({
    studio,
    page,
  }) => {
    test.slow();
    await addSource(page, 'square.png', await photo(1024, 1024, 90));
    await page.getByRole('button', { name: 'Edit mask' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mask editor' });
    await dialog.getByRole('button', { name: 'Rectangle' }).click();
    const box = (await dialog.locator('canvas.upper-canvas').boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height - 2, { steps: 8 });
    await page.mouse.up();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('checkbox', { name: 'Keep outside the mask' }).check();
    await studio.size.selectOption('1024x1024');

    const prompt = studio.promptText('a red door on the left');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const run = studio.run(prompt);
    // A 1024² render by the mock, then compositing in the page: slow when the shared machine is busy.
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible({ timeout: 30_000 });
    const after = run.getByRole('img', { name: prompt.slice(0, 200) });
    await expect(after).toHaveJSProperty('complete', true);

    // Compare the result with the source, pixel by pixel, in the page.
    const diff = await after.evaluate(async (img: HTMLImageElement) => {
      const before = document.querySelector<HTMLImageElement>('img[alt="Before: square.png"]')!;
      await before.decode();
      const read = (el: HTMLImageElement) => {
        const c = document.createElement('canvas');
        c.width = 1024;
        c.height = 1024;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(el, 0, 0);
        return ctx.getImageData(0, 0, 1024, 1024).data;
      };
      const a = read(img);
      const b = read(before);
      let outside = 0;
      let inside = 0;
      for (let y = 0; y < 1024; y++)
        for (let x = 0; x < 1024; x++) {
          const i = (y * 1024 + x) * 4;
          const same = a[i] === b[i] && a[i + 1] === b[i + 1] && a[i + 2] === b[i + 2];
          if (x >= 540 && !same) outside++;
          if (x < 480 && same) inside++;
        }
      return { size: [img.naturalWidth, img.naturalHeight], outside, inside };
    });
    expect(diff.size).toEqual([1024, 1024]);
    expect(diff.outside).toBe(0); // right of the mask: byte-identical to the source
    expect(diff.inside).toBeLessThan(1024 * 480 * 0.05); // the masked half was edited

    // The result view: the heat map of the shown (composited) result finds nothing outside the mask; the raw
    // result, as the mock returned it, drifted there (the mock drifts ±2 levels like the real model).
    await run.getByRole('checkbox', { name: 'Show changes outside the mask' }).check();
    await expect(run.getByRole('status')).toContainText(
      'With the outside kept: Nothing changed outside the mask: every pixel there matches the original.',
    );
    const heat = run.getByRole('img', { name: `Changes outside the mask: ${prompt.slice(0, 200)}` });
    await expect(heat).toHaveJSProperty('complete', true);
    await run.getByRole('checkbox', { name: 'Show raw result' }).check();
    await expect(run.getByRole('status')).toContainText(
      /As the API returned it: \d+% of the pixels outside the mask changed \(largest difference 2 of 255/,
    );
    // Right of the mask the raw result's heat map is red where the mock drifted; left (inside) it is blue.
    const colours = await heat.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let red = 0;
      for (let y = 0; y < 1024; y += 4)
        for (let x = 600; x < 1024; x += 4)
          if (d[(y * 1024 + x) * 4]! >= 140 && d[(y * 1024 + x) * 4 + 2]! < 40) red++;
      const i = (512 * 1024 + 100) * 4;
      return { red, inside: [d[i], d[i + 1], d[i + 2]] };
    });
    expect(colours.red).toBeGreaterThan(256 * 106 * 0.5);
    expect(colours.inside[2]).toBeGreaterThan(colours.inside[0]!);
    await run.getByRole('checkbox', { name: 'Show changes outside the mask' }).uncheck();
    await expect(run.getByRole('img', { name: `Raw result: ${prompt.slice(0, 200)}` })).toBeVisible();
  });
});

test.describe('Variations (legacy, dall-e-2)', () => {
  test('offered only for dall-e-2; a non-square JPEG is squared on request, then n variations arrive', async ({
    studio,
    page,
    mock,
  }) => {
    test.slow();
    await page.getByRole('tab', { name: 'Edit' }).click();
    const create = page.getByRole('button', { name: 'Create variations' });
    await expect(create).toHaveCount(0); // the default GPT image model has no variations endpoint
    await studio.chooseModel('dall-e-2');
    await expect(create).toBeVisible();
    await expect(page.getByText('dall-e-2 was shut down on OpenAI on 2026-05-12')).toBeVisible();
    // Its own estimate beside the button: dall-e-2 has no price, and the way to add one is offered.
    const estimate = page.getByRole('group', { name: 'Variations estimate' });
    await expect(estimate).toContainText('price unknown for dall-e-2, which bills per image');
    await estimate.getByRole('button', { name: 'add a price in Costs and limits' }).click();
    const costs = page.getByRole('dialog', { name: 'Costs and limits' });
    await expect(costs.getByRole('combobox', { name: 'Model' })).toHaveValue('dall-e-2');
    await costs.getByRole('button', { name: 'Done' }).click();

    const sources = page.getByRole('region', { name: 'Source images' });
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([
        { name: 'dune.jpg', mimeType: 'image/jpeg', buffer: await photo(300, 200, 40, 'jpeg') },
      ]);
    await expect(sources.getByRole('img', { name: 'dune.jpg' })).toBeVisible();
    await create.click();
    await expect(page.getByRole('alert').filter({ hasText: '“dune.jpg” is not a PNG' })).toBeVisible();

    const square = page.getByRole('group', { name: 'Make square PNG' });
    await expect(square.getByRole('button', { name: 'Pad to square' })).toBeVisible();
    await square.getByRole('button', { name: 'Crop to square' }).click();
    await expect(sources.getByRole('img', { name: 'dune-square.png' })).toBeVisible();
    await expect(square).toHaveCount(0); // nothing left to square
    await expect(sources.getByRole('status')).toContainText('its centred square as a 200 × 200 PNG');
    await studio.images.fill('2');
    await studio.size.selectOption('256x256');
    await create.click();

    const run = studio.run('Variations of “dune-square.png”');
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible();
    const list = (await mock.requests()).filter((r) => r.path === '/v1/images/variations') as EditLogged[];
    expect(list).toHaveLength(1);
    expect(list[0]!.body).toEqual({
      model: 'dall-e-2',
      n: '2',
      size: '256x256',
      response_format: 'b64_json',
    });
    expect(list[0]!.files!.map((f) => [f.field, f.type, f.format, f.width, f.height])).toEqual([
      ['image', 'image/png', 'png', 200, 200],
    ]);
    const images = run.getByRole('img', { name: /^Variations of “dune-square.png” \(image \d\)$/ });
    await expect(images).toHaveCount(2);
    expect(
      await images.first().evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight]),
    ).toEqual([256, 256]);
  });
});
