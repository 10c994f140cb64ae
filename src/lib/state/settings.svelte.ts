/**
 * Connection settings. The key lives in sessionStorage ("this tab only", the default), in localStorage
 * ("remember on this device"), or encrypted in localStorage ("locked": see lockKey/unlock); nothing else ever
 * receives it.
 */
import type { Connection, ModelInfo } from '../api/client';
import { DEFAULT_BASE_URL } from '../api/base-url';
import { createSafetyIdentifier, isSafetyIdentifier, SAFETY_ID_KEY } from '../crypto/safety-id';
// The vault (WebCrypto) loads only when a key is locked or unlocked: it is not needed to start the app.
const vault = () => import('../crypto/vault');

export type KeyPersistence = 'session' | 'local' | 'locked';

export interface SettingsValues {
  apiKey: string;
  baseUrl: string;
  organization: string;
  project: string;
  persistence: KeyPersistence;
  /** Give up on a stream that sends nothing for this long (high-quality images can take minutes). */
  stallSeconds: number;
  /** Send this browser's hashed random id as `safety_identifier` (off by default). */
  safetyIdentifier: boolean;
}

export const DEFAULT_STALL_SECONDS = 90;

const SETTINGS_KEY = 'atelier.settings.v1';
/** `npm run demo` builds the app pointed at the local mock server, with a key only that server accepts. */
const DEMO_URL = import.meta.env.VITE_ATELIER_DEMO_URL;
const DEMO_KEY = 'sk-demo-atelier-mock-server';
const MODELS_KEY = 'atelier.models.v1';
/** localStorage: the passphrase-encrypted key ({v, salt, iv, ciphertext, iterations}, see lib/crypto/vault). */
export const VAULT_KEY = 'atelier.vault.v1';

interface StoredModels {
  baseUrl: string;
  fetchedAt: number;
  models: ModelInfo[];
}

function storage(kind: KeyPersistence): Storage | null {
  try {
    return kind === 'local' ? globalThis.localStorage : globalThis.sessionStorage;
  } catch {
    return null;
  }
}

