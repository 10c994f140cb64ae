/**
 * Conversation mode against the mock's Responses API: turns that stream text and partial images, branching
 * from an earlier turn, the fallback when the earlier response is gone or never stored, Files API uploads
 * reused by content hash, background jobs that survive a reload, cancel, and one clear message per failure.
 */
import sharp from 'sharp';
import { LibraryPage } from './support/library';
import { expect, test, type LoggedRequest, type MockLog } from './support/fixtures';
import type { Locator, Page } from '@playwright/test';

type Body = Record<string, unknown> & {
  input: { role?: string; type?: string; id?: string; content?: Record<string, unknown>[] }[];
  tools: Record<string, unknown>[];
};

async function photo(width: number, height: number, hue: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: hue, g: 120, b: 200 - hue } } })
    .png()
    .toBuffer();
}

/** The POST /v1/responses requests with this test's key, oldest first. */
async function responses(mock: MockLog, count: number): Promise<Body[]> {
  const list = async () =>
    (await mock.requests()).filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  await expect
    .poll(async () => (await list()).length, { message: `${count} /v1/responses request(s)` })
    .toBe(count);
  return (await list()).map((r) => r.body as Body);
}

const requestsTo = async (mock: MockLog, method: string, path: RegExp): Promise<LoggedRequest[]> =>
  (await mock.requests()).filter((r) => r.method === method && path.test(r.path));

class Conversation {
  readonly message: Locator;
  readonly send: Locator;
  readonly list: Locator;
  constructor(readonly page: Page) {
    this.message = page.getByRole('textbox', { name: 'Message', exact: true });
    this.send = page.getByRole('button', { name: 'Send', exact: true });
    this.list = page.getByRole('list', { name: 'Conversation', exact: true });
  }
  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Conversation' }).click();
    await expect(this.message).toBeVisible();
    // JPEG keeps the mock's images small and quick to make.
    await this.page.getByRole('combobox', { name: 'Format', exact: true }).selectOption('jpeg');
  }
  turn(n: number): Locator {
    return this.list.getByRole('listitem', { name: `Turn ${n}`, exact: true });
  }
  async say(text: string): Promise<void> {
    await this.message.fill(text);
    await this.send.click();
  }
  async done(n: number): Promise<void> {
    await expect(this.turn(n).locator('.badge')).toHaveText('Done', { timeout: 40_000 });
  }
  image(n: number): Locator {
    return this.turn(n).getByRole('img', { name: `Image from turn ${n}`, exact: true });
  }
  async settings(): Promise<void> {
    const s = this.page.locator('details', {
      has: this.page.locator('summary', { hasText: 'Conversation settings' }),
    });
    if ((await s.getAttribute('open')) === null) await s.locator('summary').click();
  }
}

