import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildGenerationRequest } from '../../../src/lib/api/builders';
import { createSafetyIdentifier, isSafetyIdentifier } from '../../../src/lib/crypto/safety-id';
import { sha256Hex } from '../../../src/lib/library/hash';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';

describe('safety identifier', () => {
  it('hashes with SHA-256 to 64 lowercase hex characters', async () => {
    const data = new TextEncoder().encode('abc');
    expect(await sha256Hex(data)).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(await sha256Hex(data)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is the hash of 32 random bytes, never the bytes themselves', async () => {
    let seen: Uint8Array | null = null;
    const id = await createSafetyIdentifier((b) => {
      b.fill(7);
      seen = b;
      return b;
    });
    expect(seen).toHaveLength(32);
    expect(id).toBe(createHash('sha256').update(Buffer.alloc(32, 7)).digest('hex'));
    expect(isSafetyIdentifier(id)).toBe(true);
  });

  it('differs between installs', async () => {
    const [a, b] = await Promise.all([createSafetyIdentifier(), createSafetyIdentifier()]);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(64);
  });

  it.each([['abc'], ['A'.repeat(64)], [42], [null]])('rejects %j as an identifier', (v) => {
    expect(isSafetyIdentifier(v)).toBe(false);
  });
});

describe('buildGenerationRequest with a safety identifier', () => {
  const id = 'f'.repeat(64);
  const build = (patch: Parameters<typeof options>[0], safetyIdentifier?: string | null) => {
    const o = options(patch);
    return buildGenerationRequest(resolveModel(o.model), o, { safetyIdentifier });
  };

  it('adds safety_identifier when given', () => {
    expect(build({}, id).body.safety_identifier).toBe(id);
  });

  it('sends nothing when it is off', () => {
    expect('safety_identifier' in build({}, null).body).toBe(false);
    expect('safety_identifier' in build({}).body).toBe(false);
  });

  it("lets the user's Extra JSON win", () => {
    const r = build({ extraJson: '{"safety_identifier": "mine"}' }, id);
    expect(r.body.safety_identifier).toBe('mine');
    expect(r.overridden).toEqual(['safety_identifier']);
  });
});
