// Handlers for the /v1 endpoints, plus small HTTP helpers shared with server.mjs.

import { apiError, modelNotFound } from './errors.mjs';
import { deliverJson, deliverStream, sleep, STALL_MS } from './generate.mjs';
import { findModel, listModels, toApiModel } from './models.mjs';
import { keyMarkers, moderationBlocked } from './scenarios.mjs';
import { validateGeneration } from './validate.mjs';

export const MAX_BODY = 64 * 1024 * 1024;

const JSON_PARSE_ERROR =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

/**
 * @typedef {object} RequestContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {string} requestId
 * @property {unknown} json parsed body, or null
 * @property {boolean} jsonError the body was not valid JSON
 * @property {string[]} scenarios selected scenario names
 * @property {number} delayMs
 * @property {AbortSignal} signal aborted when the client goes away
 * @property {string} today
 * @property {string[] | null} models ids configured for /v1/models
 */

/** @param {string | undefined} v */
export const csv = (v) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;

/**
 * @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '499',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** @param {import('node:http').ServerResponse} res @param {import('./errors.mjs').ApiError} e */
export const sendError = (res, e) => sendJson(res, e.status, e.body, e.headers);

/** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer | null>} null if too large */
export async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** POST /v1/images/generations. @param {RequestContext} c */
export async function handleGeneration(c) {
  const { req, res } = c;
  if (c.jsonError || c.json === null) return sendError(res, apiError(400, JSON_PARSE_ERROR));
  const v = validateGeneration(c.json, { today: c.today });
  if (v.error) return sendError(res, v.error);
  if (c.scenarios.includes('moderation')) return sendError(res, moderationBlocked(c.requestId));
  /** @type {import('./generate.mjs').DeliveryContext} */
  const ctx = {
    req,
    res,
    signal: c.signal,
    scenarios: c.scenarios,
    delayMs: c.delayMs,
    done: c.scenarios.includes('done') || req.headers['x-mock-done'] === '1',
    sendJson: (status, body, headers) => sendJson(res, status, body, headers),
  };
  return v.params.stream ? deliverStream(v.params, ctx) : deliverJson(v.params, ctx);
}

/**
 * GET /v1/models and GET /v1/models/{id}.
 * @param {RequestContext} c @param {string | null} id the {id} of a retrieve, null for the list
 */
export async function handleModels(c, id) {
  const { req, res } = c;
  // The delivery scenarios that make sense without a body.
  if (c.scenarios.includes('cut')) return void req.socket.destroy();
  if (c.scenarios.includes('stall')) {
    await sleep(STALL_MS, c.signal);
    return void res.destroy();
  }
  if (c.scenarios.includes('slow')) await sleep(c.delayMs, c.signal);
  const ids =
    csv(/** @type {string | undefined} */ (req.headers['x-mock-models'])) ??
    keyMarkers(req.headers.authorization).models ??
    c.models;
  const list = listModels(ids, c.today);
  if (id === null) return sendJson(res, 200, list);
  // Retrieval works for any usable model, even one a narrowed x-mock-models list hides.
  const known = findModel(id, c.today);
  const found = list.data.find((m) => m.id === id) ?? (known ? toApiModel(known) : null);
  return found ? sendJson(res, 200, found) : sendError(res, modelNotFound(id));
}
