import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../mock-openai/server.mjs';
import { validateGeneration } from '../mock-openai/validate.mjs';

type Mock = Awaited<ReturnType<typeof startMockServer>>;
let mock: Mock;
const KEY = 'sk-test-0123456789';
const auth = { authorization: `Bearer ${KEY}` };

beforeAll(async () => {
  mock = await startMockServer({ port: 0, delayMs: 10 });
});
afterAll(async () => {
  await mock.close();
});

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null } & Record<
    string,
    unknown
  >;
}

function post(body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(`${mock.url}/images/generations`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

const gen = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-image-2.6-flare',
  prompt: 'a lighthouse at dusk',
  ...extra,
});

async function expectError(res: Response, status: number, param: string | null, code: string | null) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as ErrorBody;
  expect(Object.keys(body.error)).toEqual(expect.arrayContaining(['message', 'type', 'param', 'code']));
  expect(body.error.param).toBe(param);
  expect(body.error.code).toBe(code);
  return body.error;
}

interface SseEvent {
  event: string | null;
  data: string;
}

/** Minimal SSE parsing: split on blank lines, read `event:` and `data:` lines. */
function parseSse(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim())
    .map((block) => {
      let event: string | null = null;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      return { event, data: data.join('\n') };
    });
}

/** Read a body until it ends or errors; returns the text and whether it ended cleanly. */
async function readAll(res: Response): Promise<{ text: string; ok: boolean }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, ok: true };
      text += dec.decode(value, { stream: true });
    }
  } catch {
    return { text, ok: false };
  }
}

