import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

const MOCK_PORT = Number(process.env.MOCK_OPENAI_PORT ?? 8797);
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 4174);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  forbidOnly: true,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.PW_JSON_OUTPUT
    ? [['list'], ['json', { outputFile: process.env.PW_JSON_OUTPUT }]]
    : 'list',
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: findChromium(),
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
    // The service worker is tested in pwa.spec.ts, which allows it; elsewhere it would only precache the app
    // again for every test and could hide requests from page.route.
    serviceWorkers: 'block',
  },
  webServer: [
    {
      command: `node tests/mock-openai/server.mjs --port ${MOCK_PORT}`,
      url: `http://127.0.0.1:${MOCK_PORT}/__mock/requests`,
      reuseExistingServer: false,
      env: { MOCK_OPENAI_DELAY_MS: '60' },
    },
    {
      command: `npx vite build --logLevel warn && npx vite preview --port ${APP_PORT} --strictPort`,
      url: `http://127.0.0.1:${APP_PORT}`,
      reuseExistingServer: false,
      timeout: 120_000,
    },
  ],
});
