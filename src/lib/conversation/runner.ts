/**
 * Running a conversation turn against the Responses API: uploading or inlining its images, streaming the
 * response into the turn, resuming or polling a background job, cancelling, and turning failures into the
 * turn's message. The conversation's state (the tree, the draft, the options) lives in ConversationState,
 * which this reaches only through a TurnHost.
 */
import type { Connection } from '../api/client';
import { describeErrorLazily } from '../api/describe-lazy';
import { ApiError, isAbortError, NetworkError, StreamError } from '../api/errors';
import type { StreamEvent } from '../api/sse';
import { imageBlobFromBase64 } from '../images/bytes';
import { resolveModel } from '../models/resolve';
import { cancelResponse, getResponse, resumeResponse, streamResponse } from './api';
import type { TurnBook } from './book';
import { applyResponse, initialTurnStream, isTerminal, reduceTurn, type TurnStream } from './events';
import { blobToDataUrl, fileIdFor, type FileCache } from './files';
import type { JobStore } from './jobs';
import {
  CUT_MESSAGE,
  outcomeMessage,
  requestMessage,
  RESUMABLE_MESSAGE,
  uploadMessage,
  type TurnMessage,
} from './messages';
import {
  buildResponsesRequest,
  type ImageDetail,
  type ImageRef,
  type ToolOptions,
  type TurnContext,
} from './request';
import { fallbackAfterGone, isGoneError, type ContextPlan, type TurnImage, type TurnRecord } from './tree';

/** What a runner needs from the conversation it runs turns for. */
export interface TurnHost {
  turn(id: string): TurnRecord | null;
  /** Patches a turn on screen and returns it. */
  update(id: string, patch: Partial<TurnRecord>): TurnRecord;
  /** Queues the turn's IndexedDB write. */
  save(turn: TurnRecord): void;
  /** Marks a turn's request in flight, or no longer. */
  track(id: string, ac: AbortController): void;
  untrack(id: string): void;
  isActive(id: string): boolean;
  /** The nearest finished turn on the path to `parentId`, whose answer a new turn continues. */
  contextTurn(parentId: string | null): TurnRecord | null;
  /** The send options of the moment (not kept with the turn). */
  sending(): { useFiles: boolean; detail: ImageDetail; safetyIdentifier: string | null };
  /** A final image arrived (for the library). */
  imageDone(turn: TurnRecord, image: Blob): void;
  /** A turn ended in any way (for the cost ledger). */
  turnEnded(turn: TurnRecord): void;
}

export interface RunnerDeps {
  book: TurnBook;
  jobs: JobStore;
  files: FileCache;
  fetchImpl?: typeof fetch;
}

export class TurnRunner {
  constructor(
    private readonly host: TurnHost,
    private readonly deps: RunnerDeps,
  ) {}

  private get book(): TurnBook {
    return this.deps.book;
  }

  private get jobs(): JobStore {
    return this.deps.jobs;
  }

  private async imageRef(conn: Connection, blob: Blob, name: string, signal: AbortSignal): Promise<ImageRef> {
    if (!this.host.sending().useFiles) return { kind: 'url', url: await blobToDataUrl(blob) };
    const { fileId } = await fileIdFor(conn, this.deps.files, blob, name, {
      signal,
      fetchImpl: this.deps.fetchImpl,
    });
    return { kind: 'file', fileId };
  }

