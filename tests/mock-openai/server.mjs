// An OpenAI-compatible mock of the image API on 127.0.0.1, for e2e tests and `npm run demo`.
//
//   import { startMockServer } from './tests/mock-openai/server.mjs';
//   const mock = await startMockServer({ port: 0 });   // mock.url === 'http://127.0.0.1:PORT/v1'
//
//   node tests/mock-openai/server.mjs [--port N] [--host H] [--log]
//     (port defaults to $MOCK_OPENAI_PORT or 8787) prints one line
//     "mock-openai listening on http://127.0.0.1:PORT/v1" and serves until killed.
//
// Endpoints: GET /v1/models, GET /v1/models/{id}, POST /v1/images/generations; test helpers
// GET|DELETE /__mock/requests, POST /__mock/reset, GET /__mock/health (no auth).
// Per-request knobs (headers): x-mock-scenario, x-mock-models, x-mock-delay-ms, x-mock-done; and magic API
// keys (`[[mock:NAME]]`, `[[mock-models:a,b]]` in the key: scenarios.mjs keyMarkers) for the browser app.
// Environment: MOCK_OPENAI_PORT, MOCK_OPENAI_DELAY_MS, MOCK_OPENAI_MODELS, MOCK_OPENAI_TODAY.
// See README.md in this folder.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiError, checkAuth } from './errors.mjs';
import { handleEdit, handleVariation } from './edits.mjs';
import { csv, handleGeneration, handleModels, readBody, sendError, sendJson } from './handlers.mjs';
import { DEFAULT_TODAY } from './models.mjs';
import { isMultipart, parseMultipart } from './multipart.mjs';
import { pushLogged, truncateB64 } from './request-log.mjs';
import {
  createConversationStore,
  handleCreateResponse,
  handleFileUpload,
  handleResponseById,
  responsesPrompt,
} from './responses.mjs';
import { httpFault, keyMarkers, pickScenarios, unknownScenario } from './scenarios.mjs';

const DEFAULT_ALLOW_HEADERS = 'authorization, content-type, openai-organization, openai-project, accept';
const EXPOSE_HEADERS = 'x-request-id, retry-after, retry-after-ms, x-ratelimit-remaining-requests';

/** Methods per known path (the {id} of /v1/models/{id} is matched separately). */
const ROUTES = /** @type {Record<string, string[]>} */ ({
  '/v1/models': ['GET'],
  '/v1/images/generations': ['POST'],
  '/v1/images/edits': ['POST'],
  '/v1/images/variations': ['POST'],
  '/v1/responses': ['POST'],
  '/v1/files': ['POST'],
  '/__mock/requests': ['GET', 'DELETE'],
  '/__mock/reset': ['POST'],
  '/__mock/health': ['GET'],
});

/**
 * @typedef {object} MockServerOptions
 * @property {number} [port] 0 (default) picks a free port
 * @property {string} [host] default 127.0.0.1
 * @property {boolean} [log] print one line per request to stderr
 * @property {number} [delayMs] time between SSE events; default $MOCK_OPENAI_DELAY_MS or 150
 * @property {string[] | null} [models] ids for /v1/models; default $MOCK_OPENAI_MODELS or the full table
 * @property {string} [today] YYYY-MM-DD the mock pretends it is; default $MOCK_OPENAI_TODAY or 2026-11-24
 */

/**
 * @typedef {object} MockServer
 * @property {string} url base URL including /v1, e.g. http://127.0.0.1:8787/v1
 * @property {string} origin the same without /v1
 * @property {number} port
 * @property {import('./request-log.mjs').LoggedRequest[]} requests live request log
 * @property {() => Promise<void>} close stop listening and drop open connections
 */

/**
 * Start the mock server.
 * @param {MockServerOptions} [options]
 * @returns {Promise<MockServer>}
 */
