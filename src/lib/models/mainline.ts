/**
 * Conversation mode's two model choices: the mainline (text) model at the top level of a Responses request,
 * and the image model inside the `image_generation` tool. Data and pure rules; facts from the models-2026-11
 * reference §1 and §3 (checked 2026-11-24).
 */
import { MODELS } from './registry';
import { effectiveLifecycle, isImageModelId, resolveModel, type ServerModel } from './resolve';
import type { Lifecycle, ModelProfile } from './types';

export interface MainlineModel {
  id: string;
  label: string;
  lifecycle: Lifecycle;
  replacement?: string;
}

/** Text models that can call the image tool, newest first: the first active one is the default. */
export const MAINLINE_MODELS: readonly MainlineModel[] = [
  { id: 'gpt-6.1-sol', label: 'GPT-6.1 Sol', lifecycle: { state: 'active' } },
  { id: 'gpt-6.1-terra', label: 'GPT-6.1 Terra', lifecycle: { state: 'active' } },
  { id: 'gpt-6-astra', label: 'GPT-6 Astra', lifecycle: { state: 'active' } },
  { id: 'gpt-6-luna', label: 'GPT-6 Luna', lifecycle: { state: 'active' } },
  {
    id: 'gpt-5',
    label: 'GPT-5',
    lifecycle: { state: 'deprecated', shutdown: '2026-12-11' },
    replacement: 'gpt-6.1-sol',
  },
];

export const DEFAULT_MAINLINE = MAINLINE_MODELS[0]!.id;

/** Ids of /v1/models entries that are not text models a conversation can use. */
const NOT_TEXT = /(embedding|tts|whisper|transcribe|moderation|realtime|audio|search|davinci|babbage)/i;

export function isTextModelId(id: string): boolean {
  return !isImageModelId(id) && !NOT_TEXT.test(id) && /^(gpt-|o\d|chatgpt-)/i.test(id);
}

/** Suggestions for the mainline model: the registry's, plus text models the key can see. */
export function mainlineChoices(server: ServerModel[] | null, today: string): MainlineModel[] {
  const out: MainlineModel[] = MAINLINE_MODELS.map((m) => {
    const listed = server?.find((s) => s.id === m.id);
    const date = listed?.shutdown_date;
    let lifecycle = m.lifecycle;
    if (date)
      lifecycle =
        date <= today ? { state: 'shutdown', since: date } : { state: 'deprecated', shutdown: date };
    if (lifecycle.state === 'deprecated' && lifecycle.shutdown <= today)
      lifecycle = { state: 'shutdown', since: lifecycle.shutdown };
    return { ...m, lifecycle };
  });
  for (const s of server ?? [])
    if (isTextModelId(s.id) && !out.some((m) => m.id === s.id))
      out.push({ id: s.id, label: s.id, lifecycle: { state: 'active' } });
  return out;
}

/** Whether the registry says this image model works inside the Responses `image_generation` tool. */
export function usableInTool(p: ModelProfile): boolean {
  return p.endpoints.includes('responses-tool');
}

/** Image models offered for the tool: registry entries usable in it and not shut down, newest first. */
export function toolModelChoices(server: ServerModel[] | null, today: string): ModelProfile[] {
  return MODELS.filter((p) => {
    if (!usableInTool(p)) return false;
    return (
      effectiveLifecycle(
        p,
        server?.find((s) => s.id === p.id),
        today,
      ).state !== 'shutdown'
    );
  });
}

/** The default tool model: the first active one the registry allows in the tool (gpt-image-2.5-flare). */
export function defaultToolModel(server: ServerModel[] | null, today: string): string {
  const choices = toolModelChoices(server, today);
  const active = choices.find((p) => effectiveLifecycle(p, undefined, today).state === 'active');
  return (active ?? choices[0] ?? resolveModel('gpt-image-2'))!.id;
}
