/** The Responses API calls of conversation mode, over the shared client and SSE reader. */
import { apiFetch, type Connection } from '../api/client';
import { readJsonEvents, type StreamEvent } from '../api/sse';

export interface CallOptions {
  signal?: AbortSignal;
  stallMs?: number;
  fetchImpl?: typeof fetch;
}

type Rec = Record<string, unknown>;

/** `POST /responses` with `stream: true`: the events as they arrive (error events throw ApiError). */
export async function* streamResponse(
  conn: Connection,
  body: Rec,
  opts: CallOptions = {},
): AsyncGenerator<StreamEvent> {
  const res = await apiFetch(conn, '/responses', {
    method: 'POST',
    json: body,
    accept: 'text/event-stream',
    signal: opts.signal,
    fetchImpl: opts.fetchImpl,
  });
  yield* eventsOf(res, opts);
}

/** `GET /responses/{id}?stream=true&starting_after=N`: the events after N, then live ones. */
export async function* resumeResponse(
  conn: Connection,
  id: string,
  after: number,
  opts: CallOptions = {},
): AsyncGenerator<StreamEvent> {
  const res = await apiFetch(
    conn,
    `/responses/${encodeURIComponent(id)}?stream=true&starting_after=${after}`,
    {
      accept: 'text/event-stream',
      signal: opts.signal,
      fetchImpl: opts.fetchImpl,
    },
  );
  yield* eventsOf(res, opts);
}

async function* eventsOf(res: Response, opts: CallOptions): AsyncGenerator<StreamEvent> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream') || !res.body) {
    // A server that answers JSON despite stream: true: one synthetic event with the whole response.
    const json = (await res.json()) as Rec;
    yield { type: `response.${typeof json.status === 'string' ? json.status : 'completed'}`, response: json };
    return;
  }
  yield* readJsonEvents(res.body, { signal: opts.signal, stallMs: opts.stallMs });
}

/** `GET /responses/{id}`: the Response object. */
export async function getResponse(conn: Connection, id: string, opts: CallOptions = {}): Promise<Rec> {
  const res = await apiFetch(conn, `/responses/${encodeURIComponent(id)}`, {
    signal: opts.signal,
    fetchImpl: opts.fetchImpl,
  });
  return (await res.json()) as Rec;
}

/** `POST /responses/{id}/cancel` (background responses only): the Response object, status `cancelled`. */
export async function cancelResponse(conn: Connection, id: string, opts: CallOptions = {}): Promise<Rec> {
  const res = await apiFetch(conn, `/responses/${encodeURIComponent(id)}/cancel`, {
    method: 'POST',
    signal: opts.signal,
    fetchImpl: opts.fetchImpl,
    retry: false,
  });
  return (await res.json()) as Rec;
}
