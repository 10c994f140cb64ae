/** The library's context pair (beside context.ts, so the library feature stays in its own files). */
import { getContext, setContext } from 'svelte';
import type { LibraryState } from './library.svelte';

const key = Symbol('LibraryState');

export function getLibrary(): LibraryState {
  const value = getContext<LibraryState | undefined>(key);
  if (!value)
    throw new Error('LibraryState context is missing: wrap the component in App or a test harness.');
  return value;
}

export const setLibrary = (value: LibraryState): LibraryState => setContext(key, value);
