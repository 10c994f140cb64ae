import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { WEB_APP_MANIFEST } from './src/lib/pwa/manifest.ts';
import { META_CSP, SECURITY_HEADERS } from './src/lib/security/csp.ts';

/**
 * Puts the Content-Security-Policy <meta> right after the charset, before any script or stylesheet, in the built
 * index.html. Build only: the dev server injects inline scripts and an HMR websocket the policy would refuse.
 */
function contentSecurityPolicy(): Plugin {
  const charset = '<meta charset="UTF-8" />';
  return {
    name: 'atelier-csp',
    apply: 'build',
    transformIndexHtml(html) {
      if (!html.includes(charset)) throw new Error(`index.html must contain ${charset} for the CSP meta tag`);
      const meta = `<meta http-equiv="Content-Security-Policy" content="${META_CSP}" />`;
      return html.replace(charset, `${charset}\n    ${meta}`);
    },
  };
}

export default defineConfig({
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    // The service worker precaches the app shell (every built chunk, so lazily loaded parts work offline too) and
    // nothing else: there is no runtime caching, so API calls are never cached or intercepted. registerType
    // 'prompt' leaves a new version waiting until the user presses Reload; src/lib/pwa/register.ts registers it.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      manifest: WEB_APP_MANIFEST,
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: 'index.html',
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // The share target's handler (a POST the browser sends when something is shared with the installed app).
        importScripts: ['share-target.js'],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    // No modulepreload polyfill on the first load: a browser without <link rel="modulepreload"> (Firefox < 115,
    // Safari < 17) still loads every lazy chunk, only its dependencies one after another.
    modulePreload: { polyfill: false },
    // ATELIER_OUT_DIR (e.g. a /tmp path) lets a parallel browser-test run build and serve without sharing dist/.
    outDir: process.env.ATELIER_OUT_DIR || 'dist',
    emptyOutDir: true,
    // Workbox's precache step is slow on a busy machine; rolldown's timing advice about it is only noise here.
    rolldownOptions: {
      checks: { pluginTimings: false },
      // Everything the first page load needs in one chunk (one request, compressed together) instead of a
      // scatter of small shared chunks; what loads on first use keeps its own chunks.
      output: { codeSplitting: { groups: [{ name: 'app', tags: ['$initial'] }] } },
    },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  // `npm start` / `vite preview` send the headers a production host should send (see deploy/README.md).
  preview: { host: '127.0.0.1', port: 4173, strictPort: false, headers: { ...SECURITY_HEADERS } },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    expect: { requireAssertions: true },
    testTimeout: 15_000,
  },
});
