/**
 * Source images that need preparing before an edit: a JPEG that gets a mask goes as PNG, a phone photo stored
 * turned (EXIF orientation) is masked and sent upright, and DALL·E 2's square PNG is made by cropping or
 * padding (its mask squared the same way). The mock checks what arrives: same format and size for image and
 * mask, and dall-e-2's own rules.
 */
import { addSource, edits, maskAlpha, maskRectangle, photo } from './support/edit';
import { expect, test } from './support/fixtures';

test.describe('Edit sources prepared for the API', () => {
  test('a JPEG with a mask: said before sending, then sent as a PNG of the mask’s size', async ({
    studio,
    page,
    mock,
  }) => {
    await addSource(page, 'boat.jpg', await photo(200, 300, 120, 'jpeg'));
    const notice = page.getByText(/“boat\.jpg” will be sent as a 200 × 300 PNG/);
    await expect(notice).toHaveCount(0); // no mask, sent as it is

    await maskRectangle(page, [0.1, 0.1], [0.6, 0.5]);
    // Before anything is sent: the conversion, with the PNG's size once made.
    await expect(notice).toContainText(
      /will be sent as a 200 × 300 PNG, [\d.]+ KB, converted in your browser: a mask and its image must have the same format/,
    );

    const prompt = studio.promptText('a flag on the mast');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const [req] = await edits(mock);
    expect(req!.files!.map((f) => [f.field, f.filename, f.type, f.format, f.width, f.height])).toEqual([
      ['image', 'boat.png', 'image/png', 'png', 200, 300],
      ['mask', 'mask.png', 'image/png', 'png', 200, 300],
    ]);
    await expect(studio.run(prompt).locator('header .badge', { hasText: 'Done' })).toBeVisible();
  });

  test('a phone JPEG stored turned (EXIF orientation 6) is masked and sent upright, at the size shown', async ({
    studio,
    page,
    mock,
  }) => {
    test.slow();
    // Stored 320 × 240 and tagged "turn 90° clockwise": shown 240 × 320, as a phone's portrait photo.
    const sources = await addSource(page, 'phone.jpg', await photo(320, 240, 30, 'jpeg', 6));
    await expect(sources.getByRole('listitem').first()).toContainText('240 × 320 · JPEG');

    await maskRectangle(page, [0.02, 0.02], [0.98, 0.45]); // the top of the picture as shown
    const m = await maskAlpha(page, [
      [0.5, 0.2],
      [0.5, 0.8],
    ]);
    expect(m).toEqual({ size: [240, 320], alpha: [0, 255] });
    await expect(page.getByText(/“phone\.jpg” will be sent as an upright 240 × 320 PNG/)).toContainText(
      'stored turned (EXIF orientation)',
    );

    // A result of the same shape (the mock fits the source to it), so both can be compared point by point.
    await studio.size.selectOption('Custom…');
    await studio.customSize.fill('768x1024');
    const prompt = studio.promptText('a kite in the sky');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const [req] = await edits(mock);
    expect(req!.files!.map((f) => [f.field, f.type, f.format, f.width, f.height])).toEqual([
      ['image', 'image/png', 'png', 240, 320],
      ['mask', 'image/png', 'png', 240, 320],
    ]);
    const run = studio.run(prompt);
    await expect(run.locator('header .badge', { hasText: 'Done' })).toBeVisible();

    // The mock keeps the sent image outside the mask: there the result matches the photo as shown, so the
    // pixels went upright (sent as stored, the bottom of the result would be another part of the photo).
    const after = run.getByRole('img', { name: prompt.slice(0, 200) });
    await expect(after).toHaveJSProperty('complete', true);
    const diff = await after.evaluate(async (img: HTMLImageElement) => {
      const before = document.querySelector<HTMLImageElement>('img[alt="Before: phone.jpg"]')!;
      await before.decode();
      const read = (el: HTMLImageElement) => {
        const c = document.createElement('canvas');
        c.width = 240;
        c.height = 320;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(el, 0, 0, 240, 320);
        return ctx.getImageData(0, 0, 240, 320).data;
      };
      const a = read(img);
      const b = read(before);
      // Mean difference below the mask; the same photo upside down (as stored, turned the other way) for scale.
      let same = 0;
      let flipped = 0;
      let n = 0;
      for (let y = 200; y < 320; y += 3)
        for (let x = 0; x < 240; x += 3)
          for (let k = 0; k < 3; k++, n++) {
            same += Math.abs(a[(y * 240 + x) * 4 + k]! - b[(y * 240 + x) * 4 + k]!);
            flipped += Math.abs(a[(y * 240 + x) * 4 + k]! - b[((319 - y) * 240 + 239 - x) * 4 + k]!);
          }
      return { size: [img.naturalWidth, img.naturalHeight], same: same / n, flipped: flipped / n };
    });
    expect(diff.size).toEqual([768, 1024]);
    expect(diff.same).toBeLessThan(6);
    expect(diff.flipped).toBeGreaterThan(30);
  });

  test('DALL·E 2: a JPEG padded to a square PNG, its mask padded the same way, is an edit the server accepts', async ({
    studio,
    page,
    mock,
  }) => {
    test.slow();
    await page.getByRole('tab', { name: 'Edit' }).click();
    await studio.chooseModel('dall-e-2');
    const sources = await addSource(page, 'dune.jpg', await photo(300, 200, 40, 'jpeg'));
    await maskRectangle(page, [0.02, 0.02], [0.4, 0.98]); // the left part

    await page
      .getByRole('group', { name: 'Make square PNG' })
      .getByRole('button', { name: 'Pad to square' })
      .click();
    await expect(sources.getByRole('img', { name: 'dune-padded.png' })).toBeVisible();
    await expect(sources.getByRole('status')).toContainText(
      'all of it, centred on transparent bands (a DALL·E 2 edit may fill them) as a 300 × 300 PNG. The mask was padded the same way.',
    );
    await expect(page.getByRole('group', { name: 'Make square PNG' })).toHaveCount(0);
    // The mask is square too: what was painted stays marked, the bands (top and bottom) are kept.
    expect(
      await maskAlpha(page, [
        [0.2, 0.5], // painted
        [0.8, 0.5], // not painted
        [0.2, 0.05], // the top band
      ]),
    ).toEqual({ size: [300, 300], alpha: [0, 255, 255] });

    await studio.size.selectOption('256x256');
    const prompt = studio.promptText('an oasis');
    await studio.prompt.fill(prompt);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'This model is shut down' })
      .getByRole('button', { name: 'Send anyway' })
      .click();
    const [req] = await edits(mock);
    expect(req!.body).toMatchObject({ model: 'dall-e-2', size: '256x256', response_format: 'b64_json' });
    expect(req!.files!.map((f) => [f.field, f.type, f.format, f.width, f.height])).toEqual([
      ['image', 'image/png', 'png', 300, 300],
      ['mask', 'image/png', 'png', 300, 300],
    ]);
    await expect(studio.run(prompt).locator('header .badge', { hasText: 'Done' })).toBeVisible();
  });
});
