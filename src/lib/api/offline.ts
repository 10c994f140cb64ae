/** What to say when a request fails while the browser reports it is offline. Pure. */
import { NetworkError, StreamError } from './errors';
import type { UserMessage } from './describe';

export const OFFLINE_TITLE = 'You are offline';

/** navigator.onLine, or true where there is no navigator (Node). */
export function browserOnline(): boolean {
  return globalThis.navigator?.onLine ?? true;
}

/**
 * The message for a connection failure (no response, a cut or stalled stream) that happened while offline;
 * null for anything else, which describeError handles as usual.
 */
export function offlineMessage(err: unknown): UserMessage | null {
  const cutStream = err instanceof StreamError && (err.kind === 'cut' || err.kind === 'stalled');
  if (!(err instanceof NetworkError) && !cutStream) return null;
  return {
    title: OFFLINE_TITLE,
    detail: cutStream
      ? 'The connection dropped while the image was on its way; the last partial image is kept.'
      : 'The request could not be sent because this device has no network connection.',
    next: 'Reconnect, then press Retry: it sends the same request again.',
    severity: 'warning',
  };
}
