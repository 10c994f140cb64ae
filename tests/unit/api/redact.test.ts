import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/lib/api/redact';

const projectKey = 'sk-proj-' + 'Ab3_dE-fGh1JkLmNoPqRsTuVwXyZ0123456789abcdEFGH'.repeat(3);

describe('redactSecrets', () => {
  it.each([
    ['a legacy key', 'key sk-abcdefghijklmnop1234 rejected', 'key sk-…redacted rejected'],
    [
      'a project key',
      `Incorrect API key provided: ${projectKey}.`,
      'Incorrect API key provided: sk-…redacted.',
    ],
    ['a service-account key', 'sk-svcacct-AAAAbbbbCCCCdddd_-_-1234', 'sk-…redacted'],
    ['a key in JSON', '{"key":"sk-admin-0123456789abcdefXYZ"}', '{"key":"sk-…redacted"}'],
    ['a bearer header', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [redacted]'],
    [
      'a lower-case bearer with a key',
      'authorization: bearer sk-abcdefghijklmnop1234',
      'authorization: Bearer [redacted]',
    ],
    ['a short sk- word', 'use sk-short keys', 'use sk-short keys'],
    ['sk- inside a word', 'task-abcdefghijklmnopqrstu', 'task-abcdefghijklmnopqrstu'],
    [
      'a masked key from the API',
      'Incorrect API key provided: sk-proj-****1234.',
      'Incorrect API key provided: sk-proj-****1234.',
    ],
    ['prose about bearer tokens', 'Bearer tokens are sent in a header', 'Bearer tokens are sent in a header'],
  ])('%s', (_, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('redacts known secrets of any shape, every occurrence, and is idempotent', () => {
    const key = 'my-local-proxy-token';
    const once = redactSecrets(`token ${key} and again ${key}; ${projectKey}`, [key]);
    expect(once).toBe('token [redacted] and again [redacted]; sk-…redacted');
    expect(redactSecrets(once, [key])).toBe(once);
    expect(redactSecrets(`x ${projectKey} y`, [projectKey])).toBe('x sk-…redacted y');
  });

  it('ignores empty and tiny known strings instead of shredding the text', () => {
    expect(redactSecrets('a plain message', ['', ' ', 'a'])).toBe('a plain message');
  });
});
