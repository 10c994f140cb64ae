/**
 * The API base URL: its default and the check every stored or typed base URL goes through. Kept apart from
 * client.ts so that the settings can use it without loading the fetch code on the first page load.
 */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Trims and drops trailing slashes; requires http(s) without credentials, query or fragment. Plain http is
 * allowed only for localhost, 127.0.0.1 and ::1, since anything else would send the key in the clear.
 */
export function normalizeBaseUrl(input: string): { ok: true; url: string } | { ok: false; message: string } {
  const trimmed = input.trim();
  if (trimmed === '')
    return { ok: false, message: 'Enter a base URL, for example https://api.openai.com/v1.' };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: 'This is not a valid URL. It should look like https://api.openai.com/v1.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'The base URL must start with https://.' };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      message: 'Remove the user name and password from the URL; the API key is sent separately.',
    };
  }
  if (trimmed.includes('?') || trimmed.includes('#')) {
    return { ok: false, message: 'The base URL cannot contain a query (?…) or a fragment (#…).' };
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    return { ok: false, message: 'Use https:// (plain http is only allowed for localhost).' };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}
