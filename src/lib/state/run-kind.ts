/** Which kind of run a card shows, asked without loading the code that sends it. */
import type { EditRunState } from './edit-run.svelte';
import type { RunState } from './run.svelte';

/** By its kind, not instanceof, so the result view does not load the edit code to ask. */
export const isEditRun = (run: RunState): run is EditRunState => (run as { kind?: string }).kind === 'edit';
