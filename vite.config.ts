import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
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
  plugins: [svelte(), contentSecurityPolicy()],
  build: {
    target: 'es2022',
    sourcemap: true,
    // ATELIER_OUT_DIR (e.g. a /tmp path) lets a parallel browser-test run build and serve without sharing dist/.
    outDir: process.env.ATELIER_OUT_DIR || 'dist',
    emptyOutDir: true,
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
