/**
 * The turn reducer fed recorded Responses streams (tests/fixtures/sse/responses-*.txt), through the real SSE
 * reader, in every order the API allows: image_generation_call.completed before or after output_item.done, a
 * result whose status still says "generating", the message before or after the image, nested and flat error
 * events, unknown events, response.failed, response.incomplete, and a resume that replays events already seen.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/lib/api/errors';
import { readJsonEvents, readSse, type StreamEvent } from '../../../src/lib/api/sse';
import {
  applyResponse,
  finishedImages,
  initialTurnStream,
  reduceTurn,
  turnText,
  type TurnStream,
} from '../../../src/lib/conversation/events';
import { outcomeMessage } from '../../../src/lib/conversation/messages';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/sse/${name}`, import.meta.url), 'utf8');
const body = (text: string) => new Blob([text]).stream();

/** Every event of a fixture as parsed JSON (error events included, which readJsonEvents would throw). */
async function rawEvents(name: string): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const m of readSse(body(fixture(name)))) out.push(JSON.parse(m.data) as StreamEvent);
  return out;
}

const reduceAll = (events: StreamEvent[], from: TurnStream = initialTurnStream()) =>
  events.reduce(reduceTurn, from);
const FINAL =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEklEQVQImWM4MS3qPzJmIF0AAMInK3GWsKRhAAAAAElFTkSuQmCC';
const IG = 'ig_68f2a1c5d1e08190b2c3d4e5f6a7b8c9';

/** The parts of the state that must not depend on the order of events. */
const summary = (s: TurnStream) => ({
  responseId: s.responseId,
  status: s.status,
  text: turnText(s),
  images: s.images.map((i) => ({
    id: i.id,
    status: i.status,
    result: i.result,
    action: i.action,
    revised: i.revisedPrompt,
    size: i.size,
  })),
  error: s.error,
});

