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

const MODERATION_CODES = new Set([
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

export interface UserMessage {
  title: string;
  detail: string;
  next: string;
  link?: { href: string; label: string };
  retryAfterMs?: number;
  requestId?: string;
  severity: 'error' | 'warning';
}

export interface DescribeContext {
  baseUrl?: string;
  model?: string;
  /** The current key, redacted exactly wherever it appears (in addition to anything that looks like a key). */
  apiKey?: string;
}

const LINKS = {
  keys: { href: 'https://platform.openai.com/api-keys', label: 'API keys' },
  verify: {
    href: 'https://platform.openai.com/settings/organization/general',
    label: 'Organization settings',
  },
  billing: { href: 'https://platform.openai.com/settings/organization/billing/overview', label: 'Billing' },
  status: { href: 'https://status.openai.com', label: 'OpenAI status' },
};

function originOf(url: string | undefined | null): string {
  try {
    return new URL(url ?? 'https://api.openai.com/v1').origin;
  } catch {
    return String(url);
  }
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

type Draft = Omit<UserMessage, 'severity'> & { warn?: boolean };
const draft = (title: string, detail: string, next: string, more: Partial<Draft> = {}): Draft => ({
  title,
  detail,
  next,
  ...more,
});

function describeApiError(err: ApiError, ctx: DescribeContext): Draft {
  const { message: msg, status: s } = err;
  const code = err.code ?? '';
  const model = ctx.model ? `“${ctx.model}”` : null;
  if (MODERATION_CODES.has(code) || err.moderation) {
    const { stage, categories } = err.moderation ?? {};
    const where = `${stage ? ` at the ${stage} stage` : ''}${categories?.length ? ` (categories: ${categories.join(', ')})` : ''}`;
    const next = 'Rephrase the prompt or change the image; sending it unchanged will be rejected again.';
    return draft('Rejected by the safety system', `The request was blocked${where}. ${msg}`, next);
  }
  if (/must be verified/i.test(msg)) {
    const next = `Verify your organization in the OpenAI settings. Access can take up to 15 minutes after verifying.${
      /stream/i.test(msg) ? ' Until then, turn off streaming previews.' : ''
    }`;
    return draft('Organization verification required', msg, next, { link: LINKS.verify });
  }
  if (s === 401 || code === 'invalid_api_key') {
    const next = 'Check the key in Settings: it may be mistyped, revoked, or belong to another project.';
    return draft('The API key was rejected', msg, next, { link: LINKS.keys });
  }
  if (code === 'insufficient_quota' || err.type === 'insufficient_quota') {
    const next = 'Add credit or raise the usage limit in Billing, then try again.';
    return draft('Out of credit', msg, next, { link: LINKS.billing });
  }
  if (s === 429 || code === 'rate_limit_exceeded') {
    const wait = err.retryAfterMs !== null ? `Retry after ${seconds(err.retryAfterMs)} s.` : 'Wait a moment.';
    return draft('Rate limit reached', msg, `${wait} Then try again.`, { warn: true });
  }
  if (s === 403) {
    const next = `Check that this key’s project has access to ${model ?? 'this model'}, or use another key.`;
    return draft('No permission for this request', msg, next, { link: LINKS.keys });
  }
  if (code === 'model_not_found') {
    const next = 'Pick another model, or check the key’s project access.';
    return draft(`${model ?? 'The model'} isn’t available to this key`, msg, next);
  }
  if (s === 404) return draft('Not found', msg, 'Check the Base URL in Settings (it usually ends in /v1).');
  if (s === 408 || s === 409 || s >= 500 || code === 'server_error') {
    const official = originOf(ctx.baseUrl) === 'https://api.openai.com';
    const title = s === 408 ? 'The request timed out' : 'The server had a problem';
    const more = { warn: true, ...(official ? { link: LINKS.status } : {}) };
    return draft(title, s ? `${msg} (HTTP ${s})` : msg, 'Try again in a moment.', more);
  }
  if (err.inStream) return draft('The server reported an error mid-stream', msg, 'Try again.');
  if (s === 400 || s === 422) {
    const next = err.param ? `Check the “${err.param}” option.` : 'Check the options and try again.';
    return draft('The request was not accepted', msg, next);
  }
  return draft(`Request failed (HTTP ${s})`, msg, 'Try again; if it keeps failing, check Settings.');
}

function describeStreamError(err: StreamError): Draft {
  if (err.kind === 'stalled') {
    const wait = err.stallMs !== null ? `${seconds(err.stallMs)} s` : 'a long time';
    const detail = `The stream went silent for ${wait}, so it was stopped. The last partial image is kept.`;
    return draft(`No data for ${wait}`, detail, 'Try again.', { warn: true });
  }
  if (err.kind === 'malformed') {
    const next = 'Try again. If you use a proxy Base URL, check that it passes streams through unchanged.';
    return draft('Unreadable data from the server', err.message, next);
  }
  const detail = 'The stream ended before the final image arrived. The last partial image is kept.';
  return draft('The stream ended early', detail, 'Try again.', { warn: true });
}

/** The user's message for any error, or null for a cancellation. Everything shown passes `redactSecrets`. */
export function describeError(err: unknown, ctx: DescribeContext = {}): UserMessage | null {
  if (isAbortError(err)) return null;
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  let d: Draft;
  if (err instanceof ApiError) {
    d = describeApiError(err, ctx);
    const limited = err.status === 429 || err.code === 'rate_limit_exceeded';
    if (limited && err.retryAfterMs !== null) d.retryAfterMs = err.retryAfterMs;
    if (err.requestId) d.requestId = err.requestId;
  } else if (err instanceof NetworkError) {
    const detail =
      'You may be offline, the Base URL may be wrong, or the server does not allow requests from a browser (CORS).';
    const next = 'Check your connection and the Base URL in Settings, then try again.';
    d = draft(`Could not reach ${originOf(ctx.baseUrl ?? err.url)}`, detail, next);
  } else if (err instanceof StreamError) {
    d = describeStreamError(err);
  } else if (name === 'TimeoutError') {
    d = draft('The request timed out', String((err as Error).message), 'Try again.', { warn: true });
  } else {
    const detail = err instanceof Error ? err.message : String(err);
    d = draft('Something went wrong', detail, 'Try again; if it keeps failing, check Settings.');
  }
  const known = ctx.apiKey ? [ctx.apiKey] : [];
  const { warn, ...rest } = d;
  return {
    ...rest,
    title: redactSecrets(d.title, known),
    detail: redactSecrets(d.detail, known),
    next: redactSecrets(d.next, known),
    severity: warn ? 'warning' : 'error',
  };
}