test.describe('Conversation mode', () => {
  test('each image is kept in the library with its lineage, and "Continue conversation" reopens that turn', async ({
    studio: _studio,
    page,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.say(`a red kite ${tag}`);
    await c.done(1);
    await c.say(`now two kites ${tag}`);
    await c.done(2);

    const library = new LibraryPage(page);
    await library.open();
    await expect(library.cell(`a red kite ${tag}`)).toBeVisible();
    await library.cell(`now two kites ${tag}`).click();
    const detail = library.region;
    await expect(detail.getByText('conversation · /responses')).toBeVisible();
    // Lineage: made from turn 1's image.
    await expect(detail.getByRole('listitem').filter({ hasText: 'Made from:' })).toContainText('a red kite');
    // The turn's reported usage and cost reach its item once the response completes, beside the estimate shown
    // when the turn was sent.
    await expect(detail.locator('dt:text-is("Cost") + dd')).toHaveText(
      /^\$0\.\d+ · estimated ≈ \$[\d.]+(–\$[\d.]+)?$/,
    );
    await expect(detail.locator('dt:text-is("Usage") + dd')).toContainText('"output_tokens":');

    // Back to the first turn's item, and continue the conversation from it.
    await library.cell(`a red kite ${tag}`).click();
    await detail.getByRole('button', { name: 'Continue conversation' }).click();
    await expect(library.region).toBeHidden();
    await expect(page.getByRole('tab', { name: 'Conversation' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('Continues from turn 1.')).toBeVisible();
  });

  test('three turns with streamed partials, text, revised prompts and the chosen action', async ({
    studio,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await expect(page.getByRole('tab', { name: 'Conversation' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('combobox', { name: 'Mainline model' })).toHaveValue('gpt-6.1-sol');
    await expect(page.getByRole('combobox', { name: 'Image model' })).toHaveValue('gpt-image-2.5-flare');
    await expect(
      page.getByRole('radiogroup', { name: 'Action' }).getByRole('radio', { name: 'Auto' }),
    ).toBeChecked();
    const alts = await studio.recordImageAlts();

    await c.say(`a paper boat on a pond ${tag}`);
    await c.done(1);
    await expect(c.image(1)).toBeVisible();
    await expect(c.turn(1)).toContainText('Action: generate');
    await expect(c.turn(1)).toContainText(`Revised prompt: A new image: a paper boat on a pond ${tag}`);
    await expect(c.turn(1)).toContainText('Here is the new image.');
    expect(await alts()).toEqual(
      expect.arrayContaining(['Partial image 1 of turn 1', 'Partial image 2 of turn 1', 'Image from turn 1']),
    );

    await c.say(`make it night ${tag}`);
    await c.done(2);
    await expect(c.turn(2)).toContainText('Action: edit');
    await c.say(`add a lighthouse ${tag}`);
    await c.done(3);
    await expect(c.list.getByRole('listitem')).toHaveCount(3);

    const [b1, b2, b3] = await responses(mock, 3);
    expect(b1).toMatchObject({ model: 'gpt-6.1-sol', store: true, stream: true });
    expect(b1!.previous_response_id).toBeUndefined();
    expect(b1!.tools[0]).toMatchObject({
      type: 'image_generation',
      model: 'gpt-image-2.5-flare',
      action: 'auto',
      partial_images: 2,
      output_format: 'jpeg',
    });
    expect(b1!.input).toEqual([
      { role: 'user', content: [{ type: 'input_text', text: `a paper boat on a pond ${tag}` }] },
    ]);
    expect(b2!.previous_response_id).toMatch(/^resp_/);
    expect(b3!.previous_response_id).toMatch(/^resp_/);
    expect(b3!.previous_response_id).not.toBe(b2!.previous_response_id);
  });

  test('continue from turn 1 starts a branch; both branches stay selectable', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.say(`a red kite ${tag}`);
    await c.done(1);
    await c.say(`make it blue ${tag}`);
    await c.done(2);
    await c.turn(1).getByRole('button', { name: 'Continue from here' }).click();
    await expect(page.getByText('Continues from turn 1.')).toBeVisible();
    await c.say(`make it green ${tag}`);
    await c.done(2);
    await expect(c.turn(2)).toContainText(`make it green ${tag}`);
    await expect(c.turn(2)).toContainText('Branch 2 of 2');
    await expect(c.list.getByRole('listitem')).toHaveCount(2);

    const [, blue, green] = await responses(mock, 3);
    expect(green!.previous_response_id).toBe(blue!.previous_response_id); // both continue turn 1's response

    await c.turn(2).getByRole('button', { name: 'Previous branch' }).click();
    await expect(c.turn(2)).toContainText(`make it blue ${tag}`);
    await expect(c.turn(2)).toContainText('Branch 1 of 2');

    // The tree survives a reload (IndexedDB).
    await page.reload();
    await expect(c.turn(2)).toContainText('Branch');
    await expect(c.image(1)).toBeVisible();
  });

  test('when the earlier response is gone, the earlier image is sent as an input image, and the app says so', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.say(`a tin robot ${tag}`);
    await c.done(1);
    await c.say(`give it a hat ${tag} [[mock:expired]]`);
    await c.done(2);
    await expect(
      c.turn(2).getByRole('status').filter({ hasText: 'no longer has the earlier response' }),
    ).toBeVisible();
    const [, gone, fallback] = await responses(mock, 3);
    expect(gone!.previous_response_id).toMatch(/^resp_/);
    expect(fallback!.previous_response_id).toBeUndefined();
    const parts = fallback!.input[0]!.content!;
    expect(parts.map((p) => p.type)).toEqual(['input_text', 'input_image']);
    expect(parts[1]).toMatchObject({
      detail: 'auto',
      image_url: expect.stringMatching(/^data:image\/jpeg;base64,/),
    });
    const failed = (await requestsTo(mock, 'POST', /^\/v1\/responses$/))[1]!;
    expect(failed.status).toBe(400);
  });

  test('the setting "only the earlier image" refers to the image_generation_call by id', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.settings();
    await page.getByRole('radio', { name: /Only the earlier image/ }).check();
    await c.say(`a clay pot ${tag}`);
    await c.done(1);
    await c.say(`glaze it blue ${tag}`);
    await c.done(2);
    const [, b2] = await responses(mock, 2);
    expect(b2!.previous_response_id).toBeUndefined();
    expect(b2!.input[0]).toEqual({ type: 'item_reference', id: expect.stringMatching(/^ig_/) });
    await expect(c.turn(2)).toContainText('Action: edit');
  });

  test('store: false is sent, and the next turn re-sends the earlier image instead of an id', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.settings();
    await page.getByRole('checkbox', { name: 'Don’t store conversations on the server' }).check();
    await c.say(`a glass apple ${tag}`);
    await c.done(1);
    await c.say(`now in gold ${tag}`);
    await c.done(2);
    await expect(c.turn(2)).toContainText('store: false');
    const [b1, b2] = await responses(mock, 2);
    expect(b1!.store).toBe(false);
    expect(b2!.store).toBe(false);
    expect(b2!.previous_response_id).toBeUndefined();
    expect(b2!.input[0]!.content!.some((p) => p.type === 'input_image')).toBe(true);
  });

  test('Files API: an image is uploaded once and its file_id reused on later turns', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.settings();
    await page.getByRole('checkbox', { name: 'Upload images once (Files API)' }).check();
    const sources = page.getByRole('region', { name: 'Source images' });
    const png = await photo(96, 64, 40);
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'logo.png', mimeType: 'image/png', buffer: png }]);
    await c.say(`put this logo on a mug ${tag}`);
    await c.done(1);
    await expect(c.turn(1).getByRole('img', { name: 'Sent image: logo.png' })).toBeVisible();
    await sources
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([{ name: 'logo-again.png', mimeType: 'image/png', buffer: png }]);
    await c.say(`and on a cap ${tag}`);
    await c.done(2);

    const uploads = await requestsTo(mock, 'POST', /^\/v1\/files$/);
    expect(uploads).toHaveLength(1);
    const [b1, b2] = await responses(mock, 2);
    const fileOf = (b: Body) => b.input[0]!.content!.find((p) => p.type === 'input_image');
    expect(fileOf(b1!)).toMatchObject({ file_id: expect.stringMatching(/^file-/), detail: 'auto' });
    expect(fileOf(b2!)!.file_id).toBe(fileOf(b1!)!.file_id);
    expect(fileOf(b1!)).not.toHaveProperty('image_url');
  });

  test('a mask painted over the earlier image goes as input_image_mask, with that image as input', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await page.getByRole('combobox', { name: 'Size', exact: true }).selectOption('1024x1024');
    await c.say(`a plain wall ${tag}`);
    await c.done(1);
    await page.getByRole('button', { name: 'Mask the earlier image' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mask editor' });
    await expect(dialog.getByRole('button', { name: 'Brush' })).toHaveAttribute('aria-pressed', 'true');
    const box = (await dialog.locator('canvas.upper-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 10 });
    await page.mouse.up();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByRole('img', { name: 'The current mask' })).toBeVisible();
    await page.getByRole('radiogroup', { name: 'Action' }).getByRole('radio', { name: 'Edit' }).check();
    await c.say(`paint a window here ${tag}`);
    await c.done(2);
    await expect(c.turn(2).getByRole('img', { name: 'Sent mask' })).toBeVisible();
    await expect(c.turn(2)).toContainText('Action: edit');
    const [, body] = await responses(mock, 2);
    const tool = body!.tools[0]!;
    expect(tool).toMatchObject({
      action: 'edit',
      input_image_mask: { image_url: expect.stringMatching(/^data:image\/png;base64,/) },
    });
    expect(body!.input[0]!.content!.filter((p) => p.type === 'input_image')).toHaveLength(1);
    expect(body!.previous_response_id).toMatch(/^resp_/);
  });

  test('a background job survives page.reload() and finishes, resuming after the last sequence number', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.settings();
    await page.getByRole('checkbox', { name: 'Background mode (survives a reload)' }).check();
    await expect(page.getByText('keeps each response and its images on the server')).toBeVisible();
    await c.say(`a slow sunrise ${tag} [[mock:slowish]]`);
    await expect(c.turn(1).getByRole('img', { name: /^Partial image 1/ })).toBeVisible();
    const [body] = await responses(mock, 1);
    expect(body).toMatchObject({ background: true, stream: true, store: true });

    await page.reload();
    await expect(c.turn(1)).toBeVisible();
    await c.done(1);
    await expect(c.image(1)).toBeVisible();
    const resumes = await requestsTo(mock, 'GET', /^\/v1\/responses\/resp_/);
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    const query = new URLSearchParams(resumes[0]!.query);
    expect(query.get('stream')).toBe('true');
    expect(Number(query.get('starting_after'))).toBeGreaterThanOrEqual(3);
    // Finished jobs are forgotten.
    expect(await page.evaluate(() => localStorage.getItem('atelier.conversation.jobs.v1'))).toBeNull();
  });

  test('Cancel stops a background job on the server', async ({ studio: _s, page, mock, tag }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();
    await c.settings();
    await page.getByRole('checkbox', { name: 'Background mode (survives a reload)' }).check();
    await c.say(`a long tapestry ${tag} [[mock:slowish]]`);
    await expect(c.turn(1).locator('.badge')).toHaveText('Working…');
    await c.turn(1).getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(c.turn(1).locator('.badge')).toHaveText('Cancelled');
    await expect.poll(async () => (await requestsTo(mock, 'POST', /\/cancel$/)).length).toBe(1);
    await expect(c.turn(1).getByRole('button', { name: 'Retry' })).toBeVisible();
  });

  test('each failure has its own message and earlier turns are kept', async ({
    studio: _s,
    page,
    mock,
    tag,
  }) => {
    test.slow();
    const c = new Conversation(page);
    await c.open();

    // A forced edit with nothing to edit is refused before sending.
    await page.getByRole('radiogroup', { name: 'Action' }).getByRole('radio', { name: 'Edit' }).check();
    await c.say(`edit what? ${tag}`);
    await expect(page.getByText('“Edit” needs an image in the conversation')).toBeVisible();
    expect(await requestsTo(mock, 'POST', /^\/v1\/responses$/)).toHaveLength(0);
    await page.getByRole('radiogroup', { name: 'Action' }).getByRole('radio', { name: 'Auto' }).check();

    await c.say(`a quiet harbour ${tag}`);
    await c.done(1);

    const expectFailure = async (n: number, text: string, title: string) => {
      await c.say(text);
      await expect(c.turn(n).getByRole('alert')).toContainText(title);
      await expect(c.image(1)).toBeVisible(); // the earlier turn is still there
    };
    await expectFailure(2, `add boats ${tag} [[mock:policy]]`, 'Rejected by the safety system');
    await c.turn(1).getByRole('button', { name: 'Continue from here' }).click();
    await expectFailure(
      2,
      `add gulls ${tag} [[mock:tool-unsupported]]`,
      'gpt-6.1-sol cannot use the image tool',
    );
    await c.turn(1).getByRole('button', { name: 'Continue from here' }).click();
    await expectFailure(2, `add fog ${tag} [[mock:error-event]]`, 'The response failed');
    await c.turn(1).getByRole('button', { name: 'Continue from here' }).click();
    await expectFailure(2, `add rain ${tag} [[mock:cut]]`, 'The connection dropped mid-turn');
    await expect(c.turn(2).getByRole('img', { name: /^Partial image 1/ })).toBeVisible();
    await expect(c.turn(2).getByRole('button', { name: 'Retry' })).toBeVisible();
    await c.turn(1).getByRole('button', { name: 'Continue from here' }).click();
    await expectFailure(2, `add snow ${tag} [[mock:incomplete]]`, 'The response stopped early');

    // A failed upload.
    await c.turn(1).getByRole('button', { name: 'Continue from here' }).click();
    await c.settings();
    await page.getByRole('checkbox', { name: 'Upload images once (Files API)' }).check();
    await page
      .getByRole('region', { name: 'Source images' })
      .getByRole('button', { name: 'Add images' })
      .setInputFiles([
        { name: 'bad [[mock:upload-fail]].png', mimeType: 'image/png', buffer: await photo(40, 40, 9) },
      ]);
    await expectFailure(2, `use this ${tag}`, 'The image could not be uploaded');

    // An image model as the mainline model is refused before sending.
    await page.getByRole('combobox', { name: 'Mainline model' }).fill('gpt-image-2');
    await c.say(`wrong model ${tag}`);
    await expect(page.getByText('gpt-image-2 is an image model')).toBeVisible();
    await expect(c.turn(1).locator('.badge')).toHaveText('Done');
  });
});
