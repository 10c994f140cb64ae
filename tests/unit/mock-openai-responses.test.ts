/**
 * The mock's Responses API and Files API: schema-checked bodies, the §5d event sequence with real image bytes,
 * stored context (previous_response_id, item references, file ids), store:false, background jobs that replay
 * from `starting_after`, cancel, and the fault scenarios the conversation mode relies on.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../mock-openai/server.mjs';
import { validateSchema } from './schema';

type Mock = Awaited<ReturnType<typeof startMockServer>>;
let mock: Mock;
const KEY = 'sk-test-responses-0123';
const auth = { authorization: `Bearer ${KEY}` };
let png: string;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, delayMs: 5 });
  const buf = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a6' } })
    .png()
    .toBuffer();
  png = `data:image/png;base64,${buf.toString('base64')}`;
});
afterAll(async () => {
  await mock.close();
});

type Json = Record<string, unknown>;
interface Ev extends Json {
  type: string;
  sequence_number: number;
}

const tool = (extra: Json = {}) => ({
  type: 'image_generation',
  model: 'gpt-image-2',
  quality: 'low',
  size: '1024x1024',
  ...extra,
});
const body = (text: string, extra: Json = {}, toolExtra: Json = {}) => ({
  model: 'gpt-6.1-sol',
  input: [{ role: 'user', content: [{ type: 'input_text', text }] }],
  tools: [tool(toolExtra)],
  ...extra,
});

function post(path: string, json: unknown, signal?: AbortSignal) {
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(json),
    signal,
  });
}

function parseSse(text: string): Ev[] {
  return text
    .split(/\n\n/)
    .filter((b) => b.includes('data: '))
    .map((b) => {
      const data = b
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      const event = /^event: (.*)$/m.exec(b)?.[1];
      const parsed = JSON.parse(data) as Ev;
      expect(event, 'event name equals type').toBe(parsed.type);
      return parsed;
    });
}

async function stream(json: unknown): Promise<Ev[]> {
  const res = await post('/responses', { ...(json as Json), stream: true });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  return parseSse(await res.text());
}

async function expectError(res: Response, status: number, param: string | null, code: string | null) {
  const json = (await res.json()) as { error: Json };
  expect(res.status, JSON.stringify(json)).toBe(status);
  expect(Object.keys(json.error)).toEqual(expect.arrayContaining(['message', 'type', 'param', 'code']));
  expect(json.error.param).toBe(param);
  expect(json.error.code).toBe(code);
  return json.error as { message: string };
}

const final = (events: Ev[]) =>
  events.find(
    (e) => e.type === 'response.output_item.done' && (e.item as Json).type === 'image_generation_call',
  )!.item as Json;
const responseOf = (events: Ev[]) => (events[events.length - 1]!.response ?? {}) as Json;

describe('POST /v1/responses streaming', () => {
  it('sends the §5d sequence with partials, the final image in output_item.done, and text deltas', async () => {
    const events = await stream(body('a red kite', {}, { partial_images: 2 }));
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.image_generation_call.in_progress',
      'response.image_generation_call.generating',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    // Every event matches its schema in the official spec.
    const schemaOf: Record<string, string> = {
      'response.created': 'ResponseCreatedEvent',
      'response.in_progress': 'ResponseInProgressEvent',
      'response.output_item.added': 'ResponseOutputItemAddedEvent',
      'response.image_generation_call.in_progress': 'ResponseImageGenCallInProgressEvent',
      'response.image_generation_call.generating': 'ResponseImageGenCallGeneratingEvent',
      'response.image_generation_call.partial_image': 'ResponseImageGenCallPartialImageEvent',
      'response.image_generation_call.completed': 'ResponseImageGenCallCompletedEvent',
      'response.output_item.done': 'ResponseOutputItemDoneEvent',
      'response.content_part.added': 'ResponseContentPartAddedEvent',
      'response.content_part.done': 'ResponseContentPartDoneEvent',
      'response.output_text.delta': 'ResponseTextDeltaEvent',
      'response.output_text.done': 'ResponseTextDoneEvent',
      'response.completed': 'ResponseCompletedEvent',
    };
    for (const e of events) {
      const v = validateSchema(schemaOf[e.type]!, e);
      expect(v.errors, e.type).toEqual([]);
    }
    const partial = events.find((e) => e.type.endsWith('partial_image'))!;
    const partialMeta = await sharp(Buffer.from(partial.partial_image_b64 as string, 'base64')).metadata();
    expect([partialMeta.format, partialMeta.width, partialMeta.height]).toEqual(['png', 1024, 1024]);
    const item = final(events);
    expect(item).toMatchObject({
      status: 'completed',
      action: 'generate',
      size: '1024x1024',
      quality: 'low',
    });
    expect(item.revised_prompt).toContain('a red kite');
    const meta = await sharp(Buffer.from(item.result as string, 'base64')).metadata();
    expect(meta.format).toBe('png');
    const text = events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    expect(text).toBe('Here is the new image.');
    expect(responseOf(events)).toMatchObject({ status: 'completed', store: true });
  });

  it('answers JSON without stream, with the image and the message in output', async () => {
    const res = await post('/responses', body('json please'));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { output: Json[]; status: string; id: string };
    expect(json.status).toBe('completed');
    expect(validateSchema('Response', json).errors).toEqual([]);
    expect(json.output.map((o) => o.type)).toEqual(['image_generation_call', 'message']);
  });

  it('resolves previous_response_id and item references to stored images, and edits them', async () => {
    const first = await stream(body('turn one'));
    const id = responseOf(first).id as string;
    const second = await stream(body('turn two', { previous_response_id: id }));
    expect(final(second).action).toBe('edit');
    const igId = final(first).id as string;
    const third = await stream({
      ...body('turn three'),
      input: [
        { type: 'item_reference', id: igId },
        { role: 'user', content: [{ type: 'input_text', text: 'turn three' }] },
      ],
    });
    expect(final(third).action).toBe('edit');
  });

  it('store:false keeps nothing: a later previous_response_id gets previous_response_not_found', async () => {
    const first = await stream(body('not kept', { store: false }));
    expect(responseOf(first).store).toBe(false);
    const id = responseOf(first).id as string;
    const err = await expectError(
      await post('/responses', body('again', { previous_response_id: id })),
      400,
      'previous_response_id',
      'previous_response_not_found',
    );
    expect(err.message).toContain(id);
    const ig = final(first).id as string;
    await expectError(
      await post('/responses', {
        ...body('ref'),
        input: [{ type: 'item_reference', id: ig }],
      }),
      404,
      'input[0]',
      null,
    );
    const got = await fetch(`${mock.url}/responses/${id}`, { headers: auth });
    expect(got.status).toBe(404);
  });

  it('[[mock:expired]] forgets the previous response first', async () => {
    const first = await stream(body('soon gone'));
    const id = responseOf(first).id as string;
    await expectError(
      await post('/responses', body('later [[mock:expired]]', { previous_response_id: id })),
      400,
      'previous_response_id',
      'previous_response_not_found',
    );
  });

  it('accepts input images as data URLs and as uploaded file ids', async () => {
    const withImage = (image: Json) => ({
      ...body('use this'),
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'use this' },
            { type: 'input_image', detail: 'auto', ...image },
          ],
        },
      ],
    });
    expect(final(await stream(withImage({ image_url: png }))).action).toBe('edit');

    const form = new FormData();
    form.append('purpose', 'vision');
    form.append(
      'file',
      new Blob([Buffer.from(png.split(',')[1]!, 'base64')], { type: 'image/png' }),
      'a.png',
    );
    const up = await fetch(`${mock.url}/files`, { method: 'POST', headers: auth, body: form });
    expect(up.status).toBe(200);
    const file = (await up.json()) as Json;
    expect(validateSchema('OpenAIFile', file).errors).toEqual([]);
    expect(file).toMatchObject({ object: 'file', purpose: 'vision', filename: 'a.png', status: 'processed' });
    expect(final(await stream(withImage({ file_id: file.id }))).action).toBe('edit');
    await expectError(
      await post('/responses', withImage({ file_id: 'file-missing' })),
      404,
      'input[0].content[1].file_id',
      null,
    );
  });

  it('validates against the schema and the tool rules, with the real error shape', async () => {
    await expectError(
      await post('/responses', {
        ...body('x'),
        input: [{ role: 'user', content: [{ type: 'input_image', image_url: png, detail: 'huge' }] }],
      }),
      400,
      'input[0].content[0].detail',
      'invalid_value',
    );
    await expectError(
      await post('/responses', body('x', {}, { action: 'paint' })),
      400,
      'tools[0].action',
      'invalid_value',
    );
    await expectError(
      await post('/responses', body('x', { colour: 'red' })),
      400,
      'colour',
      'unknown_parameter',
    );
    await expectError(
      await post('/responses', body('x', {}, { model: 'gpt-image-2.6-flare' })),
      400,
      'tools[0].model',
      'unsupported_model',
    );
    await expectError(
      await post('/responses', body('x', {}, { input_fidelity: 'high' })),
      400,
      'tools[0].input_fidelity',
      'unknown_parameter',
    );
    await expectError(
      await post('/responses', body('x', { model: 'gpt-image-2' })),
      400,
      'model',
      'model_not_supported',
    );
    await expectError(
      await post('/responses', body('x', {}, { size: '1000x1000' })),
      400,
      'tools[0].size',
      'invalid_value',
    );
    const edit = await expectError(
      await post('/responses', body('x', {}, { action: 'edit' })),
      400,
      'tools[0].action',
      'invalid_value',
    );
    expect(edit.message).toMatch(/no image/);
    await expectError(
      await post('/responses', body('x', { background: true, store: false })),
      400,
      'background',
      'invalid_value',
    );
    await expectError(
      await post('/responses', body('x [[mock:tool-unsupported]]')),
      400,
      'tools[0]',
      'unsupported_tool',
    );
    // 1.5 takes input_fidelity
    expect(
      (await post('/responses', body('x', {}, { model: 'gpt-image-1.5', input_fidelity: 'high' }))).status,
    ).toBe(200);
  });
});

describe('fault scenarios', () => {
  it('policy: response.failed with image_content_policy_violation', async () => {
    const events = await stream(body('bad [[mock:policy]]'));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(validateSchema('ResponseFailedEvent', events.at(-1)).errors).toEqual([]);
    expect(responseOf(events).error).toMatchObject({ code: 'image_content_policy_violation' });
  });

  it('cut: the stream stops in the middle of the event after the first partial', async () => {
    const res = await post('/responses', {
      ...body('cut [[mock:cut]]', {}, { partial_images: 2 }),
      stream: true,
    });
    const reader = res.body!.getReader();
    let text = '';
    let cut = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } catch {
      cut = true;
    }
    expect(cut, 'the connection was dropped').toBe(true);
    expect(text).toContain('partial_image');
    expect(text).not.toContain('response.completed');
  });

  it('error-event and error-event-flat, item-done-first, status-generating, incomplete', async () => {
    const nested = await stream(body('e [[mock:error-event]]', {}, { partial_images: 1 }));
    expect(nested.at(-1)).toMatchObject({ type: 'error', error: { code: 'server_error' } });
    const flat = await stream(body('e [[mock:error-event-flat]]', {}, { partial_images: 1 }));
    expect(flat.at(-1)).toMatchObject({ type: 'error', code: 'server_error' });
    const order = (await stream(body('o [[mock:item-done-first]]'))).map((e) => e.type);
    expect(order.indexOf('response.output_item.done')).toBeLessThan(
      order.indexOf('response.image_generation_call.completed'),
    );
    const generating = await stream(body('g [[mock:status-generating]]'));
    expect(final(generating)).toMatchObject({ status: 'generating' });
    expect(final(generating).result).toBeTruthy();
    const incomplete = await stream(body('i [[mock:incomplete]]'));
    expect(incomplete.at(-1)!.type).toBe('response.incomplete');
  });

  it('upload-fail and non-images get invalid_file_format', async () => {
    const form = new FormData();
    form.append('purpose', 'vision');
    form.append('file', new Blob([Buffer.from('not an image')], { type: 'image/png' }), 'x.png');
    await expectError(
      await fetch(`${mock.url}/files`, { method: 'POST', headers: auth, body: form }),
      400,
      'file',
      'invalid_file_format',
    );
    const named = new FormData();
    named.append('purpose', 'vision');
    named.append(
      'file',
      new Blob([Buffer.from(png.split(',')[1]!, 'base64')], { type: 'image/png' }),
      'y [[mock:upload-fail]].png',
    );
    await expectError(
      await fetch(`${mock.url}/files`, { method: 'POST', headers: auth, body: named }),
      400,
      'file',
      'invalid_file_format',
    );
  });
});

describe('background mode', () => {
  it('keeps running after the client leaves; GET ?stream=true&starting_after=N replays the rest', async () => {
    const ac = new AbortController();
    const res = await post(
      '/responses',
      { ...body('bg [[mock:slowish]]', { background: true }, { partial_images: 1 }), stream: true },
      ac.signal,
    );
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"sequence_number":2')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    const seen = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
    expect(seen[0]!.type).toBe('response.created');
    expect(seen[1]!.type).toBe('response.queued');
    const id = (seen[0]!.response as Json).id as string;
    const last = seen.at(-1)!.sequence_number;

    const polled = (await (await fetch(`${mock.url}/responses/${id}`, { headers: auth })).json()) as Json;
    expect(['queued', 'in_progress']).toContain(polled.status);

    const resumed = await fetch(`${mock.url}/responses/${id}?stream=true&starting_after=${last}`, {
      headers: auth,
    });
    const rest = parseSse(await resumed.text());
    expect(rest[0]!.sequence_number).toBe(last + 1);
    expect(rest.at(-1)!.type).toBe('response.completed');
    expect(final(rest).result).toBeTruthy();
    const done = (await (await fetch(`${mock.url}/responses/${id}`, { headers: auth })).json()) as Json;
    expect(done.status).toBe('completed');
  }, 20_000);

  it('cancel stops a background job; a foreground response cannot be cancelled', async () => {
    const res = await post('/responses', body('bg [[mock:slowish]]', { background: true }));
    const queued = (await res.json()) as Json;
    expect(queued.status).toBe('queued');
    const cancel = await fetch(`${mock.url}/responses/${queued.id as string}/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(((await cancel.json()) as Json).status).toBe('cancelled');
    const after = (await (
      await fetch(`${mock.url}/responses/${queued.id as string}`, { headers: auth })
    ).json()) as Json;
    expect(after.status).toBe('cancelled');

    const fg = (await (await post('/responses', body('fg'))).json()) as Json;
    const refused = await fetch(`${mock.url}/responses/${fg.id as string}/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(refused.status).toBe(400);
    const missing = await fetch(`${mock.url}/responses/resp_nope`, { headers: auth });
    await expectError(missing, 404, null, null);
  });
});
