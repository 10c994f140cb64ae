/**
 * When to retry a failed request and how long to wait. Pure apart from `sleep`.
 * Mirrors the official SDK: 408, 409, 429 and 5xx; retry-after honoured; otherwise exponential backoff with jitter.
 */
import { abortErrorFrom, ApiError } from './errors';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000 };

/** A server-requested wait longer than this is not waited out automatically: the user sees it instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

const NEVER_RETRY_CODES = new Set([
  'insufficient_quota',
  'moderation_blocked',
  'content_policy_violation',
  'image_content_policy_violation',
]);

/**
 * Retry ApiErrors with status 408, 409, 429 (except insufficient_quota) and >= 500. Never moderation, other 4xx,
 * errors reported inside a stream (the image may be half paid for), or a retry-after beyond a minute.
 * NetworkError is not retried: a CORS refusal looks exactly like a flaky connection.
 */
export function shouldRetry(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.inStream || err.moderation) return false;
  if (NEVER_RETRY_CODES.has(err.code ?? '') || err.type === 'insufficient_quota') return false;
  if (err.retryAfterMs !== null && err.retryAfterMs > MAX_RETRY_AFTER_MS) return false;
  const s = err.status;
  return s === 408 || s === 409 || s === 429 || s >= 500;
}

/**
 * The wait before retry number `attempt` (1 = first retry): the server's retry-after when given (up to a
 * minute), else `baseDelayMs * 2^(attempt-1)` capped at `maxDelayMs`, minus up to 25 % jitter.
 */
export function retryDelayMs(
  err: unknown,
  attempt: number,
  policy: RetryPolicy = defaultRetryPolicy,
  random: () => number = Math.random,
): number {
  if (err instanceof ApiError && err.retryAfterMs !== null) {
    if (err.retryAfterMs >= 0 && err.retryAfterMs <= MAX_RETRY_AFTER_MS) return err.retryAfterMs;
  }
  const n = Math.max(1, Math.floor(attempt));
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  const jitter = 1 - 0.25 * Math.min(1, Math.max(0, random()));
  return Math.round(exp * jitter);
}

/** Resolves after `ms`; rejects with an AbortError as soon as `signal` aborts (or at once if it already has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFrom(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortErrorFrom(signal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
