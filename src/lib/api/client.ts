/**
 * The only place that calls fetch: headers, error mapping, retries, and the model list (base URL checks are in
 * base-url.ts).
 * The key is sent only in the Authorization header, and only to the configured base URL.
 */
import { abortErrorFrom, ApiError, apiErrorFromResponse, isAbortError, NetworkError } from './errors';
import type { UserMessage } from './describe';
import { describeErrorLazily } from './describe-lazy';
import { defaultRetryPolicy, retryDelayMs, shouldRetry, sleep } from './retry';
import type { RetryPolicy } from './retry';
import { normalizeBaseUrl } from './base-url';

export interface Connection {
  apiKey: string;
  baseUrl: string;
  organization?: string;
  project?: string;
}

// The base URL rules live in base-url.ts: the settings need them at once, this file loads on the first request.
export { DEFAULT_BASE_URL, normalizeBaseUrl } from './base-url';

/** Header values must be visible ASCII; a pasted key with a smart quote or a space would make fetch throw. */
function headerValue(label: string, value: string): string {
  const v = value.trim();
  if (!/^[\x21-\x7e]+$/.test(v)) {
    throw new Error(`The ${label} contains spaces or characters that can't be sent; paste it again.`);
  }
  return v;
}

/** Authorization, optional OpenAI-Organization / OpenAI-Project, Content-Type for JSON, Accept. Nothing else. */
export function buildHeaders(conn: Connection, extra: { json?: boolean; accept?: string } = {}): Headers {
  if (conn.apiKey.trim() === '') throw new Error('No API key is set. Add one in Settings.');
  const headers = new Headers();
  headers.set('Authorization', `Bearer ${headerValue('API key', conn.apiKey)}`);
  if (conn.organization?.trim())
    headers.set('OpenAI-Organization', headerValue('organization ID', conn.organization));
  if (conn.project?.trim()) headers.set('OpenAI-Project', headerValue('project ID', conn.project));
  if (extra.json) headers.set('Content-Type', 'application/json');
  headers.set('Accept', extra.accept ?? 'application/json');
  return headers;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  accept?: string;
  retry?: RetryPolicy | false;
  onRetry?: (info: { attempt: number; delayMs: number; error: ApiError }) => void;
  fetchImpl?: typeof fetch;
}

/** Calls window.fetch bound to the global: an unbound browser fetch throws "Illegal invocation". */
const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/**
 * fetch(baseUrl + path). Non-2xx throws ApiError; a rejected fetch throws NetworkError (AbortError passes through).
 * Error statuses are retried per `retry` (default: 2 retries), honouring retry-after; `onRetry` is called
 * before each wait. Returns the ok Response with its body unread, so a stream is never retried once it started.
 */
export async function apiFetch(conn: Connection, path: string, opts: RequestOptions = {}): Promise<Response> {
  if (!path.startsWith('/') || path.startsWith('//') || /^[a-z][a-z0-9+.-]*:/i.test(path)) {
    throw new TypeError(`apiFetch needs a path starting with "/", not an absolute URL: ${path.slice(0, 60)}`);
  }
  if (opts.json !== undefined && opts.form !== undefined) throw new TypeError('Pass json or form, not both');
  const base = normalizeBaseUrl(conn.baseUrl);
  if (!base.ok) throw new Error(`Base URL: ${base.message}`);
  const url = base.url + path;
  const headers = buildHeaders(conn, { json: opts.json !== undefined, accept: opts.accept });
  const method = opts.method ?? (opts.json !== undefined || opts.form ? 'POST' : 'GET');
  const body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.form;
  const policy = opts.retry === false ? null : (opts.retry ?? defaultRetryPolicy);
  const doFetch = opts.fetchImpl ?? globalFetch;
  const { signal } = opts;

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortErrorFrom(signal);
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, body, signal, credentials: 'omit' });
    } catch (e) {
      if (isAbortError(e) || signal?.aborted) throw e;
      throw new NetworkError(`Could not reach ${url}`, { cause: e, url });
    }
    if (res.ok) return res;
    const error = await apiErrorFromResponse(res);
    if (!policy || attempt >= policy.maxRetries || !shouldRetry(error)) throw error;
    const delayMs = retryDelayMs(error, attempt + 1, policy);
    opts.onRetry?.({ attempt: attempt + 1, delayMs, error });
    await sleep(delayMs, signal);
  }
}

export interface ModelInfo {
  id: string;
  created?: number;
  owned_by?: string;
  shutdown_date?: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** GET /models, tolerant of extra fields; throws if the answer is not an OpenAI-style model list. */
export async function listModels(
  conn: Connection,
  opts: { signal?: AbortSignal; fetchImpl?: typeof fetch } = {},
): Promise<ModelInfo[]> {
  const res = await apiFetch(conn, '/models', { signal: opts.signal, fetchImpl: opts.fetchImpl });
  let json: unknown;
  try {
    json = await res.json();
  } catch (e) {
    if (isAbortError(e)) throw e;
    json = null;
  }
  if (!isRecord(json) || !Array.isArray(json.data)) {
    throw new Error('The server answered, but not with an OpenAI model list. Check the Base URL.');
  }
  const models: ModelInfo[] = [];
  for (const m of json.data) {
    if (!isRecord(m) || typeof m.id !== 'string') continue;
    const info: ModelInfo = { id: m.id };
    if (typeof m.created === 'number') info.created = m.created;
    if (typeof m.owned_by === 'string') info.owned_by = m.owned_by;
    if (typeof m.shutdown_date === 'string' || m.shutdown_date === null) info.shutdown_date = m.shutdown_date;
    models.push(info);
  }
  return models;
}

export type ConnectionTest =
  | { ok: true; models: ModelInfo[]; imageModels: string[] }
  | { ok: false; error: unknown; message: UserMessage };

const IMAGE_MODEL = /^(gpt-image|chatgpt-image|dall-e)/i;

/**
 * Lists the models to prove the key and base URL work; `imageModels` are the ids that look like image models,
 * sorted. A cancellation is rethrown (it is not a failed test).
 */
export async function testConnection(
  conn: Connection,
  opts: { signal?: AbortSignal; fetchImpl?: typeof fetch } = {},
): Promise<ConnectionTest> {
  try {
    const models = await listModels(conn, opts);
    const imageModels = models
      .map((m) => m.id)
      .filter((id) => IMAGE_MODEL.test(id))
      .sort();
    return { ok: true, models, imageModels };
  } catch (error) {
    const message = await describeErrorLazily(error, { baseUrl: conn.baseUrl, apiKey: conn.apiKey });
    if (message === null) throw error;
    return { ok: false, error, message };
  }
}
