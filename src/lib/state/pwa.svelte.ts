/**
 * The service worker's news for the UI: "ready to work offline" once the shell is cached, and "update available"
 * when a new version is waiting. Registration is loaded after the first paint (it pulls in workbox-window), and a
 * waiting version takes over only when the user presses Reload, never under their hands.
 */
export type Register = (opts: {
  onNeedRefresh(): void;
  onOfflineReady(): void;
  onRegisterError(error: unknown): void;
}) => (reloadPage?: boolean) => Promise<void>;

export class PwaState {
  needRefresh = $state(false);
  offlineReady = $state(false);
  /** Set when registration failed: the app works, but not offline. */
  error = $state<string | null>(null);
  #update: ((reloadPage?: boolean) => Promise<void>) | null = null;

  /** Registers the service worker through `register` (virtual:pwa-register's registerSW in the app). */
  start(register: Register): void {
    this.#update = register({
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisterError: (e) =>
        (this.error = `Offline support is not available: ${e instanceof Error ? e.message : String(e)}`),
    });
  }

  /** Activates the waiting version and reloads the page. */
  async reload(): Promise<void> {
    await this.#update?.(true);
  }

  dismiss(): void {
    this.needRefresh = false;
    this.offlineReady = false;
  }
}
