/**
 * Errors as they cross between the stream worker and the page: classes do not survive structured cloning, so
 * they travel as plain data and are rebuilt as the same ApiError / StreamError / AbortError on the other side.
 */
import { ApiError, StreamError, isAbortError, type ApiErrorInit } from './errors';

/** An error as it crosses to the main thread (classes do not survive structured cloning). */
export type WireError =
  | { name: 'AbortError' }
  | { name: 'ApiError'; message: string; init: ApiErrorInit }
  | { name: 'StreamError'; kind: StreamError['kind']; message: string; stallMs: number | null };

/** An error as plain data (anything that is not one of ours becomes a cut stream). */
export function toWire(e: unknown): WireError {
  if (isAbortError(e)) return { name: 'AbortError' };
  if (e instanceof ApiError) {
    const { status, type, code, param, requestId, retryAfterMs, moderation, inStream } = e;
    return {
      name: 'ApiError',
      message: e.message,
      init: { status, type, code, param, requestId, retryAfterMs, moderation, inStream },
    };
  }
  if (e instanceof StreamError)
    return { name: 'StreamError', kind: e.kind, message: e.message, stallMs: e.stallMs };
  return {
    name: 'StreamError',
    kind: 'cut',
    message: 'The connection closed before the final image arrived.',
    stallMs: null,
  };
}

/** The error again, of the same class. */
export function fromWire(w: WireError): Error {
  if (w.name === 'AbortError') return new DOMException('The operation was aborted.', 'AbortError');
  if (w.name === 'ApiError') return new ApiError(w.message, w.init);
  return new StreamError(w.kind, w.message, w.stallMs === null ? {} : { stallMs: w.stallMs });
}
