/** Where the servers started by playwright.config.ts listen, and the storage keys the app uses. */
export const MOCK_PORT = Number(process.env.MOCK_OPENAI_PORT ?? 8797);
export const MOCK_ORIGIN = `http://127.0.0.1:${MOCK_PORT}`;
export const MOCK_BASE_URL = `${MOCK_ORIGIN}/v1`;
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 4174);
export const APP_ORIGIN = `http://127.0.0.1:${APP_PORT}`;

/** sessionStorage or localStorage: {apiKey, baseUrl, organization, project, persistence}. */
export const SETTINGS_KEY = 'atelier.settings.v1';
/** localStorage: the studio's options and draft prompt. */
export const OPTIONS_KEY = 'atelier.studio.v1';
