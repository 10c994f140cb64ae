import type { DecodedPicture } from '../../../src/lib/images/progressive';
import { describe, expect, it } from 'vitest';
import { StudioState } from '../../../src/lib/state/studio.svelte';
import type { RunState } from '../../../src/lib/state/run.svelte';
import { kiteRun } from '../factories';
import type { GenerationEvent } from '../../../src/lib/api/images';

const CONN = { apiKey: 'sk-test-studio-0000', baseUrl: 'http://127.0.0.1:1/v1' };
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function sse(events: object[], opts: { cutAfter?: number } = {}): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const sent = opts.cutAfter ?? events.length;
  let i = 0;
  // Pull-based so queued events are read before the error (controller.error() drops queued chunks).
  return new ReadableStream({
    pull(c) {
      if (i < sent) {
        const e = events[i++] as { type: string };
        c.enqueue(enc.encode(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
      } else if (opts.cutAfter !== undefined) c.error(new TypeError('network error'));
      else c.close();
    },
  });
}

const partial = (i: number) => ({
  type: 'image_generation.partial_image',
  b64_json: PNG_1PX,
  partial_image_index: i,
  size: '1024x1024',
  output_format: 'png',
});
const completed = {
  type: 'image_generation.completed',
  b64_json: PNG_1PX,
  size: '1024x1024',
  quality: 'medium',
  background: 'opaque',
  output_format: 'png',
  usage: {
    input_tokens: 9,
    output_tokens: 1056,
    total_tokens: 1065,
    input_tokens_details: { text_tokens: 9, image_tokens: 0 },
  },
};

function studioWith(respond: (init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; body: Record<string, unknown> }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url: String(url), body: JSON.parse(String(init.body)) });
    return respond(init);
  }) as unknown as typeof fetch;
  const studio = new StudioState({ fetchImpl, now: () => 1000 });
  studio.options = { ...studio.options, model: 'gpt-image-2', prompt: 'a red kite' };
  return { studio, calls };
}

async function settle(run: RunState | null) {
  for (let i = 0; i < 200 && run?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 5));
  return run!;
}

