// In-memory log of the requests the mock received, for tests to inspect (GET /__mock/requests).

/**
 * @typedef {object} LoggedRequest
 * @property {string} id the x-request-id the mock answered with
 * @property {string} time ISO timestamp of arrival
 * @property {string} method
 * @property {string} path pathname, without the query string
 * @property {string} query the query string including '?', or ''
 * @property {Record<string, string | string[] | undefined>} headers all request headers (lower-case names)
 * @property {unknown} body parsed JSON body (long base64 strings truncated), or null
 * @property {string | null} bodyText the start of a non-JSON body, or null
 * @property {number} bodyBytes
 * @property {string[]} scenarios mock scenarios the request selected
 * @property {number | null} status response status (null until the response starts; 0 if the socket was cut)
 * @property {number | null} durationMs
 */

/** Most entries kept; older ones are dropped. */
export const MAX_LOGGED = 1000;

const BASE64ISH = /^(data:[^,]{0,100};base64,)?[A-Za-z0-9+/=\r\n]+$/;

/**
 * Copy a parsed JSON value, shortening long base64 payloads and data URLs (never the prompt).
 * @param {unknown} value @param {string} [key]
 * @returns {unknown}
 */
export function truncateB64(value, key) {
  if (typeof value === 'string') {
    if (key !== 'prompt' && value.length > 512 && BASE64ISH.test(value.slice(0, 4096)))
      return `${value.slice(0, 64)}...[truncated, ${value.length} chars]`;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => truncateB64(v, key));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateB64(v, k)]));
  return value;
}

/**
 * Append an entry, keeping at most MAX_LOGGED. Mutates `list` in place so references stay valid.
 * @param {LoggedRequest[]} list @param {LoggedRequest} entry
 */
export function pushLogged(list, entry) {
  list.push(entry);
  if (list.length > MAX_LOGGED) list.splice(0, list.length - MAX_LOGGED);
}
