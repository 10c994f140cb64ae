import { expect, preconnect, test } from './support/fixtures';
import { StudioPage } from './support/studio';

interface HttpCase {
  scenario: string;
  /** The title of the message (errors.ts describeError). */
  title: string;
  /** More text the alert must contain. */
  text?: (string | RegExp)[];
  link?: { name: string; href: string };
  /** How many requests the mock must see: 1 = never retried; '>1' = retried automatically. */
  requests: 1 | '>1';
}

const VERIFY_URL = 'https://platform.openai.com/settings/organization/general';

const HTTP_CASES: HttpCase[] = [
  {
    scenario: '401',
    title: 'The API key was rejected',
    text: ['Incorrect API key provided', 'Check the key in Settings'],
    link: { name: 'API keys', href: 'https://platform.openai.com/api-keys' },
    requests: 1,
  },
  {
    scenario: '403-verify',
    title: 'Organization verification required',
    text: ['must be verified', /verify your organization/i],
    link: { name: 'Organization settings', href: VERIFY_URL },
    requests: 1,
  },
  {
    scenario: '404-model',
    title: '“gpt-image-2.6-flare” isn’t available to this key',
    text: ['does not exist or you do not have access to it', 'Pick another model'],
    requests: 1,
  },
  {
    scenario: '429-quota',
    title: 'Out of credit',
    text: ['exceeded your current quota', 'Add credit'],
    link: { name: 'Billing', href: 'https://platform.openai.com/settings/organization/billing/overview' },
    requests: 1,
  },
  {
    scenario: 'moderation',
    title: 'Rejected by the safety system',
    text: ['at the input stage', 'violence', 'Rephrase the prompt'],
    requests: 1,
  },
  {
    scenario: '500',
    title: 'The server had a problem',
    text: ['(HTTP 500)', 'Try again in a moment'],
    requests: '>1',
  },
  {
    scenario: '503',
    title: 'The server had a problem',
    text: ['overloaded', '(HTTP 503)'],
    requests: '>1',
  },
];

test.describe('Errors from the API', () => {
  for (const c of HTTP_CASES) {
    test(`[[mock:${c.scenario}]] is explained in an alert and nothing is lost`, async ({ studio, mock }) => {
      const prompt = studio.promptText('An orchard in spring', c.scenario);
      await studio.generate(prompt);

      const alert = studio.run(prompt).getByRole('alert');
      await expect(alert).toContainText(c.title, { timeout: 15_000 });
      for (const t of c.text ?? []) await expect(alert).toContainText(t);
      if (c.link)
        await expect(alert.getByRole('link', { name: c.link.name })).toHaveAttribute('href', c.link.href);
      await expect(alert).toContainText(/Request id: req_[0-9a-f]+/);
      await expect(studio.status(prompt, 'Failed')).toBeVisible();
      await expect(studio.finalImages(prompt)).toHaveCount(0);

      // Nothing lost: the prompt is still in the box and Generate works again.
      await expect(studio.prompt).toHaveValue(prompt);
      await expect(studio.generateButton).toBeEnabled();

      const sent = await mock.generations();
      if (c.requests === 1) expect(sent).toHaveLength(1);
      else expect(sent.length).toBeGreaterThan(1);
      for (const r of sent) expect((r.body as { prompt: string }).prompt).toBe(prompt);
    });
  }

  test('[[mock:429-rate]] waits as told, retries, then says to wait', async ({ studio, mock }) => {
    const prompt = studio.promptText('A crowded market', '429-rate');
    await studio.generate(prompt);
    // While it waits, the run says so.
    await expect(studio.run(prompt).getByRole('status')).toContainText(
      'The server asked us to wait; retrying in 2 s',
    );
    const alert = studio.run(prompt).getByRole('alert');
    await expect(alert).toContainText('Rate limit reached', { timeout: 15_000 });
    await expect(alert).toContainText('Please try again in 2s');
    await expect(alert).toContainText('Retry after 2 s. Then try again.');
    await expect(studio.status(prompt, 'Failed')).toBeVisible();
    await expect(studio.prompt).toHaveValue(prompt);
    await expect(studio.generateButton).toBeEnabled();
    expect((await mock.generations()).length).toBeGreaterThan(1);
  });

  test('[[mock:429-rate-once]] is retried automatically and succeeds', async ({ studio, mock }) => {
    const prompt = studio.promptText('A bicycle in the rain', '429-rate-once');
    await studio.generate(prompt);
    await expect(studio.finalImages(prompt)).toHaveCount(1);
    await expect(studio.status(prompt, 'Done')).toBeVisible();
    await expect(studio.run(prompt).getByRole('alert')).toHaveCount(0);
    const sent = await mock.generations();
    expect(sent.map((r) => r.status)).toEqual([429, 200]);
    // The retry waited at least the 1 s the server asked for.
    const gap = Date.parse(sent[1]!.time) - Date.parse(sent[0]!.time);
    expect(gap).toBeGreaterThanOrEqual(950);
  });
});

