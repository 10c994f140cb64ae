/** Conversation mode's options as kept in localStorage (not the draft text, which goes with the turn). */
import { PREFS_KEY } from './keys';
import type { ImageDetail, ToolOptions } from './request';
import type { ReferenceMode } from './tree';

export { PREFS_KEY };

export interface ConversationPrefs {
  mainline: string;
  tool: ToolOptions;
  referenceMode: ReferenceMode;
  store: boolean;
  background: boolean;
  useFiles: boolean;
  detail: ImageDetail;
  /** The Conversation tab was open: a reload shows it again. */
  open: boolean;
}

const DETAILS: readonly ImageDetail[] = ['auto', 'low', 'high', 'original'];

/** The saved options that are readable and well-typed; anything else is left out (its default stays). */
export function readPrefs(storage: Pick<Storage, 'getItem'> | null): Partial<ConversationPrefs> {
  let p: Partial<ConversationPrefs> | null;
  try {
    p = JSON.parse(storage?.getItem(PREFS_KEY) ?? 'null') as Partial<ConversationPrefs> | null;
  } catch {
    return {};
  }
  if (!p || typeof p !== 'object') return {};
  const out: Partial<ConversationPrefs> = {};
  if (typeof p.mainline === 'string') out.mainline = p.mainline;
  if (p.tool && typeof p.tool === 'object' && typeof p.tool.model === 'string') out.tool = p.tool;
  if (p.referenceMode === 'item' || p.referenceMode === 'previous') out.referenceMode = p.referenceMode;
  for (const k of ['store', 'background', 'useFiles', 'open'] as const)
    if (typeof p[k] === 'boolean') out[k] = p[k];
  if (p.detail && DETAILS.includes(p.detail)) out.detail = p.detail;
  return out;
}

/** Saves the options; a full or blocked storage keeps them for this page only. */
export function writePrefs(storage: Pick<Storage, 'setItem'> | null, prefs: ConversationPrefs): void {
  try {
    storage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage full or blocked: options last for this page only.
  }
}
