/**
 * The price table: the registry's dated prices, plus the user's overrides per model and per field (stored in
 * localStorage as `atelier.prices.v1`). Validation keeps the previous value on bad input. Pure.
 */
import { MODELS } from '../models/registry';
import { resolveModel } from '../models/resolve';
import type { Prices } from '../models/types';

export const PRICES_STORAGE_KEY = 'atelier.prices.v1';

export const PRICE_FIELDS = [
  'textIn',
  'textInCached',
  'imageIn',
  'imageInCached',
  'imageOut',
  'textOut',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];
/** A model needs these to be priced at all. */
export const REQUIRED_FIELDS: readonly PriceField[] = ['textIn', 'imageIn', 'imageOut'];

export const PRICE_LABELS: Record<PriceField, string> = {
  textIn: 'Text input',
  textInCached: 'Text input, cached',
  imageIn: 'Image input',
  imageInCached: 'Image input, cached',
  imageOut: 'Image output',
  textOut: 'Text output',
};

export interface PriceOverride {
  fields: Partial<Record<PriceField, number>>;
  /** YYYY-MM-DD of the last edit. */
  editedOn: string;
}

export type PriceOverrides = Record<string, PriceOverride>;

/** The prices in force for a model, with which fields the user changed. */
export interface EffectivePrices extends Prices {
  edited: PriceField[];
}

const SNAPSHOT_SUFFIX = /^-\d{4}-\d{2}-\d{2}$/;

/** The registry id prices are kept under: aliases and dated snapshots share their model's prices. */
export function canonicalModelId(id: string): string {
  const wanted = id.trim();
  const exact = MODELS.find((m) => m.id === wanted || m.aliases.includes(wanted));
  if (exact) return exact.id;
  const family = MODELS.filter(
    (m) => wanted.startsWith(m.id) && SNAPSHOT_SUFFIX.test(wanted.slice(m.id.length)),
  ).sort((a, b) => b.id.length - a.id.length)[0];
  return family?.id ?? wanted;
}

export function defaultPrices(model: string): Prices | null {
  return resolveModel(canonicalModelId(model)).prices;
}

/** Registry prices with the user's overrides on top; null when the model has no complete price. */
export function effectivePrices(model: string, overrides: PriceOverrides): EffectivePrices | null {
  const id = canonicalModelId(model);
  const base = defaultPrices(id);
  const own = overrides[id];
  const edited = own ? PRICE_FIELDS.filter((f) => own.fields[f] !== undefined) : [];
  if (!own || edited.length === 0) return base ? { ...base, edited: [] } : null;
  const merged: Partial<Prices> = { ...(base ?? {}), ...own.fields };
  if (REQUIRED_FIELDS.some((f) => typeof merged[f] !== 'number')) return null;
  return {
    ...(merged as Prices),
    source: base ? `edited in Settings; defaults from ${base.source}` : 'entered in Settings',
    asOf: own.editedOn,
    edited,
  };
}

/** Dollars per 1M tokens as typed: '' means "no override"; anything else must be a finite number ≥ 0. */
export function parsePrice(text: string): { ok: true; value: number | null } | { ok: false } {
  const t = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (t === '') return { ok: true, value: null };
  const value = Number(t);
  return Number.isFinite(value) && value >= 0 && /^[0-9.eE+-]+$/.test(t)
    ? { ok: true, value }
    : { ok: false };
}

export type PriceEdit =
  { ok: true; overrides: PriceOverrides } | { ok: false; overrides: PriceOverrides; error: string };

const money = (x: number | undefined) => (x === undefined ? 'no price' : `$${x}`);

/** Sets (or, with '', clears) one field for one model. Bad input names the field and keeps the old value. */
export function setPriceField(
  overrides: PriceOverrides,
  model: string,
  field: PriceField,
  text: string,
  today: string,
): PriceEdit {
  const id = canonicalModelId(model);
  const parsed = parsePrice(text);
  if (!parsed.ok) {
    const kept = effectivePrices(id, overrides)?.[field] ?? overrides[id]?.fields[field];
    return {
      ok: false,
      overrides,
      error: `${PRICE_LABELS[field]} for ${id} must be a number of dollars, 0 or more (you typed “${text.trim()}”); kept ${money(kept)}.`,
    };
  }
  const fields = { ...(overrides[id]?.fields ?? {}) };
  if (parsed.value === null || parsed.value === defaultPrices(id)?.[field]) delete fields[field];
  else fields[field] = parsed.value;
  const next = { ...overrides };
  if (Object.keys(fields).length) next[id] = { fields, editedOn: today };
  else delete next[id];
  return { ok: true, overrides: next };
}

/** Back to the registry's prices, for one model or for all. */
export function resetPrices(overrides: PriceOverrides, model?: string): PriceOverrides {
  if (model === undefined) return {};
  const next = { ...overrides };
  delete next[canonicalModelId(model)];
  return next;
}

export interface StoredPrices {
  overrides: PriceOverrides;
  /** Set when the stored table could not be used in full: what was dropped, for the user. */
  problem: string | null;
}

/** Reads `atelier.prices.v1`. Never throws: bad data falls back to the registry's prices and says so. */
export function parseStoredPrices(raw: string | null): StoredPrices {
  if (raw === null || raw === '') return { overrides: {}, problem: null };
  const fallback = (why: string): StoredPrices => ({
    overrides: {},
    problem: `Your saved price table could not be read (${why}); the default prices are in use.`,
  });
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fallback('not valid JSON');
  }
  const models = (value as { models?: unknown } | null)?.models;
  if (!value || typeof value !== 'object' || !models || typeof models !== 'object' || Array.isArray(models))
    return fallback('unexpected shape');
  const overrides: PriceOverrides = {};
  const dropped: string[] = [];
  for (const [id, entry] of Object.entries(models as Record<string, unknown>)) {
    const rawFields = (entry as { fields?: unknown } | null)?.fields;
    if (!rawFields || typeof rawFields !== 'object') {
      dropped.push(id);
      continue;
    }
    const fields: Partial<Record<PriceField, number>> = {};
    for (const [k, v] of Object.entries(rawFields as Record<string, unknown>)) {
      if (
        (PRICE_FIELDS as readonly string[]).includes(k) &&
        typeof v === 'number' &&
        Number.isFinite(v) &&
        v >= 0
      )
        fields[k as PriceField] = v;
      else dropped.push(`${id} ${k}`);
    }
    const editedOn = (entry as { editedOn?: unknown }).editedOn;
    if (Object.keys(fields).length)
      overrides[id] = {
        fields,
        editedOn: typeof editedOn === 'string' ? editedOn.slice(0, 10) : 'unknown date',
      };
  }
  return {
    overrides,
    problem: dropped.length
      ? `Some saved prices were not valid and were dropped (${dropped.join(', ')}); defaults apply there.`
      : null,
  };
}

export function serializePrices(overrides: PriceOverrides): string {
  return JSON.stringify({ version: 1, models: overrides });
}