  /** Sends turn `id` (already on screen) with `tool`, referring to its parent as `plan` says. */
  async execute(
    conn: Connection,
    id: string,
    plan: ContextPlan,
    tool: ToolOptions,
    opts: { stallMs?: number },
  ): Promise<void> {
    const turn = this.host.turn(id)!;
    const ac = new AbortController();
    this.host.track(id, ac);
    try {
      let images: ImageRef[];
      let mask: ImageRef | null;
      let context: TurnContext;
      try {
        images = await Promise.all(turn.inputs.map((i) => this.imageRef(conn, i.blob, i.name, ac.signal)));
        mask = turn.mask ? await this.imageRef(conn, turn.mask, 'mask.png', ac.signal) : null;
        context =
          plan.kind === 'image'
            ? { kind: 'image', image: await this.imageRef(conn, plan.blob, 'earlier-image.png', ac.signal) }
            : plan;
      } catch (e) {
        if (isAbortError(e)) return this.finish(id, { status: 'cancelled' });
        const why =
          e instanceof ApiError || e instanceof NetworkError || e instanceof Error ? e.message : String(e);
        return this.finish(id, { status: 'failed', error: uploadMessage(why) });
      }
      const { detail, safetyIdentifier } = this.host.sending();
      const req = buildResponsesRequest(resolveModel(tool.model), {
        mainline: turn.mainline,
        text: turn.text,
        images,
        mask,
        detail,
        tool,
        context,
        store: turn.store,
        background: turn.background,
        stream: true,
        safetyIdentifier,
      });
      this.book.streams.set(id, initialTurnStream());
      try {
        await this.consume(
          conn,
          id,
          streamResponse(conn, req.body, {
            signal: ac.signal,
            stallMs: opts.stallMs,
            fetchImpl: this.deps.fetchImpl,
          }),
        );
      } catch (e) {
        const started = (this.book.streams.get(id)?.lastSeq ?? -1) >= 0;
        if (!started && isGoneError(e) && (plan.kind === 'previous' || plan.kind === 'item')) {
          const fallback = fallbackAfterGone(this.host.contextTurn(turn.parentId));
          if (fallback.kind === 'image') {
            this.host.update(id, { note: fallback.note, contextKind: 'image' });
            this.host.untrack(id);
            return this.execute(conn, id, fallback, tool, opts);
          }
        }
        await this.failed(conn, id, e, ac.signal);
      }
    } finally {
      this.host.untrack(id);
    }
  }

