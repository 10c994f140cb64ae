import { describe, expect, it } from 'vitest';
import { OFFLINE_TITLE, offlineMessage } from '../../../src/lib/api/offline';
import { NetworkError, StreamError, ApiError } from '../../../src/lib/api/errors';
import { StudioState } from '../../../src/lib/state/studio.svelte';
import type { RunState } from '../../../src/lib/state/run.svelte';

const CONN = {
  apiKey: 'custom-key-without-prefix-1234',
  baseUrl: 'http://127.0.0.1:1/v1',
  project: 'proj_9',
};
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const ok = () =>
  new Response(JSON.stringify({ data: [{ b64_json: PNG_1PX }], output_format: 'png' }), {
    headers: { 'content-type': 'application/json' },
  });

function studioWith(respond: (n: number) => Response | Promise<Response>, online = () => true) {
  const bodies: string[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    bodies.push(String(init.body));
    return respond(bodies.length);
  }) as unknown as typeof fetch;
  const studio = new StudioState({ fetchImpl, now: () => 1000, isOnline: online });
  studio.options = { ...studio.options, model: 'gpt-image-2', prompt: 'a red kite', stream: false };
  return { studio, bodies };
}

async function settle(run: RunState | null) {
  for (let i = 0; i < 200 && run?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 5));
  return run!;
}

describe('StudioState.retry', () => {
  it('re-sends the exact body of a failed run as a new run', async () => {
    const { studio, bodies } = studioWith((n) =>
      n === 1
        ? new Response(JSON.stringify({ error: { message: 'Bad', code: 'moderation_blocked' } }), {
            status: 400,
          })
        : ok(),
    );
    const failed = await settle(studio.generate(CONN));
    expect(failed.status).toBe('failed');
    // Options changed since: the retry still sends what the failed run sent.
    studio.options = { ...studio.options, prompt: 'something else' };
    const again = await settle(studio.retry(CONN, failed));
    expect(again.status).toBe('complete');
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(studio.runs.map((r) => r.id)).toEqual([again.id, failed.id]);
  });

  it('does nothing for a run that succeeded, or while another run is busy', async () => {
    const { studio, bodies } = studioWith(() => ok());
    const done = await settle(studio.generate(CONN));
    expect(studio.retry(CONN, done)).toBeNull();
    expect(bodies).toHaveLength(1);
  });
});

describe('StudioState while offline', () => {
  it('says "You are offline" for a network failure while navigator.onLine is false', async () => {
    const { studio } = studioWith(
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => false,
    );
    const run = await settle(studio.generate(CONN));
    expect(run.status).toBe('failed');
    expect(run.error?.title).toBe(OFFLINE_TITLE);
    expect(run.error?.next).toMatch(/Retry/);
  });

  it('keeps the usual message for the same failure while online', async () => {
    const { studio } = studioWith(() => Promise.reject(new TypeError('Failed to fetch')));
    const run = await settle(studio.generate(CONN));
    expect(run.error?.title).toMatch(/Could not reach/);
  });

  it('offlineMessage covers no-response and cut or stalled streams only', () => {
    expect(offlineMessage(new NetworkError('x'))?.title).toBe(OFFLINE_TITLE);
    expect(offlineMessage(new StreamError('cut'))?.detail).toMatch(/partial image is kept/);
    expect(offlineMessage(new StreamError('stalled'))).not.toBeNull();
    expect(offlineMessage(new StreamError('malformed'))).toBeNull();
    expect(offlineMessage(new ApiError('x', { status: 500 }))).toBeNull();
  });
});

describe('StudioState and the key', () => {
  it("redacts the connection's key from error messages even when it does not look like a key", async () => {
    const { studio } = studioWith(
      () =>
        new Response(JSON.stringify({ error: { message: `Key ${CONN.apiKey} is not allowed here` } }), {
          status: 403,
        }),
    );
    const run = await settle(studio.generate(CONN));
    expect(JSON.stringify(run.error)).not.toContain(CONN.apiKey);
    expect(run.error?.detail).toContain('[redacted]');
  });

  it('records where the request went, without the key', async () => {
    const { studio } = studioWith(() => ok());
    const run = await settle(studio.generate(CONN));
    expect(run.endpoint).toEqual({ baseUrl: CONN.baseUrl, organization: undefined, project: 'proj_9' });
    expect(JSON.stringify(run.endpoint)).not.toContain(CONN.apiKey);
  });

  it('adds the safety identifier to the request body when set', async () => {
    const { studio, bodies } = studioWith(() => ok());
    studio.safetyIdentifier = 'a'.repeat(64);
    expect(studio.request.body.safety_identifier).toBe('a'.repeat(64));
    await settle(studio.generate(CONN));
    expect(JSON.parse(bodies[0]!)).toMatchObject({ safety_identifier: 'a'.repeat(64) });
  });
});
