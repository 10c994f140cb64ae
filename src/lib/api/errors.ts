/**
 * The few typed errors lib/api throws, how they are built from a response or a stream event, and the one
 * function (`describeError`) that turns any of them into the message the user sees.
 */
import { redactSecrets } from './redact';

export interface Moderation {
  stage?: string;
  categories?: string[];
}

export interface ApiErrorInit {
  status: number;
  type?: string | null;
  code?: string | null;
  param?: string | null;
  requestId?: string | null;
  retryAfterMs?: number | null;
  moderation?: Moderation | null;
  inStream?: boolean;
}

/** The server answered with an error: a non-2xx status, or an error event inside a stream (status 0). */
export class ApiError extends Error {
  override name = 'ApiError';
  status: number;
  type: string | null;
  code: string | null;
  param: string | null;
  requestId: string | null;
  retryAfterMs: number | null;
  moderation: Moderation | null;
  inStream: boolean;

  constructor(message: string, init: ApiErrorInit) {
    super(redactSecrets(message));
    this.status = init.status;
    this.type = init.type ?? null;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.requestId = init.requestId ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.moderation = init.moderation ?? null;
    this.inStream = init.inStream ?? false;
  }
}

/** fetch rejected without a response: offline, DNS, TLS, CORS, or a wrong base URL (the browser can't say which). */
export class NetworkError extends Error {
  override name = 'NetworkError';
  url: string | null;
  constructor(message: string, options: { cause?: unknown; url?: string } = {}) {
    super(redactSecrets(message), { cause: options.cause });
    this.url = options.url ?? null;
  }
}

export type StreamErrorKind = 'cut' | 'stalled' | 'malformed' | 'incomplete';

/** A stream that ended badly: connection lost, no data for too long, unreadable data, or no final event. */
export class StreamError extends Error {
  override name = 'StreamError';
  kind: StreamErrorKind;
  /** For 'stalled': the silence that triggered it. */
  stallMs: number | null;
  constructor(kind: StreamErrorKind, message?: string, options: { cause?: unknown; stallMs?: number } = {}) {
    super(redactSecrets(message ?? `The stream ended badly (${kind})`), { cause: options.cause });
    this.kind = kind;
    this.stallMs = options.stallMs ?? null;
  }
}

/** True for a cancellation (DOMException or Error named AbortError): not a failure, never shown as one. */
export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** The error to throw when `signal` aborted: its reason if that is an AbortError, else a fresh one. */
export function abortErrorFrom(signal?: AbortSignal): unknown {
  const reason: unknown = signal?.reason;
  return isAbortError(reason) ? reason : new DOMException('The operation was aborted.', 'AbortError');
}

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function moderationOf(inner: Rec, outer: Rec, code: string | null): Moderation | null {
  const details = isRecord(inner.moderation_details) ? inner.moderation_details : outer.moderation_details;
  if (isRecord(details)) {
    const m: Moderation = {};
    const stage = str(details.moderation_stage) ?? str(details.stage);
    if (stage) m.stage = stage;
    if (Array.isArray(details.categories)) {
      m.categories = details.categories.filter((c): c is string => typeof c === 'string');
    }
    return m;
  }
  return code !== null && MODERATION_CODES.has(code) ? {} : null;
}

export const MODERATION_CODES = new Set([
  'moderation_blocked',
  'content_policy_violation',
  'image_content_policy_violation',
]);

/**
 * Builds an ApiError from an error payload: `{error:{…}}`, a flat `{type:'error', code, message}` stream event,
 * or `response.error` of a failed Response. Reads `data.error ?? data`, falling back field by field.
 */
export function apiErrorFromPayload(
  data: unknown,
  init: { status: number; requestId?: string | null; retryAfterMs?: number | null; inStream?: boolean },
): ApiError {
  const outer: Rec = isRecord(data) ? data : {};
  const inner: Rec = isRecord(outer.error) ? outer.error : outer;
  const pick = (key: string): string | null => str(inner[key]) ?? str(outer[key]);
  // A flat stream event's own `type` is "error": the event's name, not the error's type.
  const type = pick('type');
  const code = pick('code');
  const message =
    pick('message') ?? (typeof outer.error === 'string' ? outer.error : null) ?? `HTTP ${init.status} error`;
  return new ApiError(message, {
    status: init.status,
    type: type === 'error' ? null : type,
    code,
    param: pick('param'),
    requestId: init.requestId ?? null,
    retryAfterMs: init.retryAfterMs ?? null,
    moderation: moderationOf(inner, outer, code),
    inStream: init.inStream ?? false,
  });
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | null {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number.parseFloat(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Reads a non-2xx response into an ApiError. Rethrows AbortError if reading the body was cancelled. */
export async function apiErrorFromResponse(res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    if (isAbortError(e)) throw e;
  }
  const init = {
    status: res.status,
    requestId: res.headers.get('x-request-id'),
    retryAfterMs: parseRetryAfter(res.headers),
  };
  let data: unknown = null;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON: a proxy's plain-text or HTML error page.
  }
  if (isRecord(data) && (isRecord(data.error) || typeof data.error === 'string' || str(data.message))) {
    return apiErrorFromPayload(data, init);
  }
  const plain = text.trim();
  const fallback = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  const readable = plain !== '' && !plain.startsWith('<') && plain.length <= 300;
  return new ApiError(readable ? plain : fallback, init);
}
