/** The Edit mode's context pair (kept beside context.ts so the edit feature stays in its own files). */
import { getContext, setContext } from 'svelte';
import type { EditState } from './edit.svelte';

const key = Symbol('EditState');

export function getEditor(): EditState {
  const value = getContext<EditState | undefined>(key);
  if (!value) throw new Error('EditState context is missing: wrap the component in App or a test harness.');
  return value;
}

export const setEditor = (value: EditState): EditState => setContext(key, value);