describe('reduceTurn on recorded streams', () => {
  it('completed-then-done (read through readJsonEvents): the final image from output_item.done, partials in order', async () => {
    const seen: TurnStream[] = [];
    let s = initialTurnStream();
    for await (const ev of readJsonEvents(body(fixture('responses-image-lf.txt')))) {
      s = reduceTurn(s, ev);
      seen.push(s);
    }
    expect(s.status).toBe('completed');
    expect(s.responseId).toBe('resp_68f2a1c0e4b88190a3f1d2c4b5e6f7a8');
    expect(s.lastSeq).toBe(9);
    expect(finishedImages(s).map((i) => i.result)).toEqual([FINAL]);
    expect(s.images[0]).toMatchObject({ id: IG, action: 'generate', partialIndex: 1, size: '1024x1024' });
    expect(s.images[0]!.revisedPrompt).toContain('café');
    // Before output_item.done only the partials exist; image_generation_call.completed alone is not "done".
    const afterCompletedEvent = seen[7]!;
    expect(afterCompletedEvent.images[0]!.result).toBeNull();
    expect(afterCompletedEvent.images[0]!.partial).not.toBeNull();
    expect(s.usage).toMatchObject({ total_tokens: 3754 });
  });

  it('done-first with status "generating" and an unknown event ends in the same state as the usual order', async () => {
    const events = await rawEvents('responses-done-first-lf.txt');
    const s = reduceAll(events);
    expect(s.status).toBe('completed');
    expect(s.images).toHaveLength(1);
    expect(s.images[0]!.result).toBe(FINAL);
    expect(s.images[0]!.status).toBe('completed'); // a non-empty result is done, whatever the status said
    expect(turnText(s)).toBe('Here is the café at dusk.');

    // Swap the two events back into the other order: the outcome is identical.
    const done = events.findIndex((e) => e.type === 'response.output_item.done');
    const completed = events.findIndex((e) => e.type === 'response.image_generation_call.completed');
    const swapped = [...events];
    [swapped[done], swapped[completed]] = [swapped[completed]!, swapped[done]!];
    expect(summary(reduceAll(swapped.map((e, i) => ({ ...e, sequence_number: i }))))).toEqual(summary(s));
  });

  it('the message before the image gives the same text and image', async () => {
    const events = await rawEvents('responses-done-first-lf.txt');
    const isMsg = (e: StreamEvent) =>
      typeof e.item_id === 'string'
        ? e.item_id.startsWith('msg_')
        : (e.item as { type?: string } | undefined)?.type === 'message';
    const head = events.slice(0, 3);
    const msg = events.filter(isMsg);
    const rest = events.slice(3).filter((e) => !isMsg(e));
    const reordered = [...head, ...msg, ...rest].map((e, i) => ({ ...e, sequence_number: i }));
    expect(summary(reduceAll(reordered))).toEqual(summary(reduceAll(events)));
  });

  it('text deltas stream in as they arrive', async () => {
    const events = await rawEvents('responses-done-first-lf.txt');
    const firstDelta = events.findIndex((e) => e.type === 'response.output_text.delta');
    expect(turnText(reduceAll(events.slice(0, firstDelta + 1)))).toBe('Here is the café ');
  });

  it('response.failed carries the policy code and a message naming the safety system', async () => {
    const s = reduceAll(await rawEvents('responses-failed-lf.txt'));
    expect(s.status).toBe('failed');
    expect(s.error).toEqual({
      code: 'image_content_policy_violation',
      message: expect.stringContaining('safety'),
    });
    expect(finishedImages(s)).toEqual([]);
    expect(outcomeMessage(s)?.title).toBe('Rejected by the safety system');
  });

  it.each(['responses-error-nested-lf.txt', 'responses-error-flat-lf.txt'])(
    '%s: an error event fails the turn and keeps the partial',
    async (name) => {
      const s = reduceAll(await rawEvents(name));
      expect(s.status).toBe('failed');
      expect(s.error).toEqual({ code: 'server_error', message: 'The image could not be generated.' });
      expect(s.images[0]!.partial).not.toBeNull();
      expect(outcomeMessage(s)).toMatchObject({
        title: 'The response failed',
        detail: expect.stringContaining('server_error'),
      });
    },
  );

  it.each(['responses-error-nested-lf.txt', 'responses-error-flat-lf.txt'])(
    '%s: the live reader throws the same error as an ApiError',
    async (name) => {
      let s = initialTurnStream();
      const read = async () => {
        for await (const ev of readJsonEvents(body(fixture(name)))) s = reduceTurn(s, ev);
      };
      await expect(read()).rejects.toMatchObject({
        constructor: ApiError,
        code: 'server_error',
        inStream: true,
      });
      expect(s.images[0]!.partial).not.toBeNull();
    },
  );

  it('response.incomplete keeps the image and the text so far, with the reason', async () => {
    const s = reduceAll(await rawEvents('responses-incomplete-lf.txt'));
    expect(s.status).toBe('incomplete');
    expect(s.incompleteReason).toBe('max_output_tokens');
    expect(finishedImages(s)).toHaveLength(1);
    expect(turnText(s)).toBe('Here is the café at dusk.');
    expect(outcomeMessage(s)?.detail).toContain('max_output_tokens');
  });

  it('a resume that replays events at or below the last sequence number changes nothing', async () => {
    const events = await rawEvents('responses-done-first-lf.txt');
    const cut = 12;
    const before = reduceAll(events.slice(0, cut));
    expect(before.lastSeq).toBe(cut - 1);
    const resumed = reduceAll(events.slice(cut - 4), before); // an overlapping replay
    expect(summary(resumed)).toEqual(summary(reduceAll(events)));
    expect(turnText(resumed)).toBe('Here is the café at dusk.'); // no delta applied twice
  });

  it('takes the final image from response.completed when output_item.done never came', async () => {
    const events = (await rawEvents('responses-image-lf.txt')).filter(
      (e) => e.type !== 'response.output_item.done',
    );
    const s = reduceAll(events);
    expect(finishedImages(s).map((i) => i.result)).toEqual([FINAL]);
  });

  it('applyResponse reads a polled Response (JSON)', async () => {
    const events = await rawEvents('responses-image-lf.txt');
    const final = events.at(-1)!.response as Record<string, unknown>;
    const s = applyResponse(initialTurnStream(), final);
    expect(summary(s).images[0]).toMatchObject({ id: IG, result: FINAL, action: 'generate' });
    expect(s.status).toBe('completed');
  });

  it("keeps the image tool's usage (tool_usage) apart from the mainline model's (usage)", () => {
    const imageGen = { input_tokens: 12, output_tokens: 1056, total_tokens: 1068 };
    const s = applyResponse(initialTurnStream(), {
      id: 'resp_1',
      status: 'completed',
      usage: { input_tokens: 80, output_tokens: 20, total_tokens: 100 },
      tool_usage: { image_gen: imageGen, web_search: { num_requests: 0 } },
    });
    expect(s.usage).toMatchObject({ total_tokens: 100 });
    expect(s.toolUsage).toMatchObject({ image_gen: imageGen });
    expect(applyResponse(initialTurnStream(), { id: 'resp_2', tool_usage: 'x' }).toolUsage).toBeNull();
  });

  it('ignores unknown events entirely (apart from their sequence number)', () => {
    const s = reduceTurn(initialTurnStream(), {
      type: 'response.something_new',
      sequence_number: 4,
      item_id: 'x',
    });
    expect(s).toEqual({ ...initialTurnStream(), lastSeq: 4 });
  });
});
