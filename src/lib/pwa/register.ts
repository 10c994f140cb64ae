/**
 * Registers the Workbox service worker that vite-plugin-pwa generates (dist/sw.js) and reports its news.
 * A new version installs in the background and then waits; it takes over only when the user asks (its sw.js
 * skips waiting on a {type: 'SKIP_WAITING'} message), and the page reloads once it controls the page.
 * Hand-written rather than workbox-window because it is a few lines and sits on the first page load.
 */
import type { Register } from '../state/pwa.svelte';

export const registerServiceWorker: Register = ({ onNeedRefresh, onOfflineReady, onRegisterError }) => {
  const sw = navigator.serviceWorker;
  let registration: ServiceWorkerRegistration | null = null;

  /** A worker that finished installing is either the first (offline ready) or an update (waiting). */
  const track = (worker: ServiceWorker | null) => {
    worker?.addEventListener('statechange', () => {
      if (worker.state !== 'installed') return;
      if (sw.controller) onNeedRefresh();
      else onOfflineReady();
    });
  };

  const registering = sw
    .register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL })
    .then((reg: ServiceWorkerRegistration | undefined) => {
      // Undefined where registration is blocked (Playwright's serviceWorkers: 'block'): nothing to follow.
      if (!reg) return;
      registration = reg;
      if (reg.waiting && sw.controller) onNeedRefresh();
      track(reg.installing);
      reg.addEventListener('updatefound', () => track(reg.installing));
    }, onRegisterError);

  return async (reloadPage = true) => {
    await registering;
    const waiting = registration?.waiting;
    if (!waiting) return;
    if (reloadPage) sw.addEventListener('controllerchange', () => window.location.reload(), { once: true });
    waiting.postMessage({ type: 'SKIP_WAITING' });
  };
};
