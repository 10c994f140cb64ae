/**
 * Where conversation mode keeps things in localStorage. Apart from the modules that read them, so the first page
 * load (which only checks whether conversation mode should come back) carries two strings, not their code.
 */
export const PREFS_KEY = 'atelier.conversation.v1';
export const JOBS_KEY = 'atelier.conversation.jobs.v1';