export async function startMockServer(options = {}) {
  const env = process.env;
  const {
    port = 0,
    host = '127.0.0.1',
    log = false,
    delayMs = env.MOCK_OPENAI_DELAY_MS ? Number(env.MOCK_OPENAI_DELAY_MS) : 150,
    models = csv(env.MOCK_OPENAI_MODELS),
    today = env.MOCK_OPENAI_TODAY || DEFAULT_TODAY,
  } = options;
  /** @type {import('./request-log.mjs').LoggedRequest[]} */
  const requests = [];
  /** Keys of `-once` scenarios that already failed. */
  const once = new Set();
  const config = { log, delayMs, models, today, requests, once, conversations: createConversationStore() };

  const server = http.createServer((req, res) => {
    handle(req, res, config).catch((err) => {
      console.error('mock-openai: internal error', err);
      if (!res.headersSent)
        sendJson(res, 500, apiError(500, `Mock server error: ${err}`, { type: 'server_error' }).body);
      else res.destroy();
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    url: `${origin}/v1`,
    origin,
    port: address.port,
    requests,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok(undefined));
        server.closeAllConnections();
      }),
  };
}

/**
 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
 * @param {{ log: boolean, delayMs: number, models: string[] | null, today: string,
 *   requests: import('./request-log.mjs').LoggedRequest[], once: Set<string>,
 *   conversations: import('./responses.mjs').ConversationStore }} config
 */