function readJson<T>(store: Storage | null, key: string): T | null {
  try {
    const raw = store?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export class SettingsState {
  apiKey = $state('');
  baseUrl = $state(DEFAULT_BASE_URL);
  organization = $state('');
  project = $state('');
  persistence = $state<KeyPersistence>('session');
  stallSeconds = $state(DEFAULT_STALL_SECONDS);
  safetyIdentifier = $state(false);
  /** A passphrase-locked key is stored on this device but not unlocked in this tab. */
  locked = $state(false);
  /** This browser's hashed random id (localStorage), made the first time the setting is switched on. */
  safetyId = $state<string | null>(null);
  /** What GET /models returned for this key and base URL, or null when unknown. */
  serverModels = $state.raw<ModelInfo[] | null>(null);
  modelsFetchedAt = $state<number | null>(null);

  connection: Connection = $derived({
    apiKey: this.apiKey,
    baseUrl: this.baseUrl,
    organization: this.organization || undefined,
    project: this.project || undefined,
  });
  hasKey = $derived(this.apiKey.trim().length > 0);
  readonly demo = Boolean(DEMO_URL);

  /** Loads what was saved: the device copy first, then this tab's, which wins. */
  load(): void {
    const saved =
      readJson<SettingsValues>(storage('session'), SETTINGS_KEY) ??
      readJson<SettingsValues>(storage('local'), SETTINGS_KEY);
    if (saved) this.assign(saved);
    else if (DEMO_URL) this.assign({ ...this.values(), apiKey: DEMO_KEY, baseUrl: DEMO_URL });
    this.locked = this.persistence === 'locked' && !this.hasKey && this.hasVault();
    const id = storage('local')?.getItem(SAFETY_ID_KEY);
    if (isSafetyIdentifier(id)) this.safetyId = id;
    if (this.safetyIdentifier) void this.ensureSafetyId();
    const models = readJson<StoredModels>(storage('local'), MODELS_KEY);
    if (models && models.baseUrl === this.baseUrl && Array.isArray(models.models)) {
      this.serverModels = models.models;
      this.modelsFetchedAt = models.fetchedAt;
    }
  }

  values(): SettingsValues {
    return {
      apiKey: this.apiKey,
      baseUrl: this.baseUrl,
      organization: this.organization,
      project: this.project,
      persistence: this.persistence,
      stallSeconds: this.stallSeconds,
      safetyIdentifier: this.safetyIdentifier,
    };
  }

  hasVault(): boolean {
    return readJson<unknown>(storage('local'), VAULT_KEY) !== null;
  }

  /** Saving `values` needs a passphrase: a new key to lock, or locking chosen and nothing locked yet. */
  needsPassphrase(values: SettingsValues): boolean {
    if (values.persistence !== 'locked' || values.apiKey.trim() === '') return false;
    return values.apiKey !== this.apiKey || !this.hasVault();
  }

  /**
   * Saves to the chosen storage and removes every copy from the others. "Locked" keeps the settings without the
   * key in localStorage and, for this tab only, the unlocked key in sessionStorage, so a reload does not ask for
   * the passphrase again; a new tab does. Throws when the key still has to be locked (use lockKey).
   */
  save(values: SettingsValues): void {
    if (this.needsPassphrase(values)) throw new Error('Choose a passphrase to lock the key with.');
    this.commit(values);
  }

  private commit(values: SettingsValues): void {
    const changedEndpoint = values.baseUrl !== this.baseUrl || values.apiKey !== this.apiKey;
    this.assign(values);
    const write = (kind: 'session' | 'local', record: SettingsValues | null) => {
      try {
        if (record) storage(kind)?.setItem(SETTINGS_KEY, JSON.stringify(record));
        else storage(kind)?.removeItem(SETTINGS_KEY);
      } catch {
        // Storage full or blocked: the settings still hold for this page.
      }
    };
    const p = values.persistence;
    write('session', p === 'local' ? null : values);
    write('local', p === 'session' ? null : p === 'locked' ? { ...values, apiKey: '' } : values);
    if (p !== 'locked') storage('local')?.removeItem(VAULT_KEY);
    this.locked = p === 'locked' && values.apiKey === '' && this.hasVault();
    if (values.safetyIdentifier) void this.ensureSafetyId();
    if (changedEndpoint) this.setServerModels(null);
  }

  /** Encrypts the key with `passphrase` (PBKDF2 + AES-GCM, about a second), stores it, then saves. */
  async lockKey(values: SettingsValues, passphrase: string): Promise<void> {
    const { sealSecret } = await vault();
    const record = await sealSecret(values.apiKey, passphrase);
    // Throws on a full or blocked storage: the caller says the key could not be locked.
    storage('local')?.setItem(VAULT_KEY, JSON.stringify(record));
    this.commit({ ...values, persistence: 'locked' });
  }

  /** Decrypts the stored key into memory (and this tab's sessionStorage). Throws WrongPassphraseError. */
  async unlock(passphrase: string): Promise<void> {
    const { openSecret, VaultFormatError } = await vault();
    const record = readJson<unknown>(storage('local'), VAULT_KEY);
    if (record === null) {
      this.locked = false;
      throw new VaultFormatError('No locked key is stored on this device any more.');
    }
    const apiKey = await openSecret(record, passphrase);
    this.commit({ ...this.values(), apiKey, persistence: 'locked' });
  }

  /** Wipes the key from memory, both storages and the encrypted record; keeps the base URL and headers. */
  forgetKey(): void {
    storage('local')?.removeItem(VAULT_KEY);
    this.save({ ...this.values(), apiKey: '' });
  }

  /** This browser's safety identifier, made (and stored in localStorage) on first use. */
  async ensureSafetyId(): Promise<string> {
    if (this.safetyId) return this.safetyId;
    const id = await createSafetyIdentifier();
    if (this.safetyId) return this.safetyId;
    try {
      storage('local')?.setItem(SAFETY_ID_KEY, id);
    } catch {
      // Not stored: a new id next time, which only makes the requests look like another browser's.
    }
    this.safetyId = id;
    return id;
  }

  setServerModels(models: ModelInfo[] | null): void {
    this.serverModels = models;
    this.modelsFetchedAt = models ? Date.now() : null;
    const store = storage('local');
    if (!models) store?.removeItem(MODELS_KEY);
    else {
      // Only ids and dates: the key is never part of this record.
      const record: StoredModels = {
        baseUrl: this.baseUrl,
        fetchedAt: this.modelsFetchedAt!,
        models: models.map((m) => ({ id: m.id, shutdown_date: m.shutdown_date ?? null })),
      };
      try {
        store?.setItem(MODELS_KEY, JSON.stringify(record));
      } catch {
        // Not worth a message: the list is fetched again next time.
      }
    }
  }

  private assign(v: SettingsValues): void {
    this.apiKey = typeof v.apiKey === 'string' ? v.apiKey : '';
    this.baseUrl = typeof v.baseUrl === 'string' && v.baseUrl ? v.baseUrl : DEFAULT_BASE_URL;
    this.organization = typeof v.organization === 'string' ? v.organization : '';
    this.project = typeof v.project === 'string' ? v.project : '';
    this.persistence = v.persistence === 'local' || v.persistence === 'locked' ? v.persistence : 'session';
    this.safetyIdentifier = v.safetyIdentifier === true;
    const stall = Number(v.stallSeconds);
    this.stallSeconds = Number.isFinite(stall) && stall >= 1 ? Math.min(stall, 3600) : DEFAULT_STALL_SECONDS;
  }
}
