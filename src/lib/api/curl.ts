/**
 * "Copy request as curl": the exact request a run sent, as a multi-line command for a POSIX shell. Pure.
 * The key is never in it: the Authorization header reads `$OPENAI_API_KEY` from the shell, and anything in the
 * body or headers that looks like a key (or is the current one) is redacted.
 */
import { normalizeBaseUrl } from './base-url';
import { redactSecrets } from './redact';

/** Base64 payloads longer than this are replaced with a placeholder rather than pasted into a terminal. */
export const INLINE_BASE64_LIMIT = 1024;

export interface CurlRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  baseUrl: string;
  /** Starts with "/", e.g. "/images/generations". */
  path: string;
  organization?: string;
  project?: string;
  /** The JSON body, as sent. */
  body?: unknown;
  accept?: string;
  /** Known secrets (the current key) to blank out wherever they occur, on top of anything key-shaped. */
  secrets?: string[];
}

export interface CurlCommand {
  text: string;
  /** How many base64 payloads were replaced with a placeholder. */
  omitted: number;
  /** Whether something key-shaped was blanked out. */
  redacted: boolean;
  /** What the user should know before running it. */
  notes: string[];
}

/** Wraps `s` in single quotes for sh/bash/zsh; a single quote inside becomes '\'' (close, escaped quote, reopen). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const DATA_URL = /^(data:[^,;]*(?:;[^,;]*)*;base64,)(.*)$/s;

function sizeLabel(chars: number): string {
  const bytes = Math.floor((chars * 3) / 4);
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1000))} KB`;
}

/** A copy of `value` with every base64 string (or data: URL payload) over the limit replaced by a placeholder. */
export function omitLargeBase64(value: unknown, counter = { omitted: 0 }): unknown {
  if (typeof value === 'string') {
    if (value.length <= INLINE_BASE64_LIMIT) return value;
    const data = DATA_URL.exec(value);
    if (data && data[2]!.length > INLINE_BASE64_LIMIT) {
      counter.omitted++;
      return `${data[1]}<base64 omitted: ${sizeLabel(data[2]!.length)}>`;
    }
    if (BASE64.test(value)) {
      counter.omitted++;
      return `<base64 omitted: ${sizeLabel(value.length)}>`;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => omitLargeBase64(v, counter));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = omitLargeBase64(v, counter);
    return out;
  }
  return value;
}

/** A multipart request (an edit or a variation): text fields and the files it attached, by name. */
export interface MultipartCurlRequest extends Omit<CurlRequest, 'body' | 'method'> {
  fields: readonly (readonly [string, string])[];
  files: readonly { field: string; filename: string; type: string }[];
}

/** A file name safe to type in a shell and inside curl's -F syntax (no quotes, semicolons, commas or slashes). */
export function safeFilename(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '');
  return cleaned || 'image';
}

/** The command's first lines: method and URL, the key from the shell, organization/project, Accept. */
function curlHead(req: Omit<CurlRequest, 'body' | 'method'>, method: string, opts: { json: boolean }) {
  const secrets = req.secrets ?? [];
  let redacted = false;
  const clean = (s: string): string => {
    const out = redactSecrets(s, secrets);
    if (out !== s) redacted = true;
    return out;
  };
  const base = normalizeBaseUrl(req.baseUrl);
  const url = clean((base.ok ? base.url : req.baseUrl.trim().replace(/\/+$/, '')) + req.path);
  const lines = [`curl -X ${method} ${shellQuote(url)}`];
  // Double quotes on purpose: the shell fills in the key, so it is never part of the copied text.
  lines.push(`-H "Authorization: Bearer $OPENAI_API_KEY"`);
  if (req.organization?.trim())
    lines.push(`-H ${shellQuote(`OpenAI-Organization: ${clean(req.organization.trim())}`)}`);
  if (req.project?.trim()) lines.push(`-H ${shellQuote(`OpenAI-Project: ${clean(req.project.trim())}`)}`);
  if (opts.json) lines.push(`-H ${shellQuote('Content-Type: application/json')}`);
  const accept = req.accept ?? 'application/json';
  lines.push(`-H ${shellQuote(`Accept: ${accept}`)}`);
  if (accept === 'text/event-stream') lines.push('--no-buffer');
  return { lines, clean, wasRedacted: () => redacted };
}

export function buildCurl(req: CurlRequest): CurlCommand {
  const hasBody = req.body !== undefined;
  const { lines, clean, wasRedacted } = curlHead(req, req.method ?? (hasBody ? 'POST' : 'GET'), {
    json: hasBody,
  });

  const counter = { omitted: 0 };
  if (hasBody) {
    const json = JSON.stringify(omitLargeBase64(req.body, counter), null, 2);
    lines.push(`--data-raw ${shellQuote(clean(json))}`);
  }

  const notes = ['Set OPENAI_API_KEY in your shell first; the key itself is not in this command.'];
  if (counter.omitted) {
    notes.push(
      `${counter.omitted} base64 payload${counter.omitted === 1 ? ' was' : 's were'} longer than 1 KB and ` +
        'replaced with a placeholder: put the data back before running it.',
    );
  }
  const redacted = wasRedacted();
  if (redacted) notes.push('Something that looked like an API key was replaced with a placeholder.');
  return { text: lines.join(' \\\n  '), omitted: counter.omitted, redacted, notes };
}

/**
 * The same for a multipart request: text fields with --form-string (so a prompt starting with @ or < is never
 * read as a file) and each file with -F field=@name;type=…, read from the current directory.
 */
export function buildMultipartCurl(req: MultipartCurlRequest): CurlCommand {
  const { lines, clean, wasRedacted } = curlHead(req, 'POST', { json: false });
  for (const [k, v] of req.fields) lines.push(`--form-string ${shellQuote(`${k}=${clean(v)}`)}`);
  // Two sources may share a name ("image.png" pasted twice): each part needs its own file.
  const seen = new Map<string, number>();
  const names = req.files.map((f) => {
    const name = safeFilename(f.filename);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : name.replace(/(\.[A-Za-z0-9]+)?$/, (ext) => `-${n}${ext}`);
  });
  req.files.forEach((f, i) => lines.push(`-F ${shellQuote(`${f.field}=@${names[i]};type=${f.type}`)}`));

  const notes = ['Set OPENAI_API_KEY in your shell first; the key itself is not in this command.'];
  if (names.length)
    notes.push(
      `curl reads ${names.length === 1 ? 'the file' : 'the files'} ${names.join(', ')} from the folder you run ` +
        'it in: save the source images (and the mask) there under those names first.',
    );
  const redacted = wasRedacted();
  if (redacted) notes.push('Something that looked like an API key was replaced with a placeholder.');
  return { text: lines.join(' \\\n  '), omitted: 0, redacted, notes };
}
