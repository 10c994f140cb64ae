/** Conversation mode's context pair (beside context.ts so the feature stays in its own files). */
import { getContext, setContext } from 'svelte';
import type { ConversationState } from './conversation.svelte';

const key = Symbol('ConversationState');

export function getConversation(): ConversationState {
  const value = getContext<ConversationState | undefined>(key);
  if (!value)
    throw new Error('ConversationState context is missing: wrap the component in Studio or a test harness.');
  return value;
}

export const setConversation = (value: ConversationState): ConversationState => setContext(key, value);
