// The OpenAI error envelope, shared by validation, auth and the fault scenarios.

/**
 * @typedef {object} ApiError
 * @property {number} status HTTP status
 * @property {{ error: { message: string, type: string, param: string | null, code: string | null } & Record<string, unknown> }} body
 * @property {Record<string, string>} [headers] extra response headers
 */

/**
 * Build an error response.
 * @param {number} status
 * @param {string} message
 * @param {{ type?: string, param?: string | null, code?: string | null, extra?: Record<string, unknown>, headers?: Record<string, string> }} [opts]
 * @returns {ApiError}
 */
export function apiError(status, message, opts = {}) {
  const { type = 'invalid_request_error', param = null, code = null, extra = {}, headers } = opts;
  return {
    status,
    body: { error: { message, type, param, code, ...extra } },
    ...(headers ? { headers } : {}),
  };
}

/** A 400 invalid_request_error. @param {string} message @param {string | null} param @param {string | null} code */
export const badRequest = (message, param, code) => apiError(400, message, { param, code });

/** 404 for an unknown or shut-down model. @param {string} model */
export const modelNotFound = (model) =>
  apiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, {
    code: 'model_not_found',
  });

export const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
  "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API " +
  'from your browser and are prompted for a username. You can obtain an API key from ' +
  'https://platform.openai.com/account/api-keys.';

/** 401 for a missing key. */
export const missingKey = () => apiError(401, MISSING_KEY_MESSAGE);

/** 401 for a bad key; the key is masked (first 3 characters, then ***). @param {string} key */
export const invalidKey = (key) =>
  apiError(
    401,
    `Incorrect API key provided: ${key.slice(0, 3)}***. You can find your API key at https://platform.openai.com/account/api-keys.`,
    { code: 'invalid_api_key' },
  );

/**
 * Check an Authorization header. Keys starting with `sk-bad` or shorter than 8 characters are invalid.
 * @param {string | undefined} header
 * @returns {ApiError | null} null when the key is acceptable
 */
export function checkAuth(header) {
  const m = /^\s*bearer\s+(.*)$/i.exec(header ?? '');
  const key = m?.[1]?.trim() ?? '';
  if (!key) return missingKey();
  if (key.startsWith('sk-bad') || key.length < 8) return invalidKey(key);
  return null;
}

/**
 * "'a', 'b', and 'c'" the way the API lists supported values.
 * @param {readonly string[]} values
 */
export function listValues(values) {
  const q = values.map((v) => `'${v}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** Thrown by validation helpers; carries the error response. */
export class RequestError {
  /** @param {ApiError} error */
  constructor(error) {
    this.error = error;
  }
}

/** @param {string} message @param {string | null} param @param {string | null} code @returns {never} */
export function fail(message, param, code) {
  throw new RequestError(badRequest(message, param, code));
}

/** @param {unknown} v */
export function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal number';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? 'a string' : `a ${typeof v}`;
}
