/**
 * Hides API keys and bearer tokens in text that may reach the screen, a log or an error report.
 * Pure; used by every error message in lib/api.
 */

/** Known secrets shorter than this are left alone: replacing one- or two-letter strings would shred the text. */
const MIN_KNOWN_SECRET_LENGTH = 4;

/** `sk-…` keys (sk-proj-…, sk-svcacct-…, sk-admin-…), not when glued to a preceding word ("task-…"). */
const KEY_PATTERN = /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g;

/** `Bearer <token>` as in a copied header or a proxy's echo of one; 8+ characters so prose ("bearer tokens") survives. */
const BEARER_PATTERN = /\bBearer\s+[^\s"'`,;]{8,}/gi;

const KEY_MASK = 'sk-…redacted';
const BEARER_MASK = 'Bearer [redacted]';

export function redactSecrets(text: string, known: string[] = []): string {
  let out = text;
  for (const raw of known) {
    const secret = raw.trim();
    if (secret.length < MIN_KNOWN_SECRET_LENGTH) continue;
    out = out.split(secret).join(secret.startsWith('sk-') ? KEY_MASK : '[redacted]');
  }
  return out.replace(BEARER_PATTERN, BEARER_MASK).replace(KEY_PATTERN, KEY_MASK);
}