describe('models and CORS', () => {
  it('lists current models with shutdown_date and without shut-down models', async () => {
    const res = await fetch(`${mock.url}/models`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]+$/);
    const body = (await res.json()) as { object: string; data: Array<Record<string, unknown>> };
    expect(body.object).toBe('list');
    const ids = body.data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpt-image-2.6-flare',
        'gpt-image-2.5-sunburst-2026-09-08',
        'gpt-image-2',
        'gpt-5',
      ]),
    );
    for (const gone of ['gpt-image-1', 'dall-e-2', 'dall-e-3']) expect(ids).not.toContain(gone);
    const m15 = body.data.find((m) => m.id === 'gpt-image-1.5');
    expect(m15).toMatchObject({ object: 'model', owned_by: 'system', shutdown_date: '2026-12-01' });
    expect(typeof m15!.created).toBe('number');
    expect(body.data.find((m) => m.id === 'gpt-image-2.6-flare')!.shutdown_date).toBeNull();
  });

  it('x-mock-models replaces the list', async () => {
    const res = await fetch(`${mock.url}/models`, {
      headers: { ...auth, 'x-mock-models': 'gpt-image-2, gpt-5' },
    });
    const body = (await res.json()) as { data: Array<{ id: string }> };
    expect(body.data.map((m) => m.id)).toEqual(['gpt-image-2', 'gpt-5']);
  });

  it('retrieves one model, and header scenarios apply to the models endpoint', async () => {
    const res = await fetch(`${mock.url}/models/gpt-image-2.5-flare`, { headers: auth });
    expect(await res.json()).toMatchObject({ id: 'gpt-image-2.5-flare', object: 'model' });
    await expectError(
      await fetch(`${mock.url}/models/dall-e-3`, { headers: auth }),
      404,
      null,
      'model_not_found',
    );
    await expectError(
      await fetch(`${mock.url}/models`, { headers: { ...auth, 'x-mock-scenario': '500' } }),
      500,
      null,
      null,
    );
  });

  it('answers CORS preflight', async () => {
    const res = await fetch(`${mock.url}/images/generations`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS, DELETE');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    const plain = await fetch(`${mock.url}/models`, { headers: auth });
    expect(plain.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('rejects a missing or bad key, masking the key', async () => {
    const missing = await expectError(await fetch(`${mock.url}/models`), 401, null, null);
    expect(missing.message).toMatch(/^You didn't provide an API key/);
    const bad = await expectError(
      await fetch(`${mock.url}/models`, { headers: { authorization: 'Bearer sk-bad-secret-key' } }),
      401,
      null,
      'invalid_api_key',
    );
    expect(bad.message).toMatch(/^Incorrect API key provided: sk-\*\*\*\./);
    expect(bad.message).not.toContain('secret');
    await expectError(await post(gen(), { authorization: 'Bearer short' }), 401, null, 'invalid_api_key');
  });

  it('404 for unknown paths and 405 for wrong methods', async () => {
    const e = await expectError(await fetch(`${mock.url}/nope`, { headers: auth }), 404, null, null);
    expect(e.message).toBe('Invalid URL (GET /v1/nope)');
    expect((await fetch(`${mock.url}/images/generations`, { headers: auth })).status).toBe(405);
  });
});

describe('generations (JSON)', () => {
  it('returns n decoded PNG images of the requested size, with echo fields and usage', async () => {
    const res = await post(gen({ n: 2, size: '1536x1024', quality: 'high' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      created: number;
      data: Array<{ b64_json: string }>;
      size: string;
      quality: string;
      background: string;
      output_format: string;
      usage: { input_tokens: number; output_tokens: number; total_tokens: number };
    };
    expect(body).toMatchObject({
      size: '1536x1024',
      quality: 'high',
      background: 'opaque',
      output_format: 'png',
    });
    expect(body.data).toHaveLength(2);
    for (const d of body.data) {
      const buf = Buffer.from(d.b64_json, 'base64');
      expect(buf.subarray(1, 4).toString()).toBe('PNG');
      expect(buf.readUInt32BE(16)).toBe(1536); // IHDR width
      expect(buf.readUInt32BE(20)).toBe(1024); // IHDR height
    }
    expect(body.data[0]!.b64_json).not.toBe(body.data[1]!.b64_json);
    expect(body.usage.output_tokens).toBeGreaterThan(2 * 4160);
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
  });

  it('resolves auto values and makes a realistic 1024x1024 PNG', async () => {
    const res = await post(gen({ size: 'auto', quality: 'auto', background: 'auto' }));
    const body = (await res.json()) as { data: Array<{ b64_json: string }>; size: string; quality: string };
    expect(body).toMatchObject({ size: '1024x1024', quality: 'medium', background: 'opaque' });
    expect(body.data[0]!.b64_json.length).toBeGreaterThan(1_500_000);
  });

  it('makes JPEG, transparent WebP and animated GIF', async () => {
    const jpeg = (await (await post(gen({ output_format: 'jpeg', output_compression: 60 }))).json()) as {
      data: Array<{ b64_json: string }>;
    };
    const jb = Buffer.from(jpeg.data[0]!.b64_json, 'base64');
    expect([jb[0], jb[1]]).toEqual([0xff, 0xd8]);
    expect(await sharp(jb).metadata()).toMatchObject({ format: 'jpeg', width: 1024, height: 1024 });

    const webp = (await (
      await post(gen({ output_format: 'webp', background: 'transparent', size: '1024x1536' }))
    ).json()) as { data: Array<{ b64_json: string }>; background: string };
    expect(webp.background).toBe('transparent');
    const wb = Buffer.from(webp.data[0]!.b64_json, 'base64');
    expect(wb.subarray(8, 12).toString()).toBe('WEBP');
    expect(await sharp(wb).metadata()).toMatchObject({ width: 1024, height: 1536, hasAlpha: true });

    const gif = (await (
      await post(gen({ output_format: 'gif', frame_count: 3, frame_duration_ms: 100, size: '512x512' }))
    ).json()) as { data: Array<{ b64_json: string }>; output_format: string };
    expect(gif.output_format).toBe('gif');
    const gb = Buffer.from(gif.data[0]!.b64_json, 'base64');
    expect(gb.subarray(0, 6).toString()).toBe('GIF89a');
    expect(gb.readUInt16LE(6)).toBe(512);
    expect(await sharp(gb, { animated: true }).metadata()).toMatchObject({ pages: 3, pageHeight: 512 });
  });
});

describe('generations (stream)', () => {
  it('sends partial images then completed', async () => {
    const res = await post(gen({ stream: true, partial_images: 2, size: '1024x1536' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    const data = events.map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(data.map((d) => d.partial_image_index)).toEqual([0, 1, undefined]);
    for (const d of data) {
      expect(d).toMatchObject({
        size: '1024x1536',
        quality: 'medium',
        background: 'opaque',
        output_format: 'png',
      });
      expect(d.type).toBe(events[data.indexOf(d)]!.event);
      expect(typeof d.created_at).toBe('number');
    }
    expect(data[2]!.usage).toMatchObject({ input_tokens_details: { text_tokens: 5, image_tokens: 0 } });
    const meta = await sharp(Buffer.from(data[0]!.b64_json as string, 'base64')).metadata();
    expect(meta).toMatchObject({ width: 1024, height: 1536 });
  });

  it('with n>1 sends one completed per image and no partials', async () => {
    const res = await post(gen({ stream: true, partial_images: 2, n: 2 }));
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['image_generation.completed', 'image_generation.completed']);
  });

  it('appends [DONE] on request', async () => {
    const res = await post(gen({ stream: true }), { 'x-mock-done': '1' });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.data.slice(0, 6))).toEqual(['{"type', '[DONE]']);
  });
});

describe('validation', () => {
  const cases: Array<[string, Record<string, unknown>, number, string | null, string | null, RegExp?]> = [
    ['size not a multiple of 16', { size: '1000x1000' }, 400, 'size', 'invalid_value', /multiples of 16/],
    ['size too wide', { size: '3840x1024' }, 400, 'size', 'invalid_value', /aspect ratio/],
    ['size too small', { size: '512x512' }, 400, 'size', 'invalid_value', /pixels/],
    [
      'gpt-image-2 above 3840x2160',
      { model: 'gpt-image-2', size: '2880x2880' },
      400,
      'size',
      'invalid_value',
    ],
    [
      'fixed sizes on 1.5',
      { model: 'gpt-image-1.5', size: '1254x836' },
      400,
      'size',
      'invalid_value',
      /^Invalid value: '1254x836'\. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'\.$/,
    ],
    ['compression with png', { output_compression: 80 }, 400, 'output_compression', 'unsupported_parameter'],
    [
      'transparent with jpeg',
      { background: 'transparent', output_format: 'jpeg' },
      400,
      'background',
      'invalid_value',
    ],
    [
      'input_fidelity on gpt-image-2',
      { model: 'gpt-image-2', input_fidelity: 'high' },
      400,
      'input_fidelity',
      'unknown_parameter',
      /^Unknown parameter: 'input_fidelity'\.$/,
    ],
    ['response_format', { response_format: 'b64_json' }, 400, 'response_format', 'unknown_parameter'],
    [
      'unknown parameter',
      { colour: 'red' },
      400,
      'colour',
      'unknown_parameter',
      /^Unknown parameter: 'colour'\.$/,
    ],
    [
      'complexity on 2.5',
      { model: 'gpt-image-2.5-flare', complexity: 'low' },
      400,
      'complexity',
      'unknown_parameter',
    ],
    ['xhigh on 2.6', { quality: 'xhigh' }, 400, 'quality', 'invalid_value'],
    [
      'gif on 2.5',
      { model: 'gpt-image-2.5-flare', output_format: 'gif' },
      400,
      'output_format',
      'invalid_value',
    ],
    ['gif stream', { output_format: 'gif', stream: true }, 400, 'stream', 'unsupported_parameter'],
    ['frame_count without gif', { frame_count: 4 }, 400, 'frame_count', 'unsupported_parameter'],
    [
      'gif too big',
      { output_format: 'gif', frame_count: 6, size: '1024x1024' },
      400,
      'size',
      'invalid_value',
    ],
    ['n too big', { n: 11 }, 400, 'n', 'integer_above_max_value'],
    ['n not an integer', { n: '2' }, 400, 'n', 'invalid_type'],
    ['partial_images too big', { partial_images: 4 }, 400, 'partial_images', 'integer_above_max_value'],
    ['empty prompt', { prompt: '' }, 400, 'prompt', 'empty_string'],
    ['prompt too long', { prompt: 'x'.repeat(32001) }, 400, 'prompt', 'string_above_max_length'],
    ['missing model', { model: undefined }, 400, 'model', 'missing_required_parameter'],
    [
      'unknown model',
      { model: 'gpt-image-9' },
      404,
      null,
      'model_not_found',
      /^The model `gpt-image-9` does not/,
    ],
    ['shut-down model', { model: 'dall-e-3' }, 404, null, 'model_not_found'],
    ['gpt-image-1 is gone', { model: 'gpt-image-1' }, 404, null, 'model_not_found'],
  ];
  it.each(cases)('%s', async (_name, extra, status, param, code, message) => {
    const err = await expectError(await post(gen(extra)), status, param, code);
    expect(err.type).toBe('invalid_request_error');
    if (message) expect(err.message).toMatch(message);
  });

  it('resolves auto sizes per model and format', async () => {
    const auto = (frame_count: number) =>
      validateGeneration(gen({ output_format: 'gif', frame_count }), {}).params?.size;
    expect([auto(9), auto(12), auto(16)]).toEqual(['960x960', '816x816', '720x720']);
    const old = (await (await post(gen({ model: 'gpt-image-1.5', size: 'auto' }))).json()) as {
      size: string;
    };
    expect(old.size).toBe('1024x1024');
  });

  it('accepts the 2.5 extras and the 2.6 extras', async () => {
    expect(
      (await post(gen({ model: 'gpt-image-2.5-sunburst', quality: 'xhigh', size: '1024x640' }))).status,
    ).toBe(200);
    const ok = await post(gen({ complexity: null, moderation: 'low', safety_identifier: 'u1', user: 'u1' }));
    expect(ok.status).toBe(200);
  });
});

describe('scenarios', () => {
  const errorCases: Array<[string, number, string, string | null]> = [
    ['401', 401, 'invalid_request_error', 'invalid_api_key'],
    ['403-verify', 403, 'invalid_request_error', null],
    ['404-model', 404, 'invalid_request_error', 'model_not_found'],
    ['429-quota', 429, 'insufficient_quota', 'insufficient_quota'],
    ['429-rate', 429, 'requests', 'rate_limit_exceeded'],
    ['moderation', 400, 'image_generation_user_error', 'moderation_blocked'],
    ['500', 500, 'server_error', null],
    ['503', 503, 'service_unavailable', null],
  ];
  it.each(errorCases)('[[mock:%s]]', async (name, status, type, code) => {
    const res = await post(gen({ prompt: `a cat [[mock:${name}]]` }));
    const err = await expectError(res, status, null, code);
    expect(err.type).toBe(type);
    if (name === '403-verify')
      expect(err.message).toMatch(/must be verified to use the model `gpt-image-2.6-flare`/);
    if (name === '429-rate') {
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.headers.get('retry-after-ms')).toBe('2000');
    }
    if (name === '429-quota') expect(res.headers.get('retry-after')).toBeNull();
    if (name === 'moderation') {
      expect(err.message).toContain(res.headers.get('x-request-id'));
      expect(err.moderation_details).toEqual({ moderation_stage: 'input', categories: ['violence'] });
    }
  });

  it('selects a scenario by header, without affecting other requests', async () => {
    await expectError(await post(gen(), { 'x-mock-scenario': '503' }), 503, null, null);
    expect((await post(gen())).status).toBe(200);
    await expectError(await post(gen(), { 'x-mock-scenario': 'nope' }), 400, null, 'unknown_mock_scenario');
  });

  it('-once scenarios fail once per prompt', async () => {
    const body = gen({ prompt: 'retry me [[mock:429-rate-once]]' });
    const first = await post(body);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await post(body)).status).toBe(200);
    const other = gen({ prompt: 'again [[mock:500-once]]' });
    expect((await post(other)).status).toBe(500);
    expect((await post(other)).status).toBe(200);
  });

  it('cut ends the stream after one partial, without completed', async () => {
    const res = await post(gen({ stream: true, prompt: 'x [[mock:cut]]' }));
    expect(res.status).toBe(200);
    const { text, ok } = await readAll(res);
    expect(ok).toBe(false);
    expect(text).toContain('event: image_generation.partial_image');
    expect(text).toContain('event: image_generation.completed');
    const complete = parseSse(text).filter((e) => e.data.endsWith('}'));
    expect(complete.map((e) => e.event)).toEqual(['image_generation.partial_image']);
    await expect(post(gen({ prompt: 'y [[mock:cut]]' }))).rejects.toThrow();
  });

  it('stall sends one partial and then nothing', async () => {
    const ac = new AbortController();
    const res = await post(gen({ stream: true, prompt: 'x [[mock:stall]]' }), {}, ac.signal);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) text += dec.decode((await reader.read()).value);
    const next = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r('timeout'), 300))]);
    expect(next).toBe('timeout');
    ac.abort();
    expect(parseSse(text).map((e) => e.event)).toEqual(['image_generation.partial_image']);
  });

  it.each([
    ['error-event', true],
    ['error-event-flat', false],
  ])('%s sends an error event', async (name, nested) => {
    const events = parseSse(await (await post(gen({ stream: true, prompt: `x [[mock:${name}]]` }))).text());
    expect(events.map((e) => e.event)).toEqual(['image_generation.partial_image', 'error']);
    const data = JSON.parse(events[1]!.data) as Record<string, unknown>;
    const fields = { code: 'server_error', message: 'The image could not be generated.', param: null };
    if (nested)
      expect(data).toEqual({ type: 'error', error: { type: 'server_error', ...fields }, sequence_number: 2 });
    else expect(data).toEqual({ type: 'error', ...fields, sequence_number: 2 });
  });

  it('end-early sends the partials asked for, then ends cleanly with no completed event', async () => {
    const res = await post(gen({ stream: true, partial_images: 2, prompt: 'x [[mock:end-early]]' }));
    const { text, ok } = await readAll(res);
    expect(ok).toBe(true);
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
    ]);
    expect(
      events.map((e) => (JSON.parse(e.data) as { partial_image_index: number }).partial_image_index),
    ).toEqual([0, 1]);
    // At least one partial even when none was asked for; JSON answers with no image.
    const none = parseSse(await (await post(gen({ stream: true, prompt: 'y [[mock:end-early]]' }))).text());
    expect(none.map((e) => e.event)).toEqual(['image_generation.partial_image']);
    const json = await post(gen({ prompt: 'z [[mock:end-early]]' }));
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ data: [] });
  });

  it('a magic key selects a scenario for every request made with it, the models list included', async () => {
    const key = { authorization: 'Bearer sk-test-0123[[mock:403-verify]]' };
    const err = await expectError(await fetch(`${mock.url}/models`, { headers: key }), 403, null, null);
    expect(err.message).toMatch(/must be verified/);
    const res = await post(gen(), key);
    await expectError(res, 403, null, null);
    // The same request with an ordinary key is fine.
    expect((await fetch(`${mock.url}/models`, { headers: auth })).status).toBe(200);
    const unknown = { authorization: 'Bearer sk-test-0123[[mock:nope]]' };
    await expectError(
      await fetch(`${mock.url}/models`, { headers: unknown }),
      400,
      null,
      'unknown_mock_scenario',
    );
  });

  it('a magic key narrows the models list; the x-mock-models header wins over it', async () => {
    const key = { authorization: 'Bearer sk-test-0123[[mock-models:gpt-image-2.5-flare,gpt-image-2]]' };
    const list = async (headers: Record<string, string>) =>
      (
        (await (await fetch(`${mock.url}/models`, { headers })).json()) as { data: { id: string }[] }
      ).data.map((m) => m.id);
    expect(await list(key)).toEqual(['gpt-image-2.5-flare', 'gpt-image-2']);
    expect(await list({ ...key, 'x-mock-models': 'gpt-5' })).toEqual(['gpt-5']);
    // Generation with a model the list hides still works, as with the header.
    expect((await post(gen(), key)).status).toBe(200);
  });

  it('crlf and done change the framing', async () => {
    const text = await (await post(gen({ stream: true, prompt: 'x [[mock:crlf]] [[mock:done]]' }))).text();
    expect(text).toMatch(/^event: image_generation\.completed\r\ndata: \{/);
    expect(text.endsWith('\r\n\r\ndata: [DONE]\r\n\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('paced sends a final image event in 64 KB pieces, spaced out in time', async () => {
    const res = await post(gen({ stream: true, size: '1024x1024', prompt: 'x [[mock:paced]]' }));
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
      text += decoder.decode(value, { stream: true });
    }
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual(['image_generation.completed']);
    expect(JSON.parse(events[0]!.data)).toMatchObject({
      type: 'image_generation.completed',
      size: '1024x1024',
    });
    const pieces = Math.ceil(text.length / (64 * 1024));
    expect(pieces).toBeGreaterThan(2);
    // The reads follow the pieces (a read may join two), and the whole takes ~8 ms per piece.
    expect(arrivals.length).toBeGreaterThanOrEqual(Math.ceil(pieces / 2));
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual((pieces - 1) * 8 * 0.5);
  });

  it('slow spaces events 2 s apart', async () => {
    const t0 = Date.now();
    const res = await post(gen({ stream: true, prompt: 'x [[mock:slow]]' }));
    expect(parseSse(await res.text())).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
  });
});

