import { describe, expect, it } from 'vitest';
import { checkNewPassphrase, checkPassphrase } from '../../../src/lib/crypto/passphrase';

describe('checkPassphrase', () => {
  it.each([
    ['', false, 'empty'],
    ['1234567', false, 'short'],
    ['12345678', true, 'fair'],
    ['tangerine!', true, 'fair'],
    ['a much longer passphrase', true, 'good'],
    ['cat dog sun sky', true, 'good'],
  ] as const)('%j → ok %s, %s', (p, ok, level) => {
    const c = checkPassphrase(p);
    expect(c.ok).toBe(ok);
    expect(c.level).toBe(level);
    expect(c.message).not.toBe('');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(checkPassphrase('🔑🔑🔑🔑🔑🔑🔑').ok).toBe(false);
    expect(checkPassphrase('🔑🔑🔑🔑🔑🔑🔑🔑').ok).toBe(true);
  });

  it('says how many characters are missing', () => {
    expect(checkPassphrase('abcdef').message).toMatch(/2 more characters/);
    expect(checkPassphrase('abcdefg').message).toMatch(/1 more character\b/);
  });
});

describe('checkNewPassphrase', () => {
  it('needs the repetition to match', () => {
    expect(checkNewPassphrase('long enough', 'long enougH')).toMatchObject({ ok: false });
    expect(checkNewPassphrase('long enough', 'long enough')).toMatchObject({ ok: true });
  });

  it('asks for the repetition while it is empty', () => {
    expect(checkNewPassphrase('long enough', '')).toMatchObject({ ok: false, message: /Repeat passphrase/ });
  });

  it('reports a short passphrase before a mismatch', () => {
    expect(checkNewPassphrase('short', 'other').level).toBe('short');
  });
});