  /** Resumes an interrupted background turn from its last sequence number. */
  async resume(conn: Connection, id: string, opts: { stallMs?: number } = {}): Promise<void> {
    const turn = this.host.turn(id);
    const job = this.jobs.get(id);
    const responseId = turn?.responseId ?? job?.responseId;
    if (!turn || !responseId || this.host.isActive(id)) return;
    const ac = new AbortController();
    this.host.track(id, ac);
    const after = job ? Math.min(job.lastSeq, turn.lastSeq) : turn.lastSeq;
    const prior = this.book.streams.get(id) ?? restoreStream(turn, responseId);
    this.book.streams.set(id, { ...prior, lastSeq: after });
    this.host.update(id, { status: 'streaming', error: null });
    try {
      await this.consume(
        conn,
        id,
        resumeResponse(conn, responseId, after, {
          signal: ac.signal,
          stallMs: opts.stallMs,
          fetchImpl: this.deps.fetchImpl,
        }),
      );
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        this.jobs.remove(id);
        this.finish(id, {
          status: 'failed',
          error: {
            title: 'The server no longer has this job',
            detail: e.message,
            next: 'Press Retry to send this turn again.',
          },
        });
      } else if (e instanceof ApiError && !e.inStream && !ac.signal.aborted) {
        // The server is there but would not stream: ask for the response as JSON instead (GET /responses/{id}).
        const polled = await this.poll(conn, id).then(
          () => true,
          () => false,
        );
        if (polled && this.host.turn(id)?.status !== 'streaming') return;
        // Still running, or unreachable: the job may finish later, so keep it resumable.
        this.finish(id, {
          status: 'interrupted',
          error: { title: 'Could not resume yet', detail: e.message, next: 'Press Resume to try again.' },
        });
      } else await this.failed(conn, id, e, ac.signal);
    } finally {
      this.host.untrack(id);
    }
  }

  /** Cancel: a background job is cancelled on the server too; a foreground stream is dropped. */
  async cancel(conn: Connection, id: string): Promise<void> {
    const turn = this.host.turn(id);
    if (!turn) return;
    // Marked first, so the aborted stream is not reported as a failure.
    this.host.update(id, { status: 'cancelled' });
    this.book.controllers.get(id)?.abort();
    if (turn.background && turn.responseId) {
      try {
        const r = await cancelResponse(conn, turn.responseId, { fetchImpl: this.deps.fetchImpl });
        this.book.streams.set(id, applyResponse(this.book.streams.get(id) ?? initialTurnStream(), r));
      } catch (e) {
        const msg = await describeErrorLazily(e, { baseUrl: conn.baseUrl, apiKey: conn.apiKey });
        if (msg) this.host.update(id, { note: `Cancelling on the server failed: ${msg.detail}` });
      }
    }
    this.jobs.remove(id);
    this.finish(id, { status: 'cancelled' });
  }

  /** Polls a background response once (for a job whose stream cannot be resumed). */
  async poll(conn: Connection, id: string): Promise<void> {
    const turn = this.host.turn(id);
    if (!turn?.responseId) return;
    const r = await getResponse(conn, turn.responseId, { fetchImpl: this.deps.fetchImpl });
    const s = applyResponse(this.book.streams.get(id) ?? restoreStream(turn, turn.responseId), r);
    this.book.streams.set(id, s);
    this.apply(id, s);
    if (isTerminal(s.status)) this.ended(id, s);
  }

  private async consume(conn: Connection, id: string, events: AsyncGenerator<StreamEvent>): Promise<void> {
    for await (const ev of events) {
      const before = this.book.streams.get(id) ?? initialTurnStream();
      const s = reduceTurn(before, ev);
      if (s === before) continue;
      this.book.streams.set(id, s);
      const turn = this.host.turn(id)!;
      if (s.responseId && turn.background && !this.jobs.get(id))
        this.jobs.put({
          turnId: id,
          responseId: s.responseId,
          lastSeq: s.lastSeq,
          baseUrl: conn.baseUrl,
          startedAt: turn.createdAt,
        });
      else this.jobs.advance(id, s.lastSeq);
      this.apply(id, s);
      if (isTerminal(s.status)) break;
    }
    const s = this.book.streams.get(id)!;
    if (isTerminal(s.status)) return this.ended(id, s);
    // The stream closed without a terminal event.
    throw new StreamError('cut', 'The stream ended before the response was complete.');
  }

  /** Copies the stream state into the turn: text, partials and final images (as Blobs), ids. */
  private apply(id: string, s: TurnStream): void {
    const turn = this.host.turn(id)!;
    const { images, fresh } = imagesFromStream(turn.images, s);
    const next = this.host.update(id, {
      responseId: s.responseId ?? turn.responseId,
      lastSeq: s.lastSeq,
      status: isTerminal(s.status) ? turn.status : 'streaming',
      messages: s.messages.length ? s.messages : turn.messages,
      usage: s.usage ?? turn.usage ?? null,
      toolUsage: s.toolUsage ?? turn.toolUsage ?? null,
      images,
    });
    this.host.save(next);
    for (const blob of fresh) this.host.imageDone(next, blob);
  }

  private ended(id: string, s: TurnStream): void {
    this.jobs.remove(id);
    const message = outcomeMessage(s);
    if (s.status === 'completed') this.finish(id, { status: 'done' });
    else if (s.status === 'cancelled') this.finish(id, { status: 'cancelled' });
    else this.finish(id, { status: s.status === 'incomplete' ? 'incomplete' : 'failed', error: message });
  }

  private async failed(conn: Connection, id: string, e: unknown, signal: AbortSignal): Promise<void> {
    const turn = this.host.turn(id);
    if (!turn) return;
    if (isAbortError(e) || signal.aborted) {
      if (turn.status !== 'cancelled') this.finish(id, { status: 'cancelled' });
      return;
    }
    const s = this.book.streams.get(id);
    if (e instanceof ApiError && e.inStream && s) {
      this.book.streams.set(id, reduceTurn(s, { type: 'error', code: e.code, message: e.message }));
      return this.ended(id, this.book.streams.get(id)!);
    }
    const cut = e instanceof StreamError || e instanceof NetworkError;
    if (cut && turn.background && turn.responseId) {
      // The job is still running on the server: resume once by itself, then offer Resume (the record is kept).
      this.finish(id, { status: 'interrupted', error: RESUMABLE_MESSAGE });
      if (!this.book.autoResumed.has(id)) {
        this.book.autoResumed.add(id);
        setTimeout(() => void this.resume(conn, id), 0); // after this request has let go of the turn
      }
      return;
    }
    if (cut && (s?.lastSeq ?? -1) >= 0) return this.finish(id, { status: 'interrupted', error: CUT_MESSAGE });
    this.jobs.remove(id);
    const specific = requestMessage(e, { mainline: turn.mainline, toolModel: turn.toolModel });
    const described =
      specific ??
      (await describeErrorLazily(e, { baseUrl: conn.baseUrl, apiKey: conn.apiKey, model: turn.toolModel }));
    const error: TurnMessage = described
      ? { title: described.title, detail: described.detail, next: described.next }
      : { title: 'The turn failed', detail: String(e), next: 'Retry.' };
    this.finish(id, { status: 'failed', error });
  }

  /** Ends a turn's run (or pauses it, when interrupted): saved, and reported unless it can still resume. */
  finish(id: string, patch: Partial<TurnRecord>): void {
    const turn = this.host.update(id, patch);
    this.host.save(turn);
    if (patch.status === 'interrupted') return;
    this.book.streams.delete(id);
    this.host.turnEnded(turn);
  }
}