describe('request log', () => {
  beforeEach(async () => {
    await fetch(`${mock.origin}/__mock/requests`, { method: 'DELETE' });
  });

  it('records requests with headers and truncated bodies', async () => {
    await post(gen({ size: '1024x1024' }), { 'openai-project': 'proj_1' });
    const res = await fetch(`${mock.origin}/__mock/requests`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const log = (await res.json()) as Array<Record<string, unknown>>;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      method: 'POST',
      path: '/v1/images/generations',
      status: 200,
      body: gen({ size: '1024x1024' }),
      headers: { authorization: `Bearer ${KEY}`, 'openai-project': 'proj_1' },
    });
    expect(mock.requests).toHaveLength(1);
    await post(gen({ extra_image: `data:image/png;base64,${'A'.repeat(5000)}` }));
    const log2 = (await (await fetch(`${mock.origin}/__mock/requests`)).json()) as Array<{
      status: number;
      body: { extra_image: string };
    }>;
    expect(log2[1]!.status).toBe(400);
    expect(log2[1]!.body.extra_image).toMatch(/^data:image\/png;base64,A+\.\.\.\[truncated, 5022 chars\]$/);
    const cleared = await fetch(`${mock.origin}/__mock/requests`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ cleared: 2 });
    expect(mock.requests).toHaveLength(0);
  });
});
