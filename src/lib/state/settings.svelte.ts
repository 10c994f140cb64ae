/**
 * Connection settings. The key lives in sessionStorage ("this tab only", the default) or localStorage
 * ("remember on this device"), never both; nothing else ever receives it.
 */
import { DEFAULT_BASE_URL, type Connection, type ModelInfo } from '../api/client';

export type KeyPersistence = 'session' | 'local';

export interface SettingsValues {
  apiKey: string;
  baseUrl: string;
  organization: string;
  project: string;
  persistence: KeyPersistence;
  /** Give up on a stream that sends nothing for this long (high-quality images can take minutes). */
  stallSeconds: number;
}

export const DEFAULT_STALL_SECONDS = 90;

const SETTINGS_KEY = 'atelier.settings.v1';
/** `npm run demo` builds the app pointed at the local mock server, with a key only that server accepts. */
const DEMO_URL = import.meta.env.VITE_ATELIER_DEMO_URL;
const DEMO_KEY = 'sk-demo-atelier-mock-server';
const MODELS_KEY = 'atelier.models.v1';

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
    };
  }

  /** Saves to the chosen storage and removes every copy from the other one. */
  save(values: SettingsValues): void {
    const changedEndpoint = values.baseUrl !== this.baseUrl || values.apiKey !== this.apiKey;
    this.assign(values);
    const other: KeyPersistence = values.persistence === 'local' ? 'session' : 'local';
    storage(other)?.removeItem(SETTINGS_KEY);
    try {
      storage(values.persistence)?.setItem(SETTINGS_KEY, JSON.stringify(values));
    } catch {
      // Storage full or blocked: the settings still hold for this page.
    }
    if (changedEndpoint) this.setServerModels(null);
  }

  /** Wipes the key from memory and both storages; keeps the base URL and headers. */
  forgetKey(): void {
    this.save({ ...this.values(), apiKey: '' });
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
    this.persistence = v.persistence === 'local' ? 'local' : 'session';
    const stall = Number(v.stallSeconds);
    this.stallSeconds = Number.isFinite(stall) && stall >= 1 ? Math.min(stall, 3600) : DEFAULT_STALL_SECONDS;
  }
}
