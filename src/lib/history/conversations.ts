/**
 * The conversation tree, kept in IndexedDB (`atelier-conversations-v1`): one record per turn, images as Blobs,
 * so a reload keeps every turn, branch and image.
 */
import { clear, createStore, del, set, values, type UseStore } from 'idb-keyval';
import type { TurnRecord } from '../conversation/tree';

export const CONVERSATIONS_DB = 'atelier-conversations-v1';
export const TURNS_STORE = 'turns';

export interface ConversationStore {
  load(): Promise<TurnRecord[]>;
  save(turn: TurnRecord): Promise<void>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
}

const isTurn = (v: unknown): v is TurnRecord => {
  const t = v as Partial<TurnRecord> | null;
  return !!t && typeof t.id === 'string' && typeof t.createdAt === 'number' && Array.isArray(t.images);
};

export function idbConversationStore(): ConversationStore {
  let store: UseStore | null = null;
  const db = () => (store ??= createStore(CONVERSATIONS_DB, TURNS_STORE));
  return {
    load: async () => (await values(db())).filter(isTurn).sort((a, b) => a.createdAt - b.createdAt),
    save: (turn) => set(turn.id, turn, db()),
    remove: (id) => del(id, db()),
    clear: () => clear(db()),
  };
}

/** An in-memory store (tests, and browsers without IndexedDB). */
export function memoryConversationStore(): ConversationStore {
  const map = new Map<string, TurnRecord>();
  return {
    load: () => Promise.resolve([...map.values()].sort((a, b) => a.createdAt - b.createdAt)),
    save: (turn) => Promise.resolve(void map.set(turn.id, turn)),
    remove: (id) => Promise.resolve(void map.delete(id)),
    clear: () => Promise.resolve(map.clear()),
  };
}
