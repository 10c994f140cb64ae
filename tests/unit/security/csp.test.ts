import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSP_DIRECTIVES, HEADER_CSP, META_CSP, SECURITY_HEADERS } from '../../../src/lib/security/csp';

const root = join(__dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const directive = (name: string) => CSP_DIRECTIVES.find(([n]) => n === name)?.[1];

describe('the Content-Security-Policy', () => {
  it('has the directives the app needs and nothing that would let foreign code run', () => {
    expect(directive('default-src')).toBe("'self'");
    expect(directive('script-src')).toBe("'self'");
    expect(directive('style-src')).toBe("'self'");
    expect(directive('img-src')).toBe("'self' blob: data:");
    expect(directive('object-src')).toBe("'none'");
    expect(directive('base-uri')).toBe("'none'");
    expect(directive('form-action')).toBe("'none'");
    expect(directive('worker-src')).toBe("'self' blob:");
    expect(directive('manifest-src')).toBe("'self'");
    expect(META_CSP).not.toMatch(/unsafe-(eval|inline|hashes)|wasm-unsafe/);
  });

  it('allows plain http only to loopback', () => {
    const sources = directive('connect-src')!.split(' ');
    expect(sources).toEqual(["'self'", 'https:', 'http://localhost:*', 'http://127.0.0.1:*']);
    for (const s of sources.filter((s) => s.startsWith('http://')))
      expect(new URL(s.replace(':*', '')).hostname).toMatch(/^(localhost|127\.0\.0\.1)$/);
  });

  it('keeps frame-ancestors out of the meta policy (browsers ignore it there) and in the header', () => {
    expect(META_CSP).not.toContain('frame-ancestors');
    expect(HEADER_CSP).toBe(`${META_CSP}; frame-ancestors 'none'`);
  });

  it('leaves the source index.html without a policy: the build adds it, so `npm run dev` keeps working', () => {
    expect(read('index.html')).not.toContain('Content-Security-Policy');
  });
});

describe('the header files for static hosts match src/lib/security/csp.ts', () => {
  const expected = Object.entries(SECURITY_HEADERS).sort();

  it('public/_headers (Netlify, Cloudflare Pages)', () => {
    const lines = read('public/_headers').split('\n');
    expect(lines).toContain('/*');
    const headers = lines
      .filter((l) => /^\s+\S+: /.test(l))
      .map((l) => {
        const [k, ...v] = l.trim().split(': ');
        return [k!, v.join(': ')];
      });
    expect(headers.sort()).toEqual(expected);
  });

  it('public/staticwebapp.config.json (Azure Static Web Apps)', () => {
    const config = JSON.parse(read('public/staticwebapp.config.json')) as {
      globalHeaders: Record<string, string>;
    };
    expect(Object.entries(config.globalHeaders).sort()).toEqual(expected);
  });

  it('deploy/vercel.json', () => {
    const config = JSON.parse(read('deploy/vercel.json')) as {
      outputDirectory: string;
      headers: { source: string; headers: { key: string; value: string }[] }[];
    };
    expect(config.outputDirectory).toBe('dist');
    expect(config.headers).toHaveLength(1);
    expect(config.headers[0]!.source).toBe('/(.*)');
    expect(config.headers[0]!.headers.map((h) => [h.key, h.value]).sort()).toEqual(expected);
  });

  it('deploy/nginx.conf', () => {
    const found = [...read('deploy/nginx.conf').matchAll(/^\s*add_header (\S+) "([^"]*)" always;$/gm)].map(
      (m) => [m[1], m[2]],
    );
    expect(found.sort()).toEqual(expected);
  });
});

describe('nothing loads from another site', () => {
  function files(dir: string): string[] {
    return readdirSync(join(root, dir)).flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(root, path)).isDirectory() ? files(path) : [path];
    });
  }

  it('no script, stylesheet, font, image or import in index.html or src/ points at an http(s) URL', () => {
    const sources = ['index.html', ...files('src').filter((f) => /\.(ts|svelte|css|html)$/.test(f))];
    const loads =
      /<(script|link|img|iframe|source|video|audio)\b[^>]*\b(src|href)=["']?(https?:)?\/\/|@import\s+(url\()?["']?(https?:)?\/\/|url\(\s*["']?(https?:)?\/\/|import\(\s*["'`](https?:)?\/\//i;
    const hits = sources.filter((f) => loads.test(read(f)));
    expect(hits).toEqual([]);
  });
});
