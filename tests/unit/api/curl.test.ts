import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  buildCurl,
  buildMultipartCurl,
  INLINE_BASE64_LIMIT,
  omitLargeBase64,
  safeFilename,
  shellQuote,
} from '../../../src/lib/api/curl';

const KEY = 'sk-proj-curl-test-abcdefghijklmnop0123';
const body = { model: 'gpt-image-2', prompt: 'a cat', size: '1024x1024', stream: true, partial_images: 2 };

/** What sh makes of a quoted word: the exact string it passes to a command. */
const throughShell = (quoted: string): string => execFileSync('sh', ['-c', `printf %s ${quoted}`]).toString();

describe('shellQuote', () => {
  it.each([
    ['plain'],
    ["it's"],
    ["''"],
    ['$HOME `id` $(id) \\n "double" !bang'],
    ['line one\nline two\n'],
    ['{"prompt": "O\'Brien\'s \\"pub\\""}'],
    ['ünïcödé ✓ 🖼'],
  ])('sh gets back exactly %j', (s) => {
    expect(throughShell(shellQuote(s))).toBe(s);
  });

  it("writes a single quote as '\\''", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('buildCurl', () => {
  it('builds a multi-line command with method, URL, headers and the body as sent', () => {
    const c = buildCurl({
      baseUrl: 'https://api.openai.com/v1/',
      path: '/images/generations',
      body,
      accept: 'text/event-stream',
      organization: 'org-123',
      project: 'proj_456',
      secrets: [KEY],
    });
    expect(c.text).toBe(
      [
        `curl -X POST 'https://api.openai.com/v1/images/generations' \\`,
        `  -H "Authorization: Bearer $OPENAI_API_KEY" \\`,
        `  -H 'OpenAI-Organization: org-123' \\`,
        `  -H 'OpenAI-Project: proj_456' \\`,
        `  -H 'Content-Type: application/json' \\`,
        `  -H 'Accept: text/event-stream' \\`,
        `  --no-buffer \\`,
        `  --data-raw '${JSON.stringify(body, null, 2)}'`,
      ].join('\n'),
    );
    expect(c.omitted).toBe(0);
    expect(c.redacted).toBe(false);
    expect(c.notes[0]).toMatch(/OPENAI_API_KEY/);
  });

  it('leaves out organization and project when they are empty, and asks for JSON by default', () => {
    const c = buildCurl({ baseUrl: 'http://127.0.0.1:8787/v1', path: '/images/generations', body });
    expect(c.text).not.toMatch(/OpenAI-(Organization|Project)/);
    expect(c.text).toContain(`-H 'Accept: application/json'`);
    expect(c.text).not.toContain('--no-buffer');
  });

  it('sends the body through the shell unchanged, quotes and all', () => {
    const tricky = { ...body, prompt: `O'Brien's "pub" at $5 — it's \`late\`` };
    const c = buildCurl({ baseUrl: 'https://x.test/v1', path: '/images/generations', body: tricky });
    const quoted = c.text.slice(c.text.indexOf('--data-raw ') + '--data-raw '.length);
    expect(JSON.parse(throughShell(quoted))).toEqual(tricky);
  });

  it('never contains the key: not from the connection, not pasted in the body or a header', () => {
    const c = buildCurl({
      baseUrl: 'https://api.openai.com/v1',
      path: '/images/generations',
      body: { ...body, prompt: `my key is ${KEY}`, note: 'custom-secret-without-prefix' },
      project: KEY,
      secrets: [KEY, 'custom-secret-without-prefix'],
    });
    expect(c.text).not.toContain(KEY);
    expect(c.text).not.toContain('custom-secret-without-prefix');
    expect(c.text).toContain('Bearer $OPENAI_API_KEY');
    expect(c.redacted).toBe(true);
    expect(c.notes.join(' ')).toMatch(/looked like an API key/);
  });

  it('replaces base64 payloads over 1 KB with a placeholder and says so', () => {
    const big = 'iVBORw0KGgo' + 'A'.repeat(3000);
    const c = buildCurl({
      baseUrl: 'https://api.openai.com/v1',
      path: '/images/edits',
      body: {
        prompt: 'x',
        images: [{ image_url: `data:image/png;base64,${big}` }, { image_url: 'https://example.test/a.png' }],
        mask: big,
        small: 'QUJD',
      },
    });
    expect(c.text).not.toContain(big);
    expect(c.text).toContain('data:image/png;base64,<base64 omitted: 2 KB>');
    expect(c.text).toContain('"mask": "<base64 omitted: 2 KB>"');
    expect(c.text).toContain('"small": "QUJD"');
    expect(c.text).toContain('https://example.test/a.png');
    expect(c.omitted).toBe(2);
    expect(c.notes.join(' ')).toMatch(/2 base64 payloads were longer than 1 KB/);
  });

  it('keeps long text that is not base64, and base64 at the limit', () => {
    const prose = 'A long prompt, with spaces. '.repeat(100);
    const atLimit = 'A'.repeat(INLINE_BASE64_LIMIT);
    expect(omitLargeBase64({ prose, atLimit })).toEqual({ prose, atLimit });
  });

  it('uses the given method, and none of the body headers without a body', () => {
    const c = buildCurl({ baseUrl: 'https://api.openai.com/v1', path: '/models', method: 'GET' });
    expect(c.text.split('\n')[0]).toBe(`curl -X GET 'https://api.openai.com/v1/models' \\`);
    expect(c.text).not.toContain('Content-Type');
    expect(c.text).not.toContain('--data-raw');
  });
});

describe('buildMultipartCurl', () => {
  const req = {
    baseUrl: 'https://api.openai.com/v1',
    path: '/images/edits',
    fields: [
      ['model', 'gpt-image-2'],
      ['prompt', "@not-a-file and it's quoted"],
      ['size', '1024x1024'],
    ] as [string, string][],
    files: [
      { field: 'image[]', filename: 'my photo.png', type: 'image/png' },
      { field: 'image[]', filename: 'my photo.png', type: 'image/png' },
      { field: 'mask', filename: 'mask.png', type: 'image/png' },
    ],
    secrets: ['sk-live-secret-123456789'],
  };

  it('sends text with --form-string and files with -F name;type, each file under its own name', () => {
    const c = buildMultipartCurl(req);
    expect(c.text).toContain(`--form-string 'prompt=@not-a-file and it'\\''s quoted'`);
    expect(c.text).toContain(`-F 'image[]=@my-photo.png;type=image/png'`);
    expect(c.text).toContain(`-F 'image[]=@my-photo-2.png;type=image/png'`);
    expect(c.text).toContain(`-F 'mask=@mask.png;type=image/png'`);
    expect(c.text).not.toContain('Content-Type: application/json');
    expect(c.text.split(' \\\n  ')[0]).toBe(`curl -X POST 'https://api.openai.com/v1/images/edits'`);
    expect(c.notes.join(' ')).toContain('my-photo.png, my-photo-2.png, mask.png');
  });

  it('never carries the key, even typed into the prompt', () => {
    const c = buildMultipartCurl({ ...req, fields: [['prompt', 'use sk-live-secret-123456789 please']] });
    expect(c.text).not.toContain('sk-live-secret-123456789');
    expect(c.text).toContain('$OPENAI_API_KEY');
    expect(c.redacted).toBe(true);
  });

  it('makes file names safe for the shell and for curl -F', () => {
    expect(safeFilename('a;type=text/html,b.png')).toBe('a-type-text-html-b.png');
    expect(safeFilename('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFilename('"quoted".png')).toBe('quoted-.png');
    expect(safeFilename('…')).toBe('image');
  });
});