async function handle(req, res, config) {
  const started = Date.now();
  const requestId = `req_${randomBytes(16).toString('hex')}`;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://mock.invalid');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  res.setHeader('x-request-id', requestId);
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  res.setHeader('openai-processing-ms', '0');

  const isHelper = path.startsWith('/__mock/');
  const raw =
    method === 'GET' || method === 'OPTIONS' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
  /** @type {unknown} */
  let json = null;
  let jsonError = false;
  // Edits and variations: multipart bodies are parsed into parts (a string is the parse error).
  const contentType = String(req.headers['content-type'] ?? '');
  /** @type {import('./multipart.mjs').FormPart[] | string | null} */
  let form = null;
  if (raw && raw.length && isMultipart(contentType)) {
    try {
      form = parseMultipart(raw, contentType);
    } catch (e) {
      form = e instanceof Error ? e.message : String(e);
    }
  } else if (raw && raw.length) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      jsonError = true;
    }
  }
  const keyed = keyMarkers(req.headers.authorization);
  const headerScenario = [req.headers['x-mock-scenario'] ?? [], keyed.scenarios].flat().join(',');
  const formPrompt = Array.isArray(form)
    ? form.find((p) => p.name === 'prompt' && p.filename === null)
    : null;
  // Responses: the user's text carries the markers; Files: the uploaded file's name does.
  const formFile = Array.isArray(form) && path === '/v1/files' ? form.find((p) => p.name === 'file') : null;
  const prompt = formPrompt
    ? formPrompt.data.toString('utf8')
    : formFile
      ? formFile.filename
      : json && typeof json === 'object' && 'prompt' in json && typeof json.prompt === 'string'
        ? json.prompt
        : path === '/v1/responses'
          ? responsesPrompt(json)
          : null;
  const picked = method === 'OPTIONS' ? { names: [], unknown: [] } : pickScenarios(prompt, headerScenario);

  /** @type {import('./request-log.mjs').LoggedRequest} */
  const entry = {
    id: requestId,
    time: new Date(started).toISOString(),
    method,
    path,
    query: url.search,
    headers: { ...req.headers },
    body: truncateB64(json),
    bodyText: jsonError && raw ? raw.subarray(0, 2000).toString('utf8') : null,
    bodyBytes: raw ? raw.length : 0,
    scenarios: picked.names,
    status: null,
    durationMs: null,
  };
  if (!isHelper) pushLogged(config.requests, entry);
  res.on('close', () => {
    entry.status = res.headersSent ? res.statusCode : 0;
    entry.durationMs = Date.now() - started;
    if (config.log && !isHelper)
      process.stderr.write(
        `mock-openai ${method} ${path} ${entry.status || 'cut'} ${entry.durationMs}ms${picked.names.length ? ` [${picked.names}]` : ''}\n`,
      );
  });
  const ac = new AbortController();
  res.on('close', () => ac.abort());

  if (method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-headers': req.headers['access-control-request-headers'] || DEFAULT_ALLOW_HEADERS,
      'access-control-allow-methods': 'GET, POST, OPTIONS, DELETE',
      'access-control-max-age': '600',
      vary: 'origin, access-control-request-headers',
      // Chrome's Private Network Access preflight (harmless elsewhere).
      ...(req.headers['access-control-request-private-network'] === 'true'
        ? { 'access-control-allow-private-network': 'true' }
        : {}),
    });
    return void res.end();
  }

  const modelMatch = /^\/v1\/models\/([^/]+)$/.exec(path);
  const responseMatch = /^\/v1\/responses\/([^/]+)(\/cancel)?$/.exec(path);
  const allowed =
    ROUTES[path] ?? (modelMatch ? ['GET'] : responseMatch ? [responseMatch[2] ? 'POST' : 'GET'] : null);
  if (!allowed) return sendJson(res, 404, apiError(404, `Invalid URL (${method} ${url.pathname})`).body);
  if (!allowed.includes(method))
    return sendJson(res, 405, apiError(405, `Invalid method for URL (${method} ${url.pathname})`).body, {
      allow: allowed.join(', '),
    });
  if (raw === null) return sendJson(res, 413, apiError(413, 'Request body too large.').body);

  // Test helpers: no auth.
  if (path === '/__mock/health') return sendJson(res, 200, { ok: true });
  if (path === '/__mock/requests') {
    if (method === 'GET') return sendJson(res, 200, config.requests);
    const cleared = config.requests.length;
    config.requests.length = 0;
    return sendJson(res, 200, { cleared });
  }
  if (path === '/__mock/reset') {
    config.requests.length = 0;
    config.once.clear();
    return sendJson(res, 200, { ok: true });
  }

  // /v1: scenarios, auth, faults.
  if (picked.unknown.length) return sendError(res, unknownScenario(picked.unknown));
  const authError = checkAuth(req.headers.authorization);
  if (authError) return sendError(res, authError);
  const formModel = Array.isArray(form) ? form.find((p) => p.name === 'model')?.data.toString('utf8') : null;
  const bodyModel =
    formModel ?? (json && typeof json === 'object' && 'model' in json ? String(json.model) : null);
  const modelId = modelMatch ? decodeURIComponent(/** @type {string} */ (modelMatch[1])) : null;
  const fault = httpFault(picked.names, {
    model: bodyModel ?? modelId ?? 'gpt-image-2',
    key: prompt ?? `${method} ${path}`,
    once: config.once,
  });
  if (fault) return sendError(res, fault);

  const headerDelay = req.headers['x-mock-delay-ms'];
  /** @type {import('./handlers.mjs').RequestContext} */
  const ctx = {
    req,
    res,
    requestId,
    json,
    jsonError,
    scenarios: picked.names,
    delayMs: picked.names.includes('slow')
      ? 2000
      : headerDelay !== undefined && Number(headerDelay) >= 0
        ? Number(headerDelay)
        : config.delayMs,
    signal: ac.signal,
    today: config.today,
    models: config.models,
  };
  if (path === '/v1/images/generations') return handleGeneration(ctx);
  if (path === '/v1/images/edits') return handleEdit(ctx, form, entry);
  if (path === '/v1/images/variations') return handleVariation(ctx, form, entry);
  if (path === '/v1/responses') return handleCreateResponse(ctx, config.conversations);
  if (path === '/v1/files') return handleFileUpload(ctx, config.conversations, form);
  if (responseMatch)
    return handleResponseById(
      ctx,
      config.conversations,
      decodeURIComponent(/** @type {string} */ (responseMatch[1])),
      Boolean(responseMatch[2]),
      url.searchParams,
    );
  return handleModels(ctx, modelId);
}

// ---------------------------------------------------------------------------------------------
// CLI

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string | boolean>} */
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = /** @type {string} */ (argv[i]);
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    const key = /** @type {string} */ (m[1]);
    if (m[2] !== undefined) out[key] = m[2];
    else if (key === 'log') out[key] = true;
    else out[key] = argv[++i] ?? '';
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const port = Number(args.port ?? process.env.MOCK_OPENAI_PORT ?? 8787);
  const host = typeof args.host === 'string' ? args.host : '127.0.0.1';
  const mock = await startMockServer({
    port,
    host,
    log: args.log === true || process.env.MOCK_OPENAI_LOG === '1',
  });
  console.log(`mock-openai listening on ${mock.url}`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
