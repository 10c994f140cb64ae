/** Turning any error into the user's message: title, detail, next step, link. Loaded only when one occurs. */
import { redactSecrets } from './redact';
import { ApiError, MODERATION_CODES, NetworkError, StreamError, isAbortError } from './errors';

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
