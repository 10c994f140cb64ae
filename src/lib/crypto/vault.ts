/**
 * A secret (the API key) encrypted at rest with a passphrase: AES-GCM-256 under a key derived with
 * PBKDF2-SHA-256. Pure WebCrypto, so it runs in the browser and in Node 20 (globalThis.crypto.subtle).
 */

export const VAULT_VERSION = 1;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256. Records asking for fewer are refused. */
export const MIN_ITERATIONS = 600_000;
/** A record asking for more is refused too: it would freeze the tab (a tampered record could try that). */
export const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
/** 96 bits: the IV length AES-GCM is specified for. */
const IV_BYTES = 12;

/** What is stored (in localStorage): every binary field is base64. */
export interface VaultRecord {
  v: typeof VAULT_VERSION;
  salt: string;
  iv: string;
  ciphertext: string;
  iterations: number;
}

/**
 * The passphrase did not decrypt the record. AES-GCM cannot tell a wrong passphrase from an altered
 * ciphertext, salt or IV: both fail the authentication tag, and both land here.
 */
export class WrongPassphraseError extends Error {
  override name = 'WrongPassphraseError';
  constructor() {
    super('That passphrase does not unlock the stored key.');
  }
}

/** The stored record is not one this version can read (missing fields, bad base64, odd iteration count). */
export class VaultFormatError extends Error {
  override name = 'VaultFormatError';
}

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string, field: string): Uint8Array<ArrayBuffer> {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw new VaultFormatError(`The stored key's ${field} is not valid base64.`);
  }
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('This browser has no Web Crypto (it needs a secure context: https or localhost).');
  return s;
}

async function deriveKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<CryptoKey> {
  // NFC: the same passphrase typed through another keyboard or IME must give the same bytes.
  const material = await subtle().importKey(
    'raw',
    encoder.encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return subtle().deriveKey(
    { name: 'PBKDF2', salt, iterations, hash: 'SHA-256' },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Encrypts `secret` with a fresh random salt and IV. */
export async function sealSecret(
  secret: string,
  passphrase: string,
  opts: { iterations?: number } = {},
): Promise<VaultRecord> {
  const iterations = opts.iterations ?? MIN_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}.`);
  }
  if (passphrase === '') throw new RangeError('An empty passphrase would protect nothing.');
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const key = await deriveKey(passphrase, salt, iterations);
  const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(secret));
  return {
    v: VAULT_VERSION,
    salt: toBase64(salt),
    iv: toBase64(iv),
    ciphertext: toBase64(new Uint8Array(ciphertext)),
    iterations,
  };
}

/** Checks the shape of a stored record (from JSON.parse) without decrypting it. */
export function parseVaultRecord(value: unknown): VaultRecord {
  if (typeof value !== 'object' || value === null) throw new VaultFormatError('No stored key record.');
  const r = value as Record<string, unknown>;
  if (r.v !== VAULT_VERSION) throw new VaultFormatError(`Unknown key record version: ${String(r.v)}.`);
  for (const field of ['salt', 'iv', 'ciphertext'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '')
      throw new VaultFormatError(`The key record has no ${field}.`);
  }
  const iterations = r.iterations;
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < MIN_ITERATIONS ||
    iterations > MAX_ITERATIONS
  ) {
    throw new VaultFormatError('The key record has an unacceptable iteration count.');
  }
  return {
    v: VAULT_VERSION,
    salt: r.salt as string,
    iv: r.iv as string,
    ciphertext: r.ciphertext as string,
    iterations,
  };
}

/** Decrypts a record. Throws WrongPassphraseError (wrong passphrase or altered record) or VaultFormatError. */
export async function openSecret(record: unknown, passphrase: string): Promise<string> {
  const r = parseVaultRecord(record);
  const salt = fromBase64(r.salt, 'salt');
  const iv = fromBase64(r.iv, 'IV');
  const data = fromBase64(r.ciphertext, 'ciphertext');
  if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES)
    throw new VaultFormatError('The key record has a salt or IV of the wrong length.');
  const key = await deriveKey(passphrase, salt, r.iterations);
  let plain: ArrayBuffer;
  try {
    plain = await subtle().decrypt({ name: 'AES-GCM', iv }, key, data);
  } catch {
    throw new WrongPassphraseError();
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(plain);
}
