import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WrongPassphraseError } from '../../../src/lib/crypto/vault';
import { SAFETY_ID_KEY } from '../../../src/lib/crypto/safety-id';
import { SettingsState, VAULT_KEY, type SettingsValues } from '../../../src/lib/state/settings.svelte';

const KEY = 'sk-proj-lock-test-abcdefghijklmnop0123';
const PASS = 'four random words here';
const SETTINGS_KEY = 'atelier.settings.v1';

/** A minimal Web Storage in memory. */
class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  setItem(k: string, v: string) {
    this.map.set(k, String(v));
  }
  dump(): string {
    return JSON.stringify([...this.map]);
  }
}

let local: MemoryStorage;
let session: MemoryStorage;

/** A new tab of the same browser: same localStorage, empty sessionStorage. */
function newTab(): SettingsState {
  session = new MemoryStorage();
  vi.stubGlobal('sessionStorage', session);
  const s = new SettingsState();
  s.load();
  return s;
}

const values = (s: SettingsState, patch: Partial<SettingsValues>): SettingsValues => ({
  ...s.values(),
  baseUrl: 'http://127.0.0.1:1/v1',
  ...patch,
});

beforeEach(() => {
  local = new MemoryStorage();
  session = new MemoryStorage();
  vi.stubGlobal('localStorage', local);
  vi.stubGlobal('sessionStorage', session);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('SettingsState: remember, locked with a passphrase', () => {
  it('stores only the encrypted record on the device; a new tab is locked until unlocked', async () => {
    const tab1 = newTab();
    const v = values(tab1, { apiKey: KEY, persistence: 'locked' });
    expect(tab1.needsPassphrase(v)).toBe(true);
    expect(() => tab1.save(v)).toThrow(/passphrase/);
    await tab1.lockKey(v, PASS);

    expect(tab1.apiKey).toBe(KEY);
    expect(tab1.locked).toBe(false);
    expect(local.dump()).not.toContain(KEY);
    expect(JSON.parse(local.getItem(VAULT_KEY)!)).toMatchObject({ v: 1, iterations: 600_000 });
    expect(JSON.parse(local.getItem(SETTINGS_KEY)!)).toMatchObject({ apiKey: '', persistence: 'locked' });
    // This tab keeps the unlocked key in its own sessionStorage, so a reload does not ask again.
    expect(JSON.parse(session.getItem(SETTINGS_KEY)!)).toMatchObject({ apiKey: KEY });
    const reloaded = new SettingsState();
    reloaded.load();
    expect(reloaded.apiKey).toBe(KEY);

    const tab2 = newTab();
    expect(tab2.locked).toBe(true);
    expect(tab2.hasKey).toBe(false);
    expect(tab2.baseUrl).toBe('http://127.0.0.1:1/v1');
    expect(session.dump() + local.dump()).not.toContain(KEY);

    await expect(tab2.unlock('not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(tab2.locked).toBe(true);
    expect(local.getItem(VAULT_KEY)).not.toBeNull();

    await tab2.unlock(PASS);
    expect(tab2.locked).toBe(false);
    expect(tab2.apiKey).toBe(KEY);
    expect(local.dump()).not.toContain(KEY);
  });

  it('saves other settings without a passphrase when the key is unchanged', async () => {
    const s = newTab();
    await s.lockKey(values(s, { apiKey: KEY, persistence: 'locked' }), PASS);
    const vault = local.getItem(VAULT_KEY);
    const v = { ...s.values(), project: 'proj_1' };
    expect(s.needsPassphrase(v)).toBe(false);
    s.save(v);
    expect(local.getItem(VAULT_KEY)).toBe(vault);
    expect(s.needsPassphrase({ ...v, apiKey: `${KEY}x` })).toBe(true);
  });

  it('Forget key wipes memory, both storages and the encrypted record', async () => {
    const s = newTab();
    await s.lockKey(values(s, { apiKey: KEY, persistence: 'locked' }), PASS);
    s.forgetKey();
    expect(s.apiKey).toBe('');
    expect(s.locked).toBe(false);
    expect(local.getItem(VAULT_KEY)).toBeNull();
    expect(session.dump() + local.dump()).not.toContain(KEY);
    expect(newTab().locked).toBe(false);
  });

  it('Forget key also works from a locked tab', async () => {
    const s = newTab();
    await s.lockKey(values(s, { apiKey: KEY, persistence: 'locked' }), PASS);
    const locked = newTab();
    locked.forgetKey();
    expect(local.getItem(VAULT_KEY)).toBeNull();
    expect(newTab().locked).toBe(false);
  });

  it('switching to another mode drops the encrypted record', async () => {
    const s = newTab();
    await s.lockKey(values(s, { apiKey: KEY, persistence: 'locked' }), PASS);
    s.save({ ...s.values(), persistence: 'session' });
    expect(local.getItem(VAULT_KEY)).toBeNull();
    expect(local.dump()).not.toContain(KEY);
    expect(JSON.parse(session.getItem(SETTINGS_KEY)!)).toMatchObject({ apiKey: KEY, persistence: 'session' });
  });

  it('this tab only never writes the key to localStorage', () => {
    const s = newTab();
    s.save(values(s, { apiKey: KEY, persistence: 'session' }));
    expect(local.dump()).not.toContain(KEY);
    expect(session.dump()).toContain(KEY);
  });
});

describe('SettingsState: safety identifier', () => {
  it('is off by default and makes one id per browser when switched on', async () => {
    const s = newTab();
    expect(s.safetyIdentifier).toBe(false);
    expect(s.safetyId).toBeNull();
    s.save(values(s, { safetyIdentifier: true }));
    const id = await s.ensureSafetyId();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(local.getItem(SAFETY_ID_KEY)).toBe(id);
    expect(newTab().safetyId).toBe(id);
  });
});
