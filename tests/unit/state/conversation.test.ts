/**
 * ConversationState with a recorded stream and a scripted fetch: hooks, persistence, the fallback after a gone
 * response (one resend with the earlier image), and a reload that resumes a background job after its last
 * sequence number.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryConversationStore } from '../../../src/lib/history/conversations';
import { ConversationState } from '../../../src/lib/state/conversation.svelte';
import { EditState } from '../../../src/lib/state/edit.svelte';
import { StudioState } from '../../../src/lib/state/studio.svelte';

const CONN = { apiKey: 'sk-test-conv-000000', baseUrl: 'http://127.0.0.1:1/v1' };
const STREAM = readFileSync(new URL('../../fixtures/sse/responses-image-lf.txt', import.meta.url), 'utf8');
const sse = (text: string) => new Response(text, { headers: { 'content-type': 'text/event-stream' } });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

interface Call {
  url: string;
  method: string;
  body: Record<string, unknown> | null;
}

function setup(
  answer: (call: Call, n: number) => Response,
  shared?: { storage: MemoryStorage; store: ReturnType<typeof memoryConversationStore> },
) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const call = {
      url: String(url),
      method: init.method ?? 'GET',
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : null,
    };
    calls.push(call);
    return answer(call, calls.length);
  }) as unknown as typeof fetch;
  const storage = shared?.storage ?? new MemoryStorage();
  const store = shared?.store ?? memoryConversationStore();
  const state = new ConversationState(new EditState(new StudioState()), {
    storage: storage as unknown as Storage,
    store,
    fetchImpl,
  });
  return { state, calls, storage, store };
}

describe('ConversationState', () => {
  it('a turn streams to done, calls onImage and onTurnEnd, and is saved', async () => {
    const { state, calls, store } = setup(() => sse(STREAM));
    const images: Blob[] = [];
    const ended: string[] = [];
    state.onImage = (_t, blob) => images.push(blob);
    state.onTurnEnd = (t) => ended.push(t.status);
    state.text = 'a café at dusk';
    const turn = await state.send(CONN);
    expect(turn).toMatchObject({
      status: 'done',
      responseId: 'resp_68f2a1c0e4b88190a3f1d2c4b5e6f7a8',
      lastSeq: 9,
    });
    expect(turn!.images[0]).toMatchObject({
      action: 'generate',
      revisedPrompt: expect.stringContaining('café'),
    });
    expect(turn!.usage).toMatchObject({ total_tokens: 3754 }); // for the cost ledger, via onTurnEnd
    expect(images).toHaveLength(1);
    expect(images[0]!.type).toBe('image/png');
    expect(ended).toEqual(['done']);
    expect(calls[0]!.body).toMatchObject({ model: 'gpt-6.1-sol', store: true, stream: true });
    await state.flush();
    expect((await store.load()).map((t) => t.status)).toEqual(['done']);
    expect(state.text).toBe(''); // the draft moved into the turn
  });

  it('a gone previous response is resent once with the earlier image, with a note', async () => {
    const { state, calls } = setup((call, n) =>
      n === 2
        ? json(400, {
            error: {
              message: "Previous response with id 'resp_x' not found.",
              type: 'invalid_request_error',
              param: 'previous_response_id',
              code: 'previous_response_not_found',
            },
          })
        : sse(STREAM),
    );
    state.text = 'one';
    await state.send(CONN);
    state.text = 'two';
    const second = await state.send(CONN);
    expect(calls).toHaveLength(3);
    expect(calls[1]!.body!.previous_response_id).toBe('resp_68f2a1c0e4b88190a3f1d2c4b5e6f7a8');
    expect(calls[2]!.body!.previous_response_id).toBeUndefined();
    const content = (calls[2]!.body!.input as { content: { type: string; image_url?: string }[] }[])[0]!
      .content;
    expect(content[1]).toMatchObject({
      type: 'input_image',
      image_url: expect.stringMatching(/^data:image\/png;base64,/),
    });
    expect(second).toMatchObject({ status: 'done', contextKind: 'image' });
    expect(second!.note).toMatch(/no longer has the earlier response/);
  });

  it('after a reload, an unfinished background turn resumes after its last sequence number', async () => {
    const lines = STREAM.split('\n\n').filter(Boolean);
    // The first run: the connection drops after five events.
    const first = setup((call) => {
      if (call.method === 'POST') return sse(`${lines.slice(0, 5).join('\n\n')}\n\n`);
      throw new TypeError('Failed to fetch'); // the automatic resume finds the network still down
    });
    first.state.background = true;
    first.state.text = 'slow';
    // The auto-resume after the drop fails; the turn waits for Resume (or a reload).
    await first.state.send(CONN);
    await first.state.flush();
    const saved = (await first.store.load())[0]!;
    expect(saved.status).toBe('interrupted');
    expect(first.storage.getItem('atelier.conversation.jobs.v1')).toContain(saved.responseId!);

    // "Reload": a new state over the same storage resumes with starting_after.
    const second = setup(() => sse(`${lines.slice(5).join('\n\n')}\n\n`), {
      storage: first.storage,
      store: first.store,
    });
    await second.state.load(CONN);
    await expect.poll(() => second.state.turns[0]?.status).toBe('done');
    expect(second.calls[0]!.url).toBe(
      `${CONN.baseUrl}/responses/${saved.responseId}?stream=true&starting_after=4`,
    );
    expect(second.state.turns[0]!.images[0]!.blob).not.toBeNull();
    expect(first.storage.getItem('atelier.conversation.jobs.v1')).toBeNull();
  });

  it('a server that will not stream the resume is polled with GET /responses/{id} instead', async () => {
    const lines = STREAM.split('\n\n').filter(Boolean);
    const final = (JSON.parse(lines.at(-1)!.split('\ndata: ')[1]!) as { response: unknown }).response;
    const { state, calls } = setup((call) => {
      if (call.method === 'POST') return sse(`${lines.slice(0, 3).join('\n\n')}\n\n`);
      if (call.url.includes('stream=true'))
        return json(400, {
          error: {
            message: 'Streaming is not supported here.',
            type: 'invalid_request_error',
            param: 'stream',
            code: null,
          },
        });
      return json(200, final);
    });
    state.background = true;
    state.text = 'poll me';
    await state.send(CONN);
    await expect.poll(() => state.turns[0]?.status).toBe('done');
    expect(calls.map((c) => `${c.method} ${c.url.replace(CONN.baseUrl, '')}`)).toEqual([
      'POST /responses',
      'GET /responses/resp_68f2a1c0e4b88190a3f1d2c4b5e6f7a8?stream=true&starting_after=2',
      'GET /responses/resp_68f2a1c0e4b88190a3f1d2c4b5e6f7a8',
    ]);
    expect(state.turns[0]!.images[0]!.blob).not.toBeNull();
  });

  it('refuses a forced edit with nothing to edit, sending nothing', async () => {
    const { state, calls } = setup(() => sse(STREAM));
    state.text = 'edit it';
    state.tool = { ...state.tool, action: 'edit' };
    expect(await state.send(CONN)).toBeNull();
    expect(state.validation.errors.action).toMatch(/needs an image/);
    expect(calls).toHaveLength(0);
    expect(state.turns).toHaveLength(0);
  });
});
