/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Set by `npm run demo`: the local mock server's base URL. */
  readonly VITE_ATELIER_DEMO_URL?: string;
}