/**
 * The turn's images after a stream update: each image call's final image and newest partial as Blobs (made
 * once: images already on the turn are reused), then images the stream no longer lists. `fresh` holds the
 * final images made by this update.
 */
export function imagesFromStream(old: TurnImage[], s: TurnStream): { images: TurnImage[]; fresh: Blob[] } {
  const fresh: Blob[] = [];
  const images: TurnImage[] = s.images.map((call) => {
    const prev = old.find((i) => i.itemId === call.id);
    let blob = prev?.blob ?? null;
    if (!blob && call.result) {
      blob = imageBlobFromBase64(call.result, call.outputFormat ?? undefined);
      fresh.push(blob);
    }
    const partial =
      call.partial && call.partialIndex !== (prev?.partialIndex ?? -1)
        ? imageBlobFromBase64(call.partial, call.outputFormat ?? undefined)
        : (prev?.partial ?? null);
    return {
      itemId: call.id,
      blob,
      partial,
      partialIndex: call.partialIndex,
      revisedPrompt: call.revisedPrompt ?? prev?.revisedPrompt ?? null,
      action: call.action ?? prev?.action ?? null,
      size: call.size ?? prev?.size ?? null,
      quality: call.quality ?? prev?.quality ?? null,
    };
  });
  const kept = old.filter((i) => !images.some((n) => n.itemId === i.itemId));
  return { images: [...kept, ...images], fresh };
}

/** A stream state rebuilt from a saved turn, to continue after a reload. */
export function restoreStream(turn: TurnRecord, responseId: string): TurnStream {
  return {
    ...initialTurnStream(),
    responseId,
    status: 'in_progress',
    background: turn.background,
    lastSeq: turn.lastSeq,
    messages: turn.messages,
    images: turn.images.map((i) => ({
      id: i.itemId,
      status: i.blob ? 'completed' : 'generating',
      partialIndex: i.partialIndex,
      partial: null,
      result: null,
      revisedPrompt: i.revisedPrompt,
      action: i.action,
      size: i.size,
      quality: i.quality,
      background: null,
      outputFormat: null,
    })),
  };
}
