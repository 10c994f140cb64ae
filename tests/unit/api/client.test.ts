import { describe, expect, it } from 'vitest';
import {
  apiFetch,
  buildHeaders,
  DEFAULT_BASE_URL,
  listModels,
  normalizeBaseUrl,
  testConnection,
} from '../../../src/lib/api/client';
import type { Connection } from '../../../src/lib/api/client';
import { ApiError, NetworkError } from '../../../src/lib/api/errors';

const KEY = 'sk-proj-' + 'Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe'.repeat(2);
const conn: Connection = { apiKey: KEY, baseUrl: DEFAULT_BASE_URL };

interface Call {
  url: string;
  init: RequestInit;
  headers: Record<string, string>;
}

type Reply = Response | Error | ((call: Call) => Response | Promise<Response>);

/** Records every request; answers from the script in order and fails loudly when the script runs out. */
function fakeFetch(...script: Reply[]) {
  const calls: Call[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const call: Call = {
      url: String(input),
      init,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
    };
    calls.push(call);
    const reply = script.shift();
    if (reply === undefined) throw new Error(`unexpected request ${call.url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(call) : reply;
  };
  return { calls, fetchImpl: fetchImpl as typeof fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const apiErr = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
  json(status, { error: { message: 'x', type: null, param: null, code: null, ...error } }, headers);
const fastPolicy = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 };

describe('normalizeBaseUrl', () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1'],
    ['  https://api.openai.com/v1/  ', 'https://api.openai.com/v1'],
    ['https://api.openai.com/v1///', 'https://api.openai.com/v1'],
    ['https://API.OpenAI.com/v1', 'https://api.openai.com/v1'],
    ['https://api.openai.com', 'https://api.openai.com'],
    ['https://proxy.example:8443/openai/v1/', 'https://proxy.example:8443/openai/v1'],
    ['http://localhost:11434/v1', 'http://localhost:11434/v1'],
    ['http://127.0.0.1:8080/v1/', 'http://127.0.0.1:8080/v1'],
    ['http://[::1]:8080/v1', 'http://[::1]:8080/v1'],
  ])('%j → %s', (input, url) => {
    expect(normalizeBaseUrl(input)).toEqual({ ok: true, url });
  });

  it.each([
    ['', /Enter a base URL/],
    ['api.openai.com/v1', /not a valid URL/],
    ['ftp://api.openai.com/v1', /https/],
    ['javascript:alert(1)', /https/],
    ['http://api.openai.com/v1', /Use https/],
    ['http://192.168.1.5:8080/v1', /Use https/],
    ['https://user:pass@proxy.example/v1', /user name and password/],
    ['https://api.openai.com/v1?x=1', /query/],
    ['https://api.openai.com/v1?', /query/],
    ['https://api.openai.com/v1#frag', /fragment/],
  ])('%j is rejected', (input, message) => {
    const r = normalizeBaseUrl(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('buildHeaders', () => {
  const names = (h: Headers) => [...h.keys()].sort();

  it('sends only Authorization and Accept by default', () => {
    const h = buildHeaders(conn);
    expect(names(h)).toEqual(['accept', 'authorization']);
    expect(h.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(h.get('accept')).toBe('application/json');
  });

  it('adds organization, project, JSON content type and a custom Accept; trims pasted whitespace', () => {
    const h = buildHeaders(
      { apiKey: ` ${KEY}\n`, baseUrl: DEFAULT_BASE_URL, organization: 'org-123', project: ' proj_456 ' },
      { json: true, accept: 'text/event-stream' },
    );
    expect(Object.fromEntries(h.entries())).toEqual({
      accept: 'text/event-stream',
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
      'openai-organization': 'org-123',
      'openai-project': 'proj_456',
    });
  });

  it('skips empty organization/project and refuses keys that cannot be a header value', () => {
    expect(names(buildHeaders({ ...conn, organization: '', project: '  ' }))).toEqual([
      'accept',
      'authorization',
    ]);
    expect(() => buildHeaders({ ...conn, apiKey: '' })).toThrow(/No API key/);
    expect(() => buildHeaders({ ...conn, apiKey: 'sk-abc “quoted”' })).toThrow(/API key contains/);
  });
});

describe('apiFetch', () => {
  it('fetches baseUrl + path with exactly the expected headers and a JSON body', async () => {
    const f = fakeFetch(json(200, { ok: true }));
    const res = await apiFetch({ ...conn, organization: 'org-1', project: 'proj-1' }, '/images/generations', {
      json: { model: 'gpt-image-1', prompt: 'a fox' },
      fetchImpl: f.fetchImpl,
    });
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ ok: true });
    expect(f.calls).toHaveLength(1);
    const [call] = f.calls;
    expect(call!.url).toBe('https://api.openai.com/v1/images/generations');
    expect(call!.init.method).toBe('POST');
    expect(call!.init.body).toBe('{"model":"gpt-image-1","prompt":"a fox"}');
    expect(call!.headers).toEqual({
      accept: 'application/json',
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
      'openai-organization': 'org-1',
      'openai-project': 'proj-1',
    });
    expect(Object.keys(call!.headers).some((h) => h.startsWith('x-stainless'))).toBe(false);
  });

  it('sends FormData without a Content-Type (the browser sets the boundary) and GET by default', async () => {
    const f = fakeFetch(json(200, {}), json(200, {}));
    const form = new FormData();
    form.append('prompt', 'x');
    await apiFetch(conn, '/images/edits', { form, fetchImpl: f.fetchImpl, accept: 'text/event-stream' });
    await apiFetch({ ...conn, baseUrl: 'http://localhost:4010/v1/' }, '/models', { fetchImpl: f.fetchImpl });
    expect(f.calls[0]!.init.body).toBe(form);
    expect(f.calls[0]!.headers).toEqual({ accept: 'text/event-stream', authorization: `Bearer ${KEY}` });
    expect(f.calls[1]!.url).toBe('http://localhost:4010/v1/models');
    expect(f.calls[1]!.init.method).toBe('GET');
    expect(f.calls[1]!.init.body).toBeUndefined();
  });

  it.each(['https://evil.example/steal', '//evil.example/x', 'models', 'javascript:alert(1)'])(
    'refuses the path %j so the key cannot go elsewhere',
    async (path) => {
      const f = fakeFetch();
      await expect(apiFetch(conn, path, { fetchImpl: f.fetchImpl })).rejects.toThrow(TypeError);
      expect(f.calls).toHaveLength(0);
    },
  );

  it('refuses an invalid stored base URL before sending the key', async () => {
    const f = fakeFetch();
    await expect(
      apiFetch({ ...conn, baseUrl: 'http://example.com/v1' }, '/models', { fetchImpl: f.fetchImpl }),
    ).rejects.toThrow(/https/);
    expect(f.calls).toHaveLength(0);
  });

  it('retries a 429 once after retry-after, calling onRetry first, then returns the 200', async () => {
    const f = fakeFetch(
      apiErr(
        429,
        { code: 'rate_limit_exceeded', type: 'requests' },
        { 'retry-after': '0.02', 'x-request-id': 'req_1' },
      ),
      json(200, { data: [] }),
    );
    const retries: Array<{ attempt: number; delayMs: number; error: ApiError }> = [];
    const t0 = performance.now();
    const res = await apiFetch(conn, '/models', { fetchImpl: f.fetchImpl, onRetry: (i) => retries.push(i) });
    expect(res.status).toBe(200);
    expect(f.calls).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, delayMs: 20, error: { status: 429, requestId: 'req_1' } });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const f = fakeFetch(apiErr(503, {}), apiErr(502, {}), apiErr(500, { message: 'last' }));
    const attempts: number[] = [];
    const err = await apiFetch(conn, '/models', {
      fetchImpl: f.fetchImpl,
      retry: fastPolicy,
      onRetry: ({ attempt }) => attempts.push(attempt),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 500, message: 'last' });
    expect(attempts).toEqual([1, 2]);
    expect(f.calls).toHaveLength(3);
  });

  it.each([
    ['insufficient_quota', apiErr(429, { code: 'insufficient_quota', type: 'insufficient_quota' })],
    ['400', apiErr(400, { param: 'size', code: 'invalid_value' })],
    ['moderation', apiErr(400, { code: 'moderation_blocked' })],
    ['401', apiErr(401, { code: 'invalid_api_key' })],
  ])('does not retry %s', async (_, reply) => {
    const f = fakeFetch(reply);
    const onRetry = () => expect.fail('onRetry must not be called');
    await expect(
      apiFetch(conn, '/x', { fetchImpl: f.fetchImpl, retry: fastPolicy, onRetry }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(f.calls).toHaveLength(1);
  });

  it('does not retry when retry is false', async () => {
    const f = fakeFetch(apiErr(503, {}));
    await expect(apiFetch(conn, '/x', { fetchImpl: f.fetchImpl, retry: false })).rejects.toMatchObject({
      status: 503,
    });
    expect(f.calls).toHaveLength(1);
  });

  it('turns a rejected fetch into a NetworkError, without retrying', async () => {
    const cause = new TypeError('Failed to fetch');
    const f = fakeFetch(cause);
    const err = await apiFetch(conn, '/models', { fetchImpl: f.fetchImpl, retry: fastPolicy }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ cause, url: 'https://api.openai.com/v1/models' });
    expect(f.calls).toHaveLength(1);
  });

  it('passes an AbortError through unchanged and does not retry', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const f = fakeFetch(abort);
    await expect(apiFetch(conn, '/models', { fetchImpl: f.fetchImpl })).rejects.toBe(abort);
    expect(f.calls).toHaveLength(1);
  });

  it('an abort during the retry wait stops at once; an aborted signal never fetches', async () => {
    const ac = new AbortController();
    const f = fakeFetch(apiErr(429, {}, { 'retry-after': '30' }));
    const p = apiFetch(conn, '/models', {
      fetchImpl: f.fetchImpl,
      signal: ac.signal,
      onRetry: () => ac.abort(),
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.calls).toHaveLength(1);
    await expect(
      apiFetch(conn, '/models', { fetchImpl: f.fetchImpl, signal: ac.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(f.calls).toHaveLength(1);
  });

  it('hands the signal to fetch', async () => {
    const ac = new AbortController();
    const f = fakeFetch(json(200, {}));
    await apiFetch(conn, '/models', { fetchImpl: f.fetchImpl, signal: ac.signal });
    expect(f.calls[0]!.init.signal).toBe(ac.signal);
  });
});

describe('listModels and testConnection', () => {
  const modelList = {
    object: 'list',
    data: [
      { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
      { id: 'gpt-image-1', object: 'model', created: 1745517030, owned_by: 'system' },
      {
        id: 'dall-e-3',
        object: 'model',
        created: 1698785189,
        owned_by: 'system',
        shutdown_date: '2026-05-12',
      },
      { id: 'chatgpt-image-latest', object: 'model', created: 1765000000, owned_by: 'system' },
      { id: 'gpt-image-1-mini', object: 'model' },
      { object: 'model' },
    ],
  };

  it('lists models, keeping only well-formed entries', async () => {
    const f = fakeFetch(json(200, modelList));
    const models = await listModels(conn, { fetchImpl: f.fetchImpl });
    expect(models.map((m) => m.id)).toEqual([
      'gpt-4o',
      'gpt-image-1',
      'dall-e-3',
      'chatgpt-image-latest',
      'gpt-image-1-mini',
    ]);
    expect(models[2]).toEqual({
      id: 'dall-e-3',
      created: 1698785189,
      owned_by: 'system',
      shutdown_date: '2026-05-12',
    });
    expect(f.calls[0]!.url).toBe('https://api.openai.com/v1/models');
  });

  it('rejects an answer that is not a model list', async () => {
    const f = fakeFetch(new Response('<html>hi</html>', { status: 200 }));
    await expect(listModels(conn, { fetchImpl: f.fetchImpl })).rejects.toThrow(
      /not with an OpenAI model list/,
    );
  });

  it('testConnection: success lists the image models', async () => {
    const f = fakeFetch(json(200, modelList));
    const r = await testConnection(conn, { fetchImpl: f.fetchImpl });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.imageModels).toEqual(['chatgpt-image-latest', 'dall-e-3', 'gpt-image-1', 'gpt-image-1-mini']);
      expect(r.models).toHaveLength(5);
    }
  });

  it.each([
    [
      '401',
      apiErr(
        401,
        { message: `Incorrect API key provided: ${KEY}.`, code: 'invalid_api_key' },
        { 'x-request-id': 'req_9' },
      ),
      { title: 'The API key was rejected', requestId: 'req_9' },
    ],
    [
      '403 verification',
      apiErr(403, { message: 'Your organization must be verified to use the model `gpt-image-1`.' }),
      { title: 'Organization verification required' },
    ],
    ['network', new TypeError('Failed to fetch'), { title: 'Could not reach https://api.openai.com' }],
  ])('testConnection: %s', async (_, reply, message) => {
    const f = fakeFetch(reply);
    const r = await testConnection(conn, { fetchImpl: f.fetchImpl });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatchObject(message);
      expect(JSON.stringify(r.message)).not.toContain(KEY);
    }
  });

  it('testConnection rethrows a cancellation instead of reporting a failure', async () => {
    const f = fakeFetch(new DOMException('aborted', 'AbortError'));
    await expect(testConnection(conn, { fetchImpl: f.fetchImpl })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