describe('StudioState.generate', () => {
  it('adds up the usage of every completed event when n>1 is streamed (one report per image)', async () => {
    const { studio } = studioWith(
      () => new Response(sse([completed, completed]), { headers: { 'content-type': 'text/event-stream' } }),
    );
    studio.options = { ...studio.options, extraJson: '{"n": 2, "stream": true}' };
    const run = await settle(studio.generate(CONN));
    expect(run.images).toHaveLength(2);
    expect(run.usage).toEqual({
      input_tokens: 18,
      output_tokens: 2112,
      total_tokens: 2130,
      input_tokens_details: { text_tokens: 18, image_tokens: 0 },
    });
  });

  it('streams partials then the final image, with usage and echoed parameters', async () => {
    const { studio, calls } = studioWith(
      () =>
        new Response(sse([partial(0), partial(1), completed]), {
          headers: { 'content-type': 'text/event-stream' },
        }),
    );
    const run = await settle(studio.generate(CONN));
    expect(calls[0]!.url).toBe('http://127.0.0.1:1/v1/images/generations');
    expect(calls[0]!.body).toMatchObject({
      model: 'gpt-image-2',
      prompt: 'a red kite',
      stream: true,
      partial_images: 2,
    });
    expect(run.status).toBe('complete');
    expect(run.partialsSeen).toBe(2);
    expect(run.images).toHaveLength(1);
    expect(run.images[0]!.blob.type).toBe('image/png');
    expect(run.usage?.total_tokens).toBe(1065);
    expect(run.echoed).toMatchObject({ size: '1024x1024', quality: 'medium' });
    // The partial stays under the final image until that has been painted.
    expect(run.partial?.partialIndex).toBe(1);
    run.finalShown();
    expect(run.partial).toBeNull();
  });

  it('keeps the last partial and marks the run incomplete when the stream is cut', async () => {
    const { studio } = studioWith(
      () =>
        new Response(sse([partial(0), completed], { cutAfter: 1 }), {
          headers: { 'content-type': 'text/event-stream' },
        }),
    );
    const run = await settle(studio.generate(CONN));
    expect(run.status).toBe('incomplete');
    expect(run.partial?.partialIndex).toBe(0);
    expect(run.error?.title).toBeTruthy();
  });

  it('keeps the last partial and marks the run incomplete when the stream ends cleanly without a final image', async () => {
    const { studio } = studioWith(
      () =>
        new Response(sse([partial(0), partial(1)]), {
          headers: { 'content-type': 'text/event-stream' },
        }),
    );
    const run = await settle(studio.generate(CONN));
    expect(run.status).toBe('incomplete');
    expect(run.partialsSeen).toBe(2);
    expect(run.partial?.partialIndex).toBe(1);
    expect(run.images).toHaveLength(0);
    expect(run.error?.title).toBe('The stream ended early');
    expect(run.error?.detail).toMatch(/last partial image is kept/);
  });

  it('sends nothing when the options are invalid', () => {
    const { studio, calls } = studioWith(() => new Response('{}'));
    studio.options = { ...studio.options, size: '1000x1000' };
    expect(studio.generate(CONN)).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('turns an API error into a failed run with a message', async () => {
    const { studio } = studioWith(
      () =>
        new Response(
          JSON.stringify({
            error: {
              message: 'Your request was rejected by the safety system.',
              type: 'image_generation_user_error',
              code: 'moderation_blocked',
              param: null,
            },
          }),
          { status: 400, headers: { 'content-type': 'application/json' } },
        ),
    );
    const run = await settle(studio.generate(CONN));
    expect(run.status).toBe('failed');
    expect(run.error?.title).toMatch(/safety/i);
  });

  it('cancel aborts the request and records a cancellation, not an error', async () => {
    const { studio } = studioWith(
      (init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
        }),
    );
    const run = studio.generate(CONN);
    expect(studio.busy).toBe(true);
    studio.cancel();
    const done = await settle(run);
    expect(done.status).toBe('cancelled');
    expect(done.error).toBeNull();
    expect(studio.busy).toBe(false);
  });

  it('switching model keeps the choices the new model accepts', () => {
    const { studio } = studioWith(() => new Response('{}'));
    studio.update({ size: '1536x864', quality: 'high', format: 'webp', background: 'transparent' });
    studio.setModel('gpt-image-1.5');
    expect(studio.options).toMatchObject({
      model: 'gpt-image-1.5',
      size: 'auto',
      quality: 'high',
      format: 'webp',
      background: 'transparent',
    });
    studio.update({ format: 'jpeg' });
    expect(studio.options.background).toBe('auto');
  });
});

describe('StudioState: handing images on (the library saves them)', () => {
  it('a final image decoded while it streamed is handed on once painted; the run ends after it', async () => {
    const studio = new StudioState({ now: () => 1000 });
    let picture!: (p: DecodedPicture | null) => void;
    const decoded = new Promise<DecodedPicture | null>((resolve) => (picture = resolve));
    const image = new Blob([Uint8Array.from(atob(PNG_1PX), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const run = Object.assign(kiteRun(), {
      async *send(): AsyncGenerator<GenerationEvent> {
        yield { kind: 'partial', partialIndex: 0, image, echoed: {} };
        yield { kind: 'image', index: 0, image, echoed: {}, decoded };
        yield { kind: 'done', usage: null, echoed: {} };
      },
      again(): never {
        throw new Error('not retried here');
      },
    });
    const order: string[] = [];
    studio.onImage = (_run, ev, at) => void order.push(`${ev.kind}@${typeof at}`);
    studio.onRunEnd = () => order.push('end');
    studio.startRun(CONN, run);
    await settle(run);
    expect(run.status).toBe('complete');
    // The partial went at once; the final waits for its picture (saving would compete with the paint).
    expect(order).toEqual(['partial@number']);
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual(['partial@number']);
    picture(null);
    await expect.poll(() => order).toEqual(['partial@number', 'image@number', 'end']);
  });

  it('the run learns when each final image is stored: the card’s full-size <img> waits for that', async () => {
    const studio = new StudioState({ now: () => 1000 });
    const image = new Blob([Uint8Array.from(atob(PNG_1PX), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const twoImages = () =>
      Object.assign(kiteRun(), {
        async *send(): AsyncGenerator<GenerationEvent> {
          yield { kind: 'image', index: 0, image, echoed: {} };
          yield { kind: 'image', index: 1, image, echoed: {} };
          yield { kind: 'done', usage: null, echoed: {} };
        },
        again(): never {
          throw new Error('not retried here');
        },
      });
    const stored: (() => void)[] = [];
    studio.onImage = () => new Promise<void>((r) => stored.push(r));
    const run = twoImages();
    studio.startRun(CONN, run);
    await settle(run);
    const kept: number[] = [];
    void run.whenKept(0).then(() => kept.push(0));
    void run.whenKept(1).then(() => kept.push(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(kept).toEqual([]);
    expect(stored).toHaveLength(2);
    stored[1]!();
    await expect.poll(() => kept).toEqual([1]);
    stored[0]!();
    await expect.poll(() => kept).toEqual([1, 0]);

    // Without a library (private browsing), nothing is stored and nothing waits.
    studio.onImage = null;
    const alone = twoImages();
    studio.startRun(CONN, alone);
    await settle(alone);
    await expect(Promise.all([alone.whenKept(0), alone.whenKept(1)])).resolves.toBeDefined();
  });
});
