/**
 * Shared fixtures for the browser tests.
 *
 * The mock server is shared by every worker, so nothing here ever clears its request log. Instead each test
 * gets its own API key (`sk-e2e-…`) and its own prompt marker, and reads only the log entries that carry them.
 */
import { randomBytes } from 'node:crypto';
import { test as base, expect, type Page } from '@playwright/test';
import { MOCK_BASE_URL, MOCK_ORIGIN, SETTINGS_KEY } from './env';
import { StudioPage } from './studio';

export { expect };
export * from './env';

/** One entry of the mock's request log (GET /__mock/requests); see tests/mock-openai/request-log.mjs. */
export interface LoggedRequest {
  id: string;
  time: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  bodyText: string | null;
  bodyBytes: number;
  scenarios: string[];
  status: number | null;
  durationMs: number | null;
}

/** A generation request body as the mock logged it. */
export type GenerationBody = Record<string, unknown>;

export const uid = (): string => randomBytes(5).toString('hex');

/** A fresh, valid-looking key for one test: the mock accepts any key of 8+ characters not starting sk-bad. */
export const uniqueKey = (): string => `sk-e2e-${uid()}${uid()}`;

/** The part of the mock's request log that belongs to one API key. */
export class MockLog {
  constructor(readonly apiKey: string) {}

  /** Every /v1 request the mock received with this test's key, oldest first. */
  async requests(): Promise<LoggedRequest[]> {
    const res = await fetch(`${MOCK_ORIGIN}/__mock/requests`);
    expect(res.ok, 'the mock request log answers').toBe(true);
    const all = (await res.json()) as LoggedRequest[];
    return all.filter((r) => r.headers.authorization === `Bearer ${this.apiKey}`);
  }

  /** The POST /v1/images/generations requests with this test's key. */
  async generations(): Promise<LoggedRequest[]> {
    return (await this.requests()).filter((r) => r.method === 'POST' && r.path === '/v1/images/generations');
  }

  /** Waits until exactly `count` generation requests arrived, and returns their bodies. */
  async generationBodies(count = 1): Promise<GenerationBody[]> {
    await expect
      .poll(async () => (await this.generations()).length, {
        message: `the mock received ${count} generation request(s)`,
      })
      .toBe(count);
    return (await this.generations()).map((r) => r.body as GenerationBody);
  }

  /** The single generation body (fails if there is not exactly one). */
  async onlyGenerationBody(): Promise<GenerationBody> {
    const [body] = await this.generationBodies(1);
    return body!;
  }
}

/** One request the page made, with every header the browser sent. */
export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
  headers: Record<string, string>;
}

/** Records every request a page makes (including its headers) from the moment it is attached. */
export class NetworkRecorder {
  private readonly pending: Promise<RecordedRequest>[] = [];

  constructor(page: Page) {
    page.on('request', (request) => {
      this.pending.push(
        request
          .allHeaders()
          .catch(() => request.headers())
          .then((headers) => ({
            url: request.url(),
            method: request.method(),
            resourceType: request.resourceType(),
            headers,
          })),
      );
    });
  }

  /** Everything recorded so far. */
  async all(): Promise<RecordedRequest[]> {
    return Promise.all(this.pending);
  }
}

export interface PreconnectOptions {
  apiKey: string;
  baseUrl?: string;
  persistence?: 'session' | 'local';
  /** The "give up on a silent stream" setting, in seconds (the app's default is 90). */
  stallSeconds?: number;
}

/**
 * Makes the page start "connected": writes `atelier.settings.v1` into sessionStorage before any app script
 * runs, when the tab has no settings record yet (so a reload keeps whatever the app saved since).
 */
export async function preconnect(page: Page, opts: PreconnectOptions): Promise<void> {
  const values = {
    apiKey: opts.apiKey,
    baseUrl: opts.baseUrl ?? MOCK_BASE_URL,
    organization: '',
    project: '',
    persistence: opts.persistence ?? 'session',
    ...(opts.stallSeconds !== undefined ? { stallSeconds: opts.stallSeconds } : {}),
  };
  await page.addInitScript(
    ([key, json]) => {
      // Only the first load of the tab: what the app saves later (settings changes, Forget key) survives reloads.
      if (window.sessionStorage.getItem(key) === null) window.sessionStorage.setItem(key, json);
    },
    [SETTINGS_KEY, JSON.stringify(values)] as const,
  );
}

interface Fixtures {
  /** This test's own API key. */
  apiKey: string;
  /** A marker unique to this test, to put in prompts. */
  tag: string;
  /** The mock's request log, narrowed to this test's key. */
  mock: MockLog;
  /** Every request `page` makes during the test. */
  network: NetworkRecorder;
  /** The studio, opened on a page pre-connected to the mock with `apiKey`. */
  studio: StudioPage;
  /** Automatic: fails the test when a page of its context throws an uncaught error. */
  failOnPageErrors: void;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  apiKey: async ({}, use) => {
    await use(uniqueKey());
  },
  // eslint-disable-next-line no-empty-pattern
  tag: async ({}, use) => {
    await use(`e2e-${uid()}`);
  },
  mock: async ({ apiKey }, use) => {
    await use(new MockLog(apiKey));
  },
  network: async ({ page }, use) => {
    await use(new NetworkRecorder(page));
  },
  failOnPageErrors: [
    async ({ context }, use) => {
      const errors: string[] = [];
      const watch = (page: Page) => page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
      context.pages().forEach(watch);
      context.on('page', watch);
      await use();
      expect(errors, 'uncaught errors in the page').toEqual([]);
    },
    { auto: true },
  ],
  studio: async ({ page, apiKey, tag }, use) => {
    await preconnect(page, { apiKey });
    const studio = new StudioPage(page, tag);
    await studio.open();
    await use(studio);
  },
});
