/** Whether the browser is online, following the window's `online` / `offline` events. */
import { browserOnline } from '../api/offline';

export class NetworkState {
  online = $state(browserOnline());

  /** Starts following `target`'s events (the window by default); returns the function that stops. */
  watch(target: EventTarget = globalThis): () => void {
    const update = () => (this.online = browserOnline());
    target.addEventListener('online', update);
    target.addEventListener('offline', update);
    update();
    return () => {
      target.removeEventListener('online', update);
      target.removeEventListener('offline', update);
    };
  }
}
