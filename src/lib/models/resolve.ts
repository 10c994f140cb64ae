/** Finding a model's profile by id, and merging what `GET /v1/models` says about lifecycle. Pure. */
import { MODELS, genericProfile } from './registry';
import type { Lifecycle, ModelProfile } from './types';

const SNAPSHOT_SUFFIX = /^-\d{4}-\d{2}-\d{2}$/;

/**
 * The profile for any model id: an exact registry id or alias; a dated snapshot of a known model
 * (`gpt-image-2.6-flare-2026-12-01` → the 2.6 Flare profile); otherwise the permissive generic profile.
 */
export function resolveModel(id: string): ModelProfile {
  const wanted = id.trim();
  const exact = MODELS.find((m) => m.id === wanted || m.aliases.includes(wanted));
  if (exact)
    return exact.id === wanted ? exact : { ...exact, id: wanted, label: `${exact.label} (${wanted})` };
  const family = MODELS.filter(
    (m) => wanted.startsWith(m.id) && SNAPSHOT_SUFFIX.test(wanted.slice(m.id.length)),
  ).sort((a, b) => b.id.length - a.id.length)[0];
  if (family) return { ...family, id: wanted, label: `${family.label} (${wanted})`, origin: 'family' };
  return genericProfile(wanted);
}

export interface ServerModel {
  id: string;
  shutdown_date?: string | null;
}

/** ISO date (YYYY-MM-DD) of a Date in UTC. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Today's ISO date in UTC. */
export function todayIso(): string {
  return isoDay(new Date());
}

/**
 * The lifecycle to show for a model: the server's `shutdown_date` wins over the registry when present,
 * and a deprecation whose date has passed counts as shut down.
 */
export function effectiveLifecycle(
  profile: ModelProfile,
  server: ServerModel | undefined,
  today: string,
): Lifecycle {
  let life = profile.lifecycle;
  const date = server?.shutdown_date;
  if (date && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
    life = date <= today ? { state: 'shutdown', since: date } : { state: 'deprecated', shutdown: date };
  }
  if (life.state === 'deprecated' && life.shutdown <= today)
    return { state: 'shutdown', since: life.shutdown };
  return life;
}

export interface LifecycleWarning {
  level: 'warning' | 'error';
  message: string;
}

/** What to tell the user before sending to this model, or null when nothing needs saying. */
export function lifecycleWarning(profile: ModelProfile, life: Lifecycle): LifecycleWarning | null {
  const instead = profile.replacement ? ` Use ${profile.replacement} instead.` : '';
  if (life.state === 'shutdown')
    return {
      level: 'error',
      message: `${profile.id} was shut down on ${life.since}; requests to it will fail.${instead}`,
    };
  if (life.state === 'deprecated')
    return {
      level: 'warning',
      message: `${profile.id} is deprecated and shuts down on ${life.shutdown}.${instead}`,
    };
  return null;
}

export interface ModelChoice {
  id: string;
  label: string;
  lifecycle: Lifecycle;
  /** true when GET /v1/models listed it for this key; null when no list is known. */
  visible: boolean | null;
  known: boolean;
}

/** The entries for the model picker: the registry, plus image models the server lists that the registry lacks. */
export function modelChoices(server: ServerModel[] | null, today: string): ModelChoice[] {
  const byId = new Map((server ?? []).map((m) => [m.id, m]));
  const isVisible = (p: ModelProfile) =>
    server ? byId.has(p.id) || p.aliases.some((a) => byId.has(a)) : null;
  const choices: ModelChoice[] = MODELS.map((p) => ({
    id: p.id,
    label: p.label,
    lifecycle: effectiveLifecycle(p, byId.get(p.id), today),
    visible: isVisible(p),
    known: true,
  }));
  for (const m of server ?? []) {
    if (!isImageModelId(m.id)) continue;
    if (MODELS.some((p) => p.id === m.id || p.aliases.includes(m.id))) continue;
    const p = resolveModel(m.id);
    choices.push({
      id: m.id,
      label: p.origin === 'generic' ? m.id : p.label,
      lifecycle: effectiveLifecycle(p, m, today),
      visible: true,
      known: p.origin !== 'generic',
    });
  }
  return choices;
}

export function isImageModelId(id: string): boolean {
  return /^(gpt-image|chatgpt-image|dall-e)/.test(id);
}

/** The newest active model the key can see (any active one when no list is known). */
export function defaultModel(server: ServerModel[] | null, today: string): string {
  const choices = modelChoices(server, today);
  const usable = choices.filter((c) => c.lifecycle.state === 'active' && c.known);
  const seen = usable.find((c) => c.visible !== false);
  return (seen ?? usable[0] ?? choices[0])!.id;
}

/**
 * The model the studio should use. A model the user chose (picker, typed id, "Use these settings") stays, even
 * when the key's list lacks it: the lifecycle and "not listed for your key" warnings cover that. Until they
 * choose, the model follows the default of the key's list, whenever that list arrives or changes.
 */
export function modelInUse(
  current: string,
  chosen: boolean,
  server: ServerModel[] | null,
  today: string,
): string {
  return chosen && current.trim() ? current : defaultModel(server, today);
}

/**
 * The entry of the key's model list for `id`: the same id, or else another name the registry gives the same
 * model (`gpt-image-2.5-flare` ↔ its listed snapshot `gpt-image-2.5-flare-2026-09-08`). A snapshot the registry
 * does not list as an alias (one only guessed from its date suffix) does not count for its family.
 */
export function listedEntry(id: string, server: readonly ServerModel[]): ServerModel | undefined {
  const wanted = id.trim();
  const exact = server.find((m) => m.id === wanted);
  if (exact) return exact;
  const entry = MODELS.find((m) => m.id === wanted || m.aliases.includes(wanted));
  if (!entry) return undefined;
  const names = [entry.id, ...entry.aliases];
  return server.find((m) => names.includes(m.id));
}
