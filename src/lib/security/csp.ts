/**
 * The Content-Security-Policy, as data. The build puts it in a <meta> tag (vite.config.ts); the header files for
 * static hosts (public/_headers, public/staticwebapp.config.json, deploy/*) carry the same policy plus what a
 * meta tag cannot set. tests/unit/security/csp.test.ts keeps them in step.
 */

/**
 * The user picks the API's origin at runtime and a meta policy cannot change after load, so connect-src allows
 * any https origin; plain http only for loopback, matching normalizeBaseUrl. `http://[::1]:*` is not valid CSP
 * syntax (CSP hosts have no IPv6 literals), so ::1 is reached through `localhost`.
 */
export const CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  // No 'unsafe-inline': Vite extracts every component's CSS to a file, and Svelte sets dynamic styles through
  // the CSSOM (el.style), which CSP allows. A static style="…" attribute in markup would be blocked: use a class.
  ['style-src', "'self'"],
  ['img-src', "'self' blob: data:"],
  ['connect-src', "'self' https: http://localhost:* http://127.0.0.1:*"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['worker-src', "'self' blob:"],
  ['manifest-src', "'self'"],
];

/** For the <meta http-equiv="Content-Security-Policy"> tag. */
export const META_CSP = CSP_DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ');

/** For a real response header: adds what browsers ignore in a meta tag. */
export const HEADER_CSP = `${META_CSP}; frame-ancestors 'none'`;

/** Every header a static host should send with the app. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': HEADER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};
