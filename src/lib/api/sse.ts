/**
 * Server-sent events from a fetch body: bytes → text (TextDecoderStream) → messages (EventSourceParserStream)
 * → JSON events. Standalone async generators; no DOM, no size caps, linear in the input.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { EventSourceMessage } from 'eventsource-parser/stream';
import { abortErrorFrom, apiErrorFromPayload, isAbortError, StreamError } from './errors';
import { Lifter, type LifterOptions } from './lift';

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export interface StreamEvent {
  type: string;
  [k: string]: unknown;
}

interface ReadOptions {
  signal?: AbortSignal;
  stallMs?: number;
  onBytes?: (n: number) => void;
}

interface JsonEventOptions extends ReadOptions {
  /** Sees each long base64 value as it starts to arrive (see Lifter). */
  onLift?: LifterOptions['onValue'];
}

interface MessageOptions extends ReadOptions {
  /** Lifts long base64 values out of the text as they arrive (see lift.ts). */
  lifter?: Lifter;
}

interface RawMessage extends SseMessage {
  /** The stream closed before this message's terminating blank line. */
  unterminated: boolean;
}

/**
 * Marks a message the stream left unterminated at EOF. A control character no real stream puts in an id; the
 * parser attaches it to whatever event is still open, so the tag travels with exactly that message.
 */
const EOF_MARK = '\u0001atelier-eof';

/** Passes text through; at the end, closes a final event the server left open, tagged with EOF_MARK. */
function eofTerminator(): TransformStream<string, string> {
  let last = '';
  return new TransformStream<string, string>({
    transform(text, controller) {
      if (text === '') return;
      last = text[text.length - 1] ?? '';
      controller.enqueue(text);
    },
    flush(controller) {
      const atLineStart = last === '' || last === '\n' || last === '\r';
      controller.enqueue(`${atLineStart ? '' : '\n'}id: ${EOF_MARK}\n\n`);
    },
  });
}

async function* messages(body: ReadableStream<Uint8Array>, opts: MessageOptions): AsyncGenerator<RawMessage> {
  const { signal, stallMs, onBytes, lifter } = opts;
  if (signal?.aborted) throw abortErrorFrom(signal);

  let failure: unknown = null;
  let waiting = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let rejectInterrupt: (e: unknown) => void = () => {};
  const interrupt = new Promise<never>((_, reject) => (rejectInterrupt = reject));
  interrupt.catch(() => {}); // observed by the race below; never an unhandled rejection

  const fail = (e: unknown): void => {
    if (failure !== null) return;
    failure = e;
    clearTimeout(timer);
    rejectInterrupt(e);
    reader.cancel(e).catch(() => {});
  };
  // The stall clock runs only while the caller waits for the next message, and restarts on every chunk.
  const arm = (): void => {
    clearTimeout(timer);
    if (!waiting || !stallMs || stallMs <= 0) return;
    timer = setTimeout(() => {
      const s = Math.round(stallMs / 100) / 10;
      fail(new StreamError('stalled', `No data arrived for ${s} s`, { stallMs }));
    }, stallMs);
  };
  const tap = new TransformStream<Uint8Array, Uint8Array<ArrayBuffer>>({
    transform(chunk, controller) {
      if (chunk.byteLength > 0) {
        arm();
        try {
          onBytes?.(chunk.byteLength);
        } catch (e) {
          fail(e);
        }
      }
      controller.enqueue(chunk as Uint8Array<ArrayBuffer>);
    },
  });

  let text = body.pipeThrough(tap).pipeThrough(new TextDecoderStream());
  if (lifter) text = text.pipeThrough(lifter.stream());
  const reader: ReadableStreamDefaultReader<EventSourceMessage> = text
    .pipeThrough(eofTerminator())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  const onAbort = (): void => fail(abortErrorFrom(signal));
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    for (;;) {
      let result: ReadableStreamReadResult<EventSourceMessage>;
      waiting = true;
      arm();
      try {
        result = await Promise.race([reader.read(), interrupt]);
      } catch (e) {
        if (failure !== null) throw failure;
        if (signal?.aborted) throw abortErrorFrom(signal);
        if (isAbortError(e)) throw e;
        throw new StreamError('cut', 'The connection was lost during the stream', { cause: e });
      } finally {
        waiting = false;
        clearTimeout(timer);
      }
      if (failure !== null) throw failure;
      if (result.done) return;
      const { event, data, id } = result.value;
      const unterminated = id === EOF_MARK;
      const msg: RawMessage = { event: event ?? 'message', data, unterminated };
      if (id !== undefined && !unterminated) msg.id = id;
      yield msg;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
    // Stops the download when the caller breaks out early; harmless once the stream has ended.
    reader.cancel().catch(() => {});
  }
}

/** Reads SSE messages from a byte stream. Ends when the stream ends; throws AbortError if `signal` aborts. */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  for await (const { unterminated: _, ...msg } of messages(body, { signal })) yield msg;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses each message's data as JSON and yields it with a `type` (from the data, else the event name). Skips
 * empty data and `[DONE]`; unknown events are yielded for the caller to ignore. Error events (`event: error`,
 * `type: 'error'`, or a top-level `error` object) throw an ApiError with `inStream: true` and status 0.
 * Throws StreamError: 'malformed' for data that isn't a JSON object, 'cut' for a final event the connection
 * truncated or a lost connection, 'stalled' after `stallMs` without bytes. `onBytes` gets each chunk's size.
 */
export async function* readJsonEvents(
  body: ReadableStream<Uint8Array>,
  opts: JsonEventOptions = {},
): AsyncGenerator<StreamEvent> {
  const { onLift, ...read } = opts;
  const lifter = new Lifter({ onValue: onLift });
  try {
    yield* parsedEvents(messages(body, { ...read, lifter }), lifter);
  } finally {
    // An error, a cancellation or the caller leaving: a value still arriving will never be complete.
    lifter.close(new StreamError('cut', 'The stream stopped inside the image data'));
  }
}

async function* parsedEvents(
  source: AsyncGenerator<RawMessage>,
  lifter: Lifter,
): AsyncGenerator<StreamEvent> {
  for await (const msg of source) {
    const text = msg.data.trim();
    if (text === '' || text === '[DONE]') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      if (msg.event === 'error')
        throw apiErrorFromPayload({ message: text.slice(0, 500) }, { status: 0, inStream: true });
      if (msg.unterminated) {
        throw new StreamError('cut', 'The stream ended in the middle of an event', { cause: e });
      }
      throw new StreamError('malformed', `The server sent an event (“${msg.event}”) that is not valid JSON`, {
        cause: e,
      });
    }
    if (!isRecord(parsed)) {
      if (msg.event === 'error')
        throw apiErrorFromPayload({ message: text.slice(0, 500) }, { status: 0, inStream: true });
      throw new StreamError(
        'malformed',
        `The server sent an event (“${msg.event}”) that is not a JSON object`,
      );
    }
    const type = typeof parsed.type === 'string' && parsed.type !== '' ? parsed.type : msg.event;
    if (msg.event === 'error' || type === 'error' || isRecord(parsed.error)) {
      throw apiErrorFromPayload(parsed, { status: 0, inStream: true });
    }
    lifter.resolve(parsed);
    parsed.type = type;
    yield parsed as StreamEvent;
  }
}
