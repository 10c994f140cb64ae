import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, StreamError } from '../../../src/lib/api/errors';
import type { ApiErrorInit } from '../../../src/lib/api/errors';
import { defaultRetryPolicy, retryDelayMs, shouldRetry, sleep } from '../../../src/lib/api/retry';

const api = (init: ApiErrorInit) => new ApiError('x', init);

describe('shouldRetry', () => {
  it.each<[string, unknown, boolean]>([
    ['408', api({ status: 408 }), true],
    ['409', api({ status: 409 }), true],
    ['429 rate limit', api({ status: 429, code: 'rate_limit_exceeded', type: 'requests' }), true],
    ['429 without a code', api({ status: 429 }), true],
    ['429 insufficient_quota (code)', api({ status: 429, code: 'insufficient_quota' }), false],
    ['429 insufficient_quota (type)', api({ status: 429, type: 'insufficient_quota' }), false],
    ['429 asking for 2 minutes', api({ status: 429, retryAfterMs: 120_000 }), false],
    ['429 asking for 60 s', api({ status: 429, retryAfterMs: 60_000 }), true],
    ['500', api({ status: 500 }), true],
    ['502', api({ status: 502 }), true],
    ['503', api({ status: 503 }), true],
    ['400', api({ status: 400 }), false],
    ['400 moderation_blocked', api({ status: 400, code: 'moderation_blocked' }), false],
    ['500 with moderation details', api({ status: 500, moderation: { stage: 'output' } }), false],
    ['401', api({ status: 401 }), false],
    ['403', api({ status: 403 }), false],
    ['404', api({ status: 404, code: 'model_not_found' }), false],
    ['422', api({ status: 422 }), false],
    ['in-stream server_error', api({ status: 0, code: 'server_error', inStream: true }), false],
    ['in-stream 500-like', api({ status: 500, inStream: true }), false],
    ['NetworkError', new NetworkError('Failed to fetch'), false],
    ['StreamError', new StreamError('cut'), false],
    ['AbortError', new DOMException('aborted', 'AbortError'), false],
    ['plain Error', new Error('x'), false],
  ])('%s → %s', (_, err, expected) => {
    expect(shouldRetry(err)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  const policy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 8000 };

  it('uses retry-after when present, up to a minute', () => {
    expect(retryDelayMs(api({ status: 429, retryAfterMs: 2500 }), 1, policy, () => 0.9)).toBe(2500);
    expect(retryDelayMs(api({ status: 429, retryAfterMs: 0 }), 2, policy, () => 0.9)).toBe(0);
    expect(retryDelayMs(api({ status: 429, retryAfterMs: 30_000 }), 1, policy)).toBe(30_000);
    // Too long to wait automatically: fall back to backoff (shouldRetry says no anyway).
    expect(retryDelayMs(api({ status: 429, retryAfterMs: 120_000 }), 1, policy, () => 0)).toBe(500);
  });

  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 8000],
    [6, 8000],
    [12, 8000],
  ])('attempt %i backs off to at most %i ms, jittered down by at most 25 %', (attempt, max) => {
    const err = api({ status: 503 });
    expect(retryDelayMs(err, attempt, policy, () => 0)).toBe(max);
    expect(retryDelayMs(err, attempt, policy, () => 0.999999)).toBe(Math.round(max * 0.75));
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(err, attempt, policy);
      expect(d).toBeGreaterThanOrEqual(Math.floor(max * 0.75));
      expect(d).toBeLessThanOrEqual(max);
    }
  });

  it('defaults to 2 retries from 500 ms with an 8 s cap', () => {
    expect(defaultRetryPolicy).toEqual({ maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000 });
    expect(retryDelayMs(new NetworkError('x'), 1, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(api({ status: 500 }), 0, undefined, () => 0)).toBe(500);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const t0 = performance.now();
    await expect(sleep(20)).resolves.toBeUndefined();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('rejects with AbortError when aborted, promptly, and at once if already aborted', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const p = sleep(10_000, ac.signal);
    setTimeout(() => ac.abort(), 5);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(sleep(10, ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
