import { describe, expect, it } from 'vitest';
import {
  MIN_ITERATIONS,
  openSecret,
  parseVaultRecord,
  sealSecret,
  VaultFormatError,
  WrongPassphraseError,
  type VaultRecord,
} from '../../../src/lib/crypto/vault';

const KEY = 'sk-proj-vault-test-0123456789abcdefghij';
const PASS = 'correct horse battery staple';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));

/** Flips one bit of a base64 field. */
function tamper(record: VaultRecord, field: 'ciphertext' | 'iv' | 'salt', at = 0): VaultRecord {
  const raw = bytes(record[field]);
  raw[at] = raw[at]! ^ 0x01;
  return { ...record, [field]: b64(raw) };
}

describe('vault (PBKDF2-SHA-256 + AES-GCM)', () => {
  // One sealed record shared by the tests that only read it: each PBKDF2 run costs a few hundred ms.
  const sealed = sealSecret(KEY, PASS);

  it('round-trips a key through seal and open', async () => {
    const record = await sealed;
    expect(await openSecret(record, PASS)).toBe(KEY);
    // …and through JSON, as it is stored.
    expect(await openSecret(JSON.parse(JSON.stringify(record)), PASS)).toBe(KEY);
  });

  it('records the version, ≥ 600,000 iterations, a 16-byte salt and a 96-bit IV, and no plaintext', async () => {
    const record = await sealed;
    expect(Object.keys(record).sort()).toEqual(['ciphertext', 'iterations', 'iv', 'salt', 'v']);
    expect(record.v).toBe(1);
    expect(record.iterations).toBeGreaterThanOrEqual(600_000);
    expect(MIN_ITERATIONS).toBe(600_000);
    expect(bytes(record.salt)).toHaveLength(16);
    expect(bytes(record.iv)).toHaveLength(12);
    // The GCM tag adds 16 bytes to the ciphertext.
    expect(bytes(record.ciphertext)).toHaveLength(new TextEncoder().encode(KEY).length + 16);
    const stored = JSON.stringify(record);
    expect(stored).not.toContain(KEY);
    expect(stored).not.toContain(PASS);
  });

  it('uses a fresh salt and IV every time', async () => {
    const [a, b] = await Promise.all([sealed, sealSecret(KEY, PASS)]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('rejects a wrong passphrase with WrongPassphraseError', async () => {
    const record = await sealed;
    await expect(openSecret(record, 'correct horse battery stapler')).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
    await expect(openSecret(record, '')).rejects.toThrow(/passphrase does not unlock/);
  });

  it.each(['ciphertext', 'iv', 'salt'] as const)('fails when the %s was altered', async (field) => {
    const record = await sealed;
    await expect(openSecret(tamper(record, field), PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('fails when the last byte (the authentication tag) was altered', async () => {
    const record = await sealed;
    const last = bytes(record.ciphertext).length - 1;
    await expect(openSecret(tamper(record, 'ciphertext', last), PASS)).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
  });

  it('normalises the passphrase (NFC) so composed and decomposed accents both unlock', async () => {
    const record = await sealSecret(KEY, 'caf\u00e9 au lait');
    expect(await openSecret(record, 'cafe\u0301 au lait')).toBe(KEY);
  });

  it('refuses to seal with fewer than 600,000 iterations or an empty passphrase', async () => {
    await expect(sealSecret(KEY, PASS, { iterations: 100_000 })).rejects.toThrow(RangeError);
    await expect(sealSecret(KEY, '')).rejects.toThrow(RangeError);
  });

  it.each([
    ['null', null],
    ['a string', 'sk-not-a-record'],
    ['another version', { v: 2, salt: 'AA==', iv: 'AA==', ciphertext: 'AA==', iterations: 600_000 }],
    ['a missing salt', { v: 1, iv: 'AA==', ciphertext: 'AA==', iterations: 600_000 }],
    ['too few iterations', { v: 1, salt: 'AA==', iv: 'AA==', ciphertext: 'AA==', iterations: 1000 }],
    ['absurd iterations', { v: 1, salt: 'AA==', iv: 'AA==', ciphertext: 'AA==', iterations: 1e12 }],
  ])('rejects %s as a VaultFormatError before deriving anything', async (_name, value) => {
    expect(() => parseVaultRecord(value)).toThrow(VaultFormatError);
    await expect(openSecret(value, PASS)).rejects.toBeInstanceOf(VaultFormatError);
  });

  it('rejects bad base64 and wrong salt or IV lengths as VaultFormatError', async () => {
    const record = await sealed;
    await expect(openSecret({ ...record, iv: '%%%' }, PASS)).rejects.toBeInstanceOf(VaultFormatError);
    await expect(openSecret({ ...record, iv: b64(new Uint8Array(16)) }, PASS)).rejects.toBeInstanceOf(
      VaultFormatError,
    );
  });
});
