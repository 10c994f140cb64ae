import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError, StreamError } from '../../../src/lib/api/errors';
import { readJsonEvents, readSse } from '../../../src/lib/api/sse';
import type { StreamEvent } from '../../../src/lib/api/sse';
import { LiftedBase64 } from '../../../src/lib/api/lift';

/** A lifted payload back as the base64 text it came from. */
const asBase64 = (v: unknown) => (v instanceof LiftedBase64 ? Buffer.concat(v.parts).toString('base64') : v);

const enc = new TextEncoder();
const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/sse/${name}`, import.meta.url), 'utf8');

/** A pull-based stream: one chunk per pull, so the reader really sees these boundaries. */
function streamOf(
  chunks: Uint8Array[],
  end: { hang?: boolean; error?: unknown; onCancel?: (reason: unknown) => void } = {},
): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        else if (end.error !== undefined) controller.error(end.error);
        else if (!end.hang) controller.close();
      },
      cancel(reason) {
        end.onCancel?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const bytesOf = (text: string): Uint8Array => enc.encode(text);
const splitAt = (bytes: Uint8Array, points: number[]): Uint8Array[] => {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
};
const oneByteChunks = (bytes: Uint8Array): Uint8Array[] =>
  Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));

/** Deterministic PRNG for chunk sizes. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomChunks = (bytes: Uint8Array, seed: number, max: number): Uint8Array[] => {
  const rnd = mulberry32(seed);
  const points: number[] = [];
  for (let p = 0; ;) {
    p += 1 + Math.floor(rnd() * max);
    if (p >= bytes.length) break;
    points.push(p);
  }
  return splitAt(bytes, points);
};

async function collect(body: ReadableStream<Uint8Array>, opts?: Parameters<typeof readJsonEvents>[1]) {
  const out: StreamEvent[] = [];
  for await (const ev of readJsonEvents(body, opts)) out.push(ev);
  return out;
}

/** An independent oracle for fixtures with one `data:` line per event: the JSON of every data line. */
const expectedEvents = (text: string): unknown[] =>
  text
    .split(/\r\n|\r|\n/)
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as unknown);

const withEol = (text: string, eol: string): string => text.replace(/\n/g, eol);

describe('readJsonEvents on recorded fixtures, split at every byte boundary', () => {
  const cases = [
    ['image-generation-lf.txt', '\n'],
    ['image-generation-lf.txt', '\r\n'],
    ['responses-image-lf.txt', '\n'],
    ['responses-image-lf.txt', '\r\n'],
  ] as const;

  it.each(cases)(
    '%s with %j line endings: every two-chunk split gives the same events',
    async (name, eol) => {
      const text = withEol(fixture(name), eol);
      const bytes = bytesOf(text);
      const expected = expectedEvents(text);
      expect(expected.length).toBeGreaterThanOrEqual(3);
      expect(await collect(streamOf([bytes]))).toEqual(expected);
      for (let k = 1; k < bytes.length; k++) {
        const got = await collect(streamOf(splitAt(bytes, [k])));
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          expect.fail(`split at byte ${k} of ${name} (${JSON.stringify(eol)}) decoded differently`);
        }
      }
      expect(await collect(streamOf(oneByteChunks(bytes)))).toEqual(expected);
    },
    // Thousands of full parses; generous so a loaded CI machine does not time out.
    30_000,
  );

  it.each(['image-generation-lf.txt', 'responses-image-lf.txt'])(
    '%s with CR-only line endings',
    async (name) => {
      const text = withEol(fixture(name), '\r');
      const bytes = bytesOf(text);
      const expected = expectedEvents(text);
      expect(await collect(streamOf([bytes]))).toEqual(expected);
      expect(await collect(streamOf(oneByteChunks(bytes)))).toEqual(expected);
      expect(await collect(streamOf(randomChunks(bytes, 7, 40)))).toEqual(expected);
    },
  );

  it('decodes the Image API fixture into the documented events', async () => {
    const events = await collect(streamOf([bytesOf(fixture('image-generation-lf.txt'))]));
    expect(events.map((e) => e.type)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    expect(events.map((e) => e.partial_image_index)).toEqual([0, 1, undefined]);
    for (const e of events)
      expect(
        Buffer.from(e.b64_json as string, 'base64')
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    expect(events[2]!.usage).toMatchObject({
      output_tokens: 1256,
      input_tokens_details: { image_tokens: 0 },
    });
  });

  it('decodes the Responses fixture, including partial_image_b64, item.result and non-ASCII text', async () => {
    const events = await collect(streamOf(oneByteChunks(bytesOf(fixture('responses-image-lf.txt')))));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.image_generation_call.in_progress',
      'response.image_generation_call.generating',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.completed',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(typeof events[5]!.partial_image_b64).toBe('string');
    const item = events[8]!.item as { result: string; revised_prompt: string };
    expect(item.result.startsWith('iVBORw0KGgo')).toBe(true);
    expect(item.revised_prompt).toBe('A cozy café at dusk, warm lights and a sparkle ✨ over the door');
  });
});

describe('large payloads', () => {
  const common = { created_at: 1763946000, size: '1536x1024', quality: 'high', background: 'opaque' };
  const partial = (i: number, b64: string) =>
    `event: image_generation.partial_image\ndata: ${JSON.stringify({ type: 'image_generation.partial_image', b64_json: b64, ...common, output_format: 'png', partial_image_index: i })}\n\n`;
  const b64s = [randomBytes(300_000), randomBytes(450_000), randomBytes(600_000)].map((b) =>
    b.toString('base64'),
  );
  const usage = {
    total_tokens: 6428,
    input_tokens: 20,
    output_tokens: 6408,
    input_tokens_details: { text_tokens: 20, image_tokens: 0 },
  };
  const recorded =
    partial(0, b64s[0]!) +
    partial(1, b64s[1]!) +
    `event: image_generation.completed\ndata: ${JSON.stringify({ type: 'image_generation.completed', b64_json: b64s[2], ...common, output_format: 'png', usage })}\n\n`;

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('%s: a stream of several hundred KB events survives random and adversarial chunking', async (_, eol) => {
    const bytes = bytesOf(withEol(recorded, eol));
    const text = withEol(recorded, eol);
    // Boundaries right after every CR and inside every "data:" prefix.
    const awkward: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\r') awkward.push(i + 1);
      if (text.startsWith('data:', i)) awkward.push(i + 2);
      if (text.startsWith('\n\n', i)) awkward.push(i + 1);
    }
    for (const chunks of [
      randomChunks(bytes, 1, 65_536),
      randomChunks(bytes, 2, 997),
      splitAt(bytes, awkward),
    ]) {
      const events = await collect(streamOf(chunks));
      // Long base64 values arrive lifted out of the text, already decoded (see lift.ts).
      expect(events.map((e) => asBase64(e.b64_json))).toEqual(b64s);
      expect(events[2]).toMatchObject({ type: 'image_generation.completed', usage });
    }
  });

  it('parses one 8 MB data line, exactly, in linear time', async () => {
    const b64 = randomBytes(6 * 1024 * 1024).toString('base64');
    expect(b64.length).toBe(8 * 1024 * 1024);
    const event = `event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"${b64}","output_format":"png"}\n\n`;
    const bytes = bytesOf(event);
    for (const size of [65_536, 1024]) {
      const t0 = performance.now();
      const events = await collect(streamOf(randomChunks(bytes, 3, size)));
      const ms = performance.now() - t0;
      console.log(`8 MB event in ~${size}-byte chunks: ${ms.toFixed(0)} ms`);
      expect(events).toHaveLength(1);
      expect(events[0]!.b64_json).toBeInstanceOf(LiftedBase64);
      expect((events[0]!.b64_json as LiftedBase64).byteLength).toBe(6 * 1024 * 1024);
      expect(asBase64(events[0]!.b64_json) === b64).toBe(true);
    }
  });
});

describe('readJsonEvents framing rules', () => {
  it('keeps multi-byte UTF-8 intact when a chunk boundary falls inside a character', async () => {
    const text = 'data: {"type":"response.output_item.done","item":{"revised_prompt":"café ✨"}}\n\n';
    const bytes = bytesOf(text);
    const e = bytes.indexOf(0xc3); // é = C3 A9
    const sparkle = bytes.indexOf(0xe2); // ✨ = E2 9C A8
    for (const points of [[e + 1], [sparkle + 1], [sparkle + 2], [e + 1, sparkle + 1, sparkle + 2]]) {
      const [ev] = await collect(streamOf(splitAt(bytes, points)));
      expect((ev!.item as { revised_prompt: string }).revised_prompt).toBe('café ✨');
    }
  });

  it('ignores [DONE], comments, keepalives and empty data; passes unknown events through', async () => {
    const text = [
      ': keepalive',
      '',
      'event: response.created',
      ': a comment inside an event',
      'data: {"type":"response.created","sequence_number":0}',
      '',
      ':',
      'event: ping',
      'data:',
      '',
      'event: keepalive',
      'data: {}',
      '',
      'data: {"type":"proxy.heartbeat","n":1}',
      '',
      'data: [DONE]',
      '',
    ].join('\n');
    expect(await collect(streamOf(oneByteChunks(bytesOf(text))))).toEqual([
      { type: 'response.created', sequence_number: 0 },
      { type: 'keepalive' },
      { type: 'proxy.heartbeat', n: 1 },
    ]);
  });

  it('uses the event name as the type when the data has none, and data.type when both exist', async () => {
    const text = 'event: image_edit.completed\ndata: {"b64_json":"AA=="}\n\nevent: x\ndata: {"type":"y"}\n\n';
    expect(await collect(streamOf([bytesOf(text)]))).toEqual([
      { type: 'image_edit.completed', b64_json: 'AA==' },
      { type: 'y' },
    ]);
  });

  it('delivers a final event the server left without its blank line', async () => {
    const text = 'data: {"type":"a"}\n\ndata: {"type":"image_generation.completed","b64_json":"AA=="}';
    const events = await collect(streamOf(oneByteChunks(bytesOf(text))));
    expect(events.map((e) => e.type)).toEqual(['a', 'image_generation.completed']);
  });

  it('reports onBytes for every chunk', async () => {
    const bytes = bytesOf(fixture('image-generation-lf.txt'));
    let total = 0;
    await collect(streamOf(randomChunks(bytes, 5, 100)), { onBytes: (n) => (total += n) });
    expect(total).toBe(bytes.length);
  });
});

describe('readJsonEvents errors', () => {
  const firstError = async (text: string): Promise<unknown> => {
    const seen: string[] = [];
    try {
      for await (const ev of readJsonEvents(streamOf(oneByteChunks(bytesOf(text))))) seen.push(ev.type);
    } catch (e) {
      return e;
    }
    throw new Error(`no error; saw ${seen.join(',')}`);
  };

  it.each([
    [
      'nested error event (Responses)',
      'event: response.created\ndata: {"type":"response.created"}\n\nevent: error\ndata: {"type":"error","error":{"type":"insufficient_quota","code":"insufficient_quota","message":"You exceeded your current quota","param":null},"sequence_number":2}\n\n',
      { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota' },
    ],
    [
      'flat error event (documented shape)',
      'event: error\ndata: {"type":"error","code":"rate_limit_exceeded","message":"Rate limit reached","param":null,"sequence_number":3}\n\n',
      { type: null, code: 'rate_limit_exceeded', message: 'Rate limit reached', param: null },
    ],
    [
      'top-level error object without an event name',
      'data: {"error":{"message":"Invalid value: \'1254x836\'.","type":"invalid_request_error","param":"size","code":"invalid_value"}}\n\n',
      {
        type: 'invalid_request_error',
        code: 'invalid_value',
        param: 'size',
        message: "Invalid value: '1254x836'.",
      },
    ],
    [
      'moderation in the stream',
      'data: {"type":"error","error":{"type":"image_generation_user_error","code":"moderation_blocked","message":"Your request was rejected by the safety system.","moderation_details":{"moderation_stage":"output","categories":["violence"]}}}\n\n',
      { code: 'moderation_blocked', moderation: { stage: 'output', categories: ['violence'] } },
    ],
    [
      'an error event whose data is not JSON',
      'event: error\ndata: upstream connect error\n\n',
      { message: 'upstream connect error', code: null },
    ],
  ])('%s → ApiError (status 0, inStream)', async (_, text, fields) => {
    const err = await firstError(text);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, inStream: true, ...fields });
  });

  it('yields the events before an error, then throws', async () => {
    const text =
      fixture('image-generation-lf.txt').split('event: image_generation.completed')[0]! +
      'event: error\ndata: {"type":"error","message":"boom"}\n\n';
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const ev of readJsonEvents(streamOf([bytesOf(text)]))) seen.push(ev.type);
      })(),
    ).rejects.toBeInstanceOf(ApiError);
    expect(seen).toEqual(['image_generation.partial_image', 'image_generation.partial_image']);
  });

  it.each([
    ['truncated JSON', 'data: {"type":"image_generation.partial_image","b64_json":"AAA\n\n'],
    ['a JSON number', 'data: 42\n\n'],
    ['a JSON array', 'data: [1,2]\n\n'],
  ])('%s → StreamError("malformed")', async (_, text) => {
    const err = await firstError(text);
    expect(err).toBeInstanceOf(StreamError);
    expect((err as StreamError).kind).toBe('malformed');
  });

  it('a stream that closes in the middle of an event → StreamError("cut")', async () => {
    const text = 'data: {"type":"a"}\n\ndata: {"type":"image_generation.completed","b64_json":"AAAA';
    const err = await firstError(text);
    expect(err).toMatchObject({ name: 'StreamError', kind: 'cut' });
  });

  it('a connection that fails mid-stream → StreamError("cut") with the cause', async () => {
    const cause = new TypeError('terminated');
    const body = streamOf([bytesOf('data: {"type":"a"}\n\ndata: {"ty')], { error: cause });
    const seen: string[] = [];
    const err = await (async () => {
      try {
        for await (const ev of readJsonEvents(body)) seen.push(ev.type);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toEqual(['a']);
    expect(err).toMatchObject({ name: 'StreamError', kind: 'cut', cause });
  });
});

describe('cancellation and stalls', () => {
  const first = bytesOf(
    'event: image_generation.partial_image\ndata: {"type":"image_generation.partial_image"}\n\n',
  );

  it('abort mid-stream rejects the pending read with AbortError quickly and cancels the body', async () => {
    let cancelled: (reason: unknown) => void = () => {};
    const cancelledP = new Promise((r) => (cancelled = r));
    const ac = new AbortController();
    const it = readJsonEvents(streamOf([first], { hang: true, onCancel: cancelled }), { signal: ac.signal });
    expect((await it.next()).value).toMatchObject({ type: 'image_generation.partial_image' });
    const pending = it.next();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(cancelledP).resolves.toMatchObject({ name: 'AbortError' });
  });

  it('abort with a custom reason still throws an AbortError; an aborted signal fails at once', async () => {
    const ac = new AbortController();
    const it = readSse(streamOf([first], { hang: true }), ac.signal);
    await it.next();
    const pending = it.next();
    ac.abort(new Error('user navigated away'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(readJsonEvents(streamOf([first]), { signal: ac.signal }).next()).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('no bytes for stallMs → StreamError("stalled") and the body is cancelled', async () => {
    let cancelled: (reason: unknown) => void = () => {};
    const cancelReason = new Promise((r) => (cancelled = r));
    const body = streamOf([first], { hang: true, onCancel: cancelled });
    const it = readJsonEvents(body, { stallMs: 50 });
    await it.next();
    const t0 = performance.now();
    const err = await it.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamError);
    expect(err).toMatchObject({ kind: 'stalled', stallMs: 50 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    await expect(cancelReason).resolves.toMatchObject({ name: 'StreamError', kind: 'stalled' });
  });

  it('a slow trickle of bytes is not a stall, and neither is a slow consumer', async () => {
    const text = fixture('image-generation-lf.txt');
    const bytes = bytesOf(text);
    const chunks = randomChunks(bytes, 9, 200);
    let i = 0;
    const trickle = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 3));
        if (i < chunks.length) c.enqueue(chunks[i++]!);
        else c.close();
      },
    });
    expect(await collect(trickle, { stallMs: 200 })).toEqual(expectedEvents(text));

    const slow: StreamEvent[] = [];
    for await (const ev of readJsonEvents(streamOf([bytes]), { stallMs: 20 })) {
      slow.push(ev);
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(slow).toHaveLength(3);
  });

  it('breaking out of the loop cancels the body', async () => {
    let cancelled = false;
    const body = streamOf([first, first, first], { hang: true, onCancel: () => (cancelled = true) });
    for await (const ev of readJsonEvents(body)) {
      expect(ev.type).toBe('image_generation.partial_image');
      break;
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(cancelled).toBe(true);
  });
});

describe('readSse', () => {
  it('yields raw messages: default event name, id, joined multi-line data, [DONE] kept', async () => {
    const text = 'id: 7\ndata: line one\ndata: line two\n\nevent: done\nretry: 100\ndata: [DONE]\n\n';
    const out = [];
    for await (const m of readSse(streamOf(oneByteChunks(bytesOf(text))))) out.push(m);
    expect(out).toEqual([
      { event: 'message', data: 'line one\nline two', id: '7' },
      { event: 'done', data: '[DONE]' },
    ]);
  });
});
