// Fault scenarios. A request selects them with `[[mock:NAME]]` in its prompt and/or the header
// `x-mock-scenario: NAME[,NAME...]`. Selection only ever affects that one request. A magic API key can carry
// `[[mock:NAME]]` too (see keyMarkers): then every request made with that key selects it.
//
// Kinds:
//   - "http" scenarios answer at once with an error status (see httpFault).
//   - "moderation" answers 400 moderation_blocked, after the body passed validation.
//   - "stream" scenarios change how a response is delivered (see server.mjs):
//       cut          one partial, then the socket is destroyed in the middle of the next event;
//                    without stream: the socket is destroyed without any response
//       stall        one partial, then silence with the connection open (until the client aborts
//                    or 10 minutes pass); without stream: no response at all
//       error-event  one partial, then `event: error` with the fields nested under `error`;
//                    without stream: 500 server_error
//       error-event-flat  the same with the fields at the top level of the event
//       end-early    the partials (at least one), then the response ends cleanly with no completed event;
//                    without stream: 200 with an empty `data` list
//       slow         2 s between events (without stream: 2 s before the response)
//       paced        each final image event sent in 64 KB pieces 8 ms apart, as over a real network
//       crlf         \r\n line endings in the stream
//       done         a final `data: [DONE]`

import { apiError, invalidKey, modelNotFound } from './errors.mjs';

/** @type {Record<string, 'http' | 'moderation' | 'stream'>} */
export const SCENARIOS = {
  401: 'http',
  '403-verify': 'http',
  '404-model': 'http',
  '429-quota': 'http',
  '429-rate': 'http',
  '429-rate-once': 'http',
  500: 'http',
  '500-once': 'http',
  503: 'http',
  moderation: 'moderation',
  cut: 'stream',
  stall: 'stream',
  'error-event': 'stream',
  'error-event-flat': 'stream',
  'end-early': 'stream',
  slow: 'stream',
  paced: 'stream',
  crlf: 'stream',
  done: 'stream',
  // /v1/responses and /v1/files (see responses.mjs)
  policy: 'stream',
  expired: 'stream',
  'tool-unsupported': 'stream',
  'item-done-first': 'stream',
  'status-generating': 'stream',
  incomplete: 'stream',
  slowish: 'stream',
  'upload-fail': 'stream',
};

const MARKER = /\[\[mock:([^\]\s]+)\]\]/g;
const MODELS_MARKER = /\[\[mock-models:([^\]\s]*)\]\]/;

/** The API key of an `Authorization: Bearer …` header ('' when there is none). @param {unknown} header */
const bearerKey = (header) => /^\s*bearer\s+(.*)$/i.exec(typeof header === 'string' ? header : '')?.[1] ?? '';

/**
 * What a magic API key asks of the mock, for tests that drive the real app (which sends only its normal
 * headers): `[[mock:NAME]]` anywhere in the key selects scenario NAME for every request made with that key
 * (e.g. `sk-test[[mock:403-verify]]` is a key whose organization is not verified), and
 * `[[mock-models:a,b]]` makes `GET /v1/models` list only those ids for it, as `x-mock-models` does.
 * @param {unknown} authorization the Authorization header
 * @returns {{ scenarios: string[], models: string[] | null }}
 */
export function keyMarkers(authorization) {
  const key = bearerKey(authorization);
  const scenarios = [...key.matchAll(MARKER)].map((m) => /** @type {string} */ (m[1]));
  const listed = MODELS_MARKER.exec(key)?.[1];
  const models = listed === undefined ? null : listed.split(',').filter(Boolean);
  return { scenarios, models };
}

/**
 * Scenario names selected by a request, in order, without duplicates.
 * @param {string | null | undefined} prompt @param {string | string[] | undefined} header
 * @returns {{ names: string[], unknown: string[] }}
 */
export function pickScenarios(prompt, header) {
  /** @type {string[]} */
  const found = [];
  const h = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of h.split(',')) if (part.trim()) found.push(part.trim());
  if (typeof prompt === 'string')
    for (const m of prompt.matchAll(MARKER)) found.push(/** @type {string} */ (m[1]));
  const names = [...new Set(found)];
  return { names: names.filter((n) => n in SCENARIOS), unknown: names.filter((n) => !(n in SCENARIOS)) };
}

/** @param {string[]} unknown */
export function unknownScenario(unknown) {
  return apiError(
    400,
    `Unknown mock scenario ${unknown.map((n) => `'${n}'`).join(', ')}. Known: ${Object.keys(SCENARIOS).join(', ')}.`,
    {
      type: 'mock_error',
      code: 'unknown_mock_scenario',
    },
  );
}

/**
 * The immediate error response for the first "http" scenario in `names`, or null.
 * `-once` scenarios fail only the first time their key (usually the prompt) is seen.
 * @param {string[]} names
 * @param {{ model: string, key: string, once: Set<string> }} ctx
 * @returns {import('./errors.mjs').ApiError | null}
 */
export function httpFault(names, { model, key, once }) {
  for (const name of names) {
    if (SCENARIOS[name] !== 'http') continue;
    if (name.endsWith('-once')) {
      const k = `${name}|${key}`;
      if (once.has(k)) continue;
      once.add(k);
    }
    return faultFor(name, model);
  }
  return null;
}

/** @param {string} name @param {string} model */
function faultFor(name, model) {
  switch (name) {
    case '401':
      return invalidKey('sk-bad');
    case '403-verify':
      return apiError(
        403,
        `Your organization must be verified to use the model \`${model}\`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.`,
      );
    case '404-model':
      return modelNotFound(model);
    case '429-quota':
      return apiError(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        { type: 'insufficient_quota', code: 'insufficient_quota' },
      );
    case '429-rate':
    case '429-rate-once': {
      const s = name === '429-rate' ? 2 : 1;
      return apiError(
        429,
        `Rate limit reached for ${model} in organization org-mock on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in ${s}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        {
          type: 'requests',
          code: 'rate_limit_exceeded',
          headers: {
            'retry-after': String(s),
            'retry-after-ms': String(s * 1000),
            'x-ratelimit-limit-requests': '5',
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': `${s}s`,
          },
        },
      );
    }
    case '500':
    case '500-once':
      return serverError();
    case '503':
      return apiError(503, 'The engine is currently overloaded, please try again later.', {
        type: 'service_unavailable',
      });
    default:
      throw new Error(`no http fault for ${name}`);
  }
}

export function serverError() {
  return apiError(500, 'The server had an error while processing your request. Sorry about that!', {
    type: 'server_error',
  });
}

/** 400 moderation_blocked, quoting the request id. @param {string} requestId */
export function moderationBlocked(requestId) {
  return apiError(
    400,
    `Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID ${requestId}`,
    {
      type: 'image_generation_user_error',
      code: 'moderation_blocked',
      extra: { moderation_details: { moderation_stage: 'input', categories: ['violence'] } },
    },
  );
}

/** The data of an SSE `error` event, nested (`{type, error:{...}}`) or flat. @param {boolean} flat */
export function errorEvent(flat) {
  const fields = {
    type: 'server_error',
    code: 'server_error',
    message: 'The image could not be generated.',
    param: null,
  };
  return flat
    ? { ...fields, type: 'error', sequence_number: 2 }
    : { type: 'error', error: fields, sequence_number: 2 };
}
