import { describe, expect, it } from 'vitest';
import {
  ApiError,
  apiErrorFromPayload,
  apiErrorFromResponse,
  isAbortError,
  NetworkError,
  parseRetryAfter,
  StreamError,
} from '../../../src/lib/api/errors';
import type { ApiErrorInit } from '../../../src/lib/api/errors';
import { describeError } from '../../../src/lib/api/describe';

const KEY = 'sk-proj-' + 'q1W2e3R4t5Y6u7I8o9P0aSdFgHjKlZxCvBnM_-'.repeat(2);

const errorResponse = (
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  new Response(JSON.stringify({ error }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const apiError = (message: string, init: ApiErrorInit) => new ApiError(message, init);

describe('apiErrorFromResponse', () => {
  it('reads the error envelope, x-request-id and retry-after-ms', async () => {
    const err = await apiErrorFromResponse(
      errorResponse(
        400,
        {
          message:
            "Invalid value: '1254x836'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.",
          type: 'invalid_request_error',
          param: 'size',
          code: 'invalid_value',
        },
        { 'x-request-id': 'req_abc123', 'retry-after-ms': '250' },
      ),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'size',
      requestId: 'req_abc123',
      retryAfterMs: 250,
      moderation: null,
      inStream: false,
    });
    expect(err.message).toMatch(/^Invalid value: '1254x836'/);
  });

  it('reads moderation details', async () => {
    const err = await apiErrorFromResponse(
      errorResponse(400, {
        message: 'Your request was rejected by the safety system.',
        type: 'image_generation_user_error',
        param: null,
        code: 'moderation_blocked',
        moderation_details: { moderation_stage: 'input', categories: ['sexual', 'minors'] },
      }),
    );
    expect(err.moderation).toEqual({ stage: 'input', categories: ['sexual', 'minors'] });
  });

  it('redacts a key the server echoes back', async () => {
    const err = await apiErrorFromResponse(
      errorResponse(401, {
        message: `Incorrect API key provided: ${KEY}.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      }),
    );
    expect(err.message).toBe('Incorrect API key provided: sk-…redacted.');
  });

  it.each([
    ['plain text', 'upstream connect error', 'text/plain', 'upstream connect error'],
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>', 'text/html', 'HTTP 502 Bad Gateway'],
    ['an empty body', '', 'text/plain', 'HTTP 502 Bad Gateway'],
    ['a string error', '{"error":"model overloaded"}', 'application/json', 'model overloaded'],
  ])('falls back sensibly for %s', async (_, body, type, message) => {
    const res = new Response(body, {
      status: 502,
      statusText: 'Bad Gateway',
      headers: { 'content-type': type },
    });
    const err = await apiErrorFromResponse(res);
    expect(err).toMatchObject({ status: 502, message, code: null, requestId: null });
  });
});

describe('apiErrorFromPayload', () => {
  it('reads data.error ?? data field by field', () => {
    const nested = apiErrorFromPayload(
      { type: 'error', error: { message: 'inner', code: null }, code: 'outer_code', sequence_number: 1 },
      { status: 0, inStream: true },
    );
    expect(nested).toMatchObject({
      message: 'inner',
      code: 'outer_code',
      type: null,
      inStream: true,
      status: 0,
    });
    // A failed Response's error: {code, message}.
    const failed = apiErrorFromPayload(
      { code: 'image_content_policy_violation', message: 'blocked' },
      { status: 0, inStream: true },
    );
    expect(failed).toMatchObject({ code: 'image_content_policy_violation', moderation: {} });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-20T12:00:00Z');
  it.each([
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'retry-after-ms': '12.7' }, 13],
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.01' }, 10],
    [{ 'retry-after': 'Fri, 20 Nov 2026 12:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Fri, 20 Nov 2026 11:59:00 GMT' }, 0],
    [{ 'retry-after-ms': '200', 'retry-after': '9' }, 200],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after': 'later' }, null],
    [{}, null],
  ])('%j → %s', (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers), now)).toBe(expected);
  });
});

describe('isAbortError', () => {
  it.each([
    [new DOMException('x', 'AbortError'), true],
    [Object.assign(new Error('x'), { name: 'AbortError' }), true],
    [new DOMException('x', 'TimeoutError'), false],
    [new TypeError('Failed to fetch'), false],
    ['AbortError', false],
    [null, false],
  ])('%s → %s', (e, expected) => {
    expect(isAbortError(e)).toBe(expected);
  });
});

describe('describeError', () => {
  const cases: Array<[string, unknown, Record<string, unknown>, RegExp?]> = [
    [
      '401 invalid key',
      apiError('Incorrect API key provided: sk-abc***xyz.', {
        status: 401,
        code: 'invalid_api_key',
        requestId: 'req_1',
      }),
      {
        title: 'The API key was rejected',
        link: { href: 'https://platform.openai.com/api-keys' },
        requestId: 'req_1',
      },
      /Settings/,
    ],
    [
      '403 organization verification',
      apiError('Your organization must be verified to use the model `gpt-image-1`.', { status: 403 }),
      {
        title: 'Organization verification required',
        link: { href: 'https://platform.openai.com/settings/organization/general' },
      },
      /15 minutes/,
    ],
    [
      '400 verification to stream',
      apiError('Your organization must be verified to stream this model.', { status: 400, param: 'stream' }),
      { title: 'Organization verification required' },
      /streaming previews/,
    ],
    [
      '403 other permission',
      apiError('You have insufficient permissions for this operation.', { status: 403 }),
      { title: 'No permission for this request' },
      /access to “gpt-image-1”/,
    ],
    [
      '404 model_not_found',
      apiError('The model `gpt-image-9` does not exist or you do not have access to it.', {
        status: 404,
        code: 'model_not_found',
      }),
      { title: '“gpt-image-1” isn’t available to this key' },
      /Pick another model/,
    ],
    [
      '404 wrong path',
      apiError('Invalid URL (GET /models)', { status: 404 }),
      { title: 'Not found' },
      /Base URL/,
    ],
    [
      '429 insufficient_quota',
      apiError('You exceeded your current quota.', {
        status: 429,
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      }),
      {
        title: 'Out of credit',
        link: { href: 'https://platform.openai.com/settings/organization/billing/overview' },
      },
      /Billing/,
    ],
    [
      '429 rate limit with retry-after',
      apiError('Rate limit reached for gpt-image-1 on images per min.', {
        status: 429,
        code: 'rate_limit_exceeded',
        retryAfterMs: 12_400,
      }),
      { title: 'Rate limit reached', retryAfterMs: 12_400, severity: 'warning' },
      /Retry after 13 s/,
    ],
    [
      '429 without retry-after',
      apiError('Rate limit reached.', { status: 429 }),
      { title: 'Rate limit reached' },
      /Wait a moment/,
    ],
    [
      '400 moderation_blocked',
      apiError('Your request was rejected by the safety system.', {
        status: 400,
        code: 'moderation_blocked',
        moderation: { stage: 'input', categories: ['violence'] },
      }),
      {
        title: 'Rejected by the safety system',
        detail: expect.stringMatching(/input stage \(categories: violence\)/),
      },
      /Rephrase.*unchanged/,
    ],
    [
      '400 with param',
      apiError("Invalid value: '1254x836'.", { status: 400, code: 'invalid_value', param: 'size' }),
      {
        title: 'The request was not accepted',
        detail: "Invalid value: '1254x836'.",
        next: 'Check the “size” option.',
      },
    ],
    [
      '400 without param',
      apiError('Invalid type for image.', { status: 400 }),
      { detail: 'Invalid type for image.' },
      /Check the options/,
    ],
    [
      '500',
      apiError('The server had an error.', { status: 500, requestId: 'req_5' }),
      {
        title: 'The server had a problem',
        severity: 'warning',
        requestId: 'req_5',
        link: { href: 'https://status.openai.com' },
      },
      /Try again/,
    ],
    ['408', apiError('timeout', { status: 408 }), { title: 'The request timed out' }, /Try again/],
    ['409', apiError('conflict', { status: 409 }), { title: 'The server had a problem' }, /Try again/],
    [
      'network',
      new NetworkError('Could not reach', { url: 'https://api.openai.com/v1/models' }),
      {
        title: 'Could not reach https://api.openai.com',
        detail: expect.stringMatching(/offline.*Base URL.*CORS/),
      },
      /connection and the Base URL/,
    ],
    [
      'stream cut',
      new StreamError('cut'),
      {
        title: 'The stream ended early',
        detail: expect.stringMatching(/last partial image is kept/),
        severity: 'warning',
      },
    ],
    ['stream incomplete', new StreamError('incomplete'), { title: 'The stream ended early' }],
    ['stream stalled', new StreamError('stalled', 'x', { stallMs: 45_000 }), { title: 'No data for 45 s' }],
    [
      'stream malformed',
      new StreamError('malformed', 'not JSON'),
      { title: 'Unreadable data from the server' },
    ],
    [
      'in-stream error',
      apiError('Something broke mid-way', { status: 0, inStream: true, requestId: 'req_s' }),
      {
        title: 'The server reported an error mid-stream',
        detail: 'Something broke mid-way',
        requestId: 'req_s',
      },
    ],
    [
      'in-stream quota error',
      apiError('quota', { status: 0, inStream: true, type: 'insufficient_quota' }),
      { title: 'Out of credit' },
    ],
    ['timeout', new DOMException('signal timed out', 'TimeoutError'), { title: 'The request timed out' }],
    ['anything else', new Error('disk full'), { title: 'Something went wrong', detail: 'disk full' }],
    ['a thrown string', 'weird', { title: 'Something went wrong', detail: 'weird' }],
  ];

  it.each(cases)('%s', (_, err, expected, next) => {
    const msg = describeError(err, { baseUrl: 'https://api.openai.com/v1', model: 'gpt-image-1' });
    expect(msg).toMatchObject(expected);
    if (next) expect(msg!.next).toMatch(next);
    expect(msg!.title.length).toBeGreaterThan(0);
    expect(msg!.next.length).toBeGreaterThan(0);
  });

  it('gives every case its own title', () => {
    const titles = new Set(
      cases.map(([, err]) => describeError(err, { model: 'gpt-image-1' })!.title.replace(/\d+/g, '')),
    );
    expect(titles.size).toBeGreaterThanOrEqual(16);
  });

  it('names the configured base URL origin for network errors and omits the status link for proxies', () => {
    const net = describeError(new NetworkError('x'), { baseUrl: 'http://localhost:8080/v1' });
    expect(net!.title).toBe('Could not reach http://localhost:8080');
    const server = describeError(apiError('bad gateway', { status: 502 }), {
      baseUrl: 'https://proxy.example/v1',
    });
    expect(server!.link).toBeUndefined();
  });

  it('returns null for a cancellation', () => {
    expect(describeError(new DOMException('The operation was aborted.', 'AbortError'))).toBeNull();
    expect(describeError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBeNull();
  });

  it('never shows the key, known or pattern-matched', () => {
    const custom = 'proxy-token-0123456789';
    const generic = describeError(new Error(`failed with ${KEY} and Bearer ${custom}`), { apiKey: custom });
    expect(JSON.stringify(generic)).not.toContain(KEY);
    expect(JSON.stringify(generic)).not.toContain(custom);
    const known = describeError(new Error(`header value ${custom} is invalid`), { apiKey: custom });
    expect(known!.detail).toBe('header value [redacted] is invalid');
    const api = describeError(apiError(`Incorrect API key provided: ${KEY}`, { status: 401 }));
    expect(api!.detail).toBe('Incorrect API key provided: sk-…redacted');
  });
});