test.describe('Errors during a stream', () => {
  test('[[mock:cut]] keeps the partial image, marks the run incomplete and says so', async ({
    studio,
    mock,
  }) => {
    // With `slow` the partial arrives 2 s before the cut. Without it the partial and the reset can land
    // together, and a browser drops body chunks it had not handed to the page yet when the connection errors.
    const prompt = studio.promptText('A kite over dunes', 'cut', 'slow');
    await studio.generate(prompt);

    const alert = studio.run(prompt).getByRole('alert');
    await expect(alert).toContainText('The stream ended early');
    await expect(alert).toContainText('What arrived before the problem is kept below.');
    await expect(studio.status(prompt, 'Incomplete')).toBeVisible();
    await expect(studio.partial(prompt, 1)).toBeVisible();
    await expect(studio.run(prompt).getByText('the final image did not arrive')).toBeVisible();
    await expect(studio.finalImages(prompt)).toHaveCount(0);
    await expect(studio.prompt).toHaveValue(prompt);
    await expect(studio.generateButton).toBeEnabled();
    // A broken stream is not retried: the image may be half paid for.
    expect(await mock.generations()).toHaveLength(1);
  });

  test('[[mock:end-early]] a stream that ends cleanly without its final image keeps the last partial, marked incomplete', async ({
    studio,
    mock,
  }) => {
    await studio.partialImages.fill('2');
    const prompt = studio.promptText('A lantern on a jetty', 'end-early');
    await studio.generate(prompt);

    const alert = studio.run(prompt).getByRole('alert');
    await expect(alert).toContainText('The stream ended early');
    await expect(alert).toContainText('The stream ended before the final image arrived.');
    await expect(alert).toContainText('What arrived before the problem is kept below.');
    await expect(studio.status(prompt, 'Incomplete')).toBeVisible();
    // The last of the two partials stays on screen, captioned as the end of the run.
    await expect(studio.partial(prompt, 2)).toBeVisible();
    await expect(studio.partial(prompt, 1)).toHaveCount(0);
    await expect(
      studio.run(prompt).getByText('Partial image 2 — the final image did not arrive'),
    ).toBeVisible();
    await expect(studio.finalImages(prompt)).toHaveCount(0);
    await expect(studio.prompt).toHaveValue(prompt);
    await expect(studio.generateButton).toBeEnabled();
    // The server answered 200 and closed the stream normally: nothing was retried.
    const sent = await mock.generations();
    expect(sent.map((r) => r.status)).toEqual([200]);
    expect(sent[0]!.body).toMatchObject({ stream: true, partial_images: 2 });
  });

  for (const scenario of ['error-event', 'error-event-flat']) {
    test(`[[mock:${scenario}]] shows the server's message and keeps the partial`, async ({
      studio,
      mock,
    }) => {
      const prompt = studio.promptText('A fox in the snow', scenario);
      await studio.generate(prompt);

      const alert = studio.run(prompt).getByRole('alert');
      await expect(alert).toContainText('The image could not be generated.');
      await expect(alert).toContainText('What arrived before the problem is kept below.');
      await expect(studio.partial(prompt, 1)).toBeVisible();
      await expect(studio.run(prompt).locator('header .badge')).not.toHaveText('Working');
      await expect(studio.finalImages(prompt)).toHaveCount(0);
      await expect(studio.prompt).toHaveValue(prompt);
      await expect(studio.generateButton).toBeEnabled();
      expect(await mock.generations()).toHaveLength(1);
    });
  }

  test('[[mock:stall]] gives up after the configured silence and keeps the partial', async ({
    page,
    apiKey,
    tag,
  }) => {
    // Settings → Network → "Give up on a silent stream after (seconds)", at its smallest (5) instead of 90 s.
    // (Shorter would be faster, but under load the first partial could then lose the race with the limit.)
    await preconnect(page, { apiKey, stallSeconds: 5 });
    const studio = new StudioPage(page, tag);
    await studio.open();
    const prompt = studio.promptText('A clock tower at noon', 'stall');
    await studio.generate(prompt);

    await expect(studio.partial(prompt, 1)).toBeVisible();
    await expect(studio.status(prompt, 'Working')).toBeVisible();
    const alert = studio.run(prompt).getByRole('alert');
    await expect(alert).toContainText('No data for 5 s', { timeout: 15_000 });
    await expect(alert).toContainText('The last partial image is kept');
    await expect(studio.status(prompt, 'Incomplete')).toBeVisible();
    await expect(studio.partial(prompt, 1)).toBeVisible();
    await expect(studio.prompt).toHaveValue(prompt);
    await expect(studio.generateButton).toBeEnabled();
  });

  test('[[mock:stall]] can be cancelled at once; the partial stays', async ({ studio, mock }) => {
    const prompt = studio.promptText('A becalmed sailboat', 'stall');
    await studio.generate(prompt);
    await expect(studio.partial(prompt, 1)).toBeVisible();
    await expect(studio.status(prompt, 'Working')).toBeVisible();

    await studio.cancelButton.click();
    await expect(studio.status(prompt, 'Cancelled')).toBeVisible({ timeout: 1_500 });
    await expect(studio.partial(prompt, 1)).toBeVisible();
    await expect(studio.run(prompt).getByRole('alert')).toHaveCount(0);
    await expect(studio.generateButton).toBeEnabled();
    await expect(studio.prompt).toHaveValue(prompt);
    // The connection was closed by the browser (the mock would hold it for 10 minutes).
    await expect.poll(async () => (await mock.generations())[0]?.durationMs ?? null).not.toBeNull();
  });
});
