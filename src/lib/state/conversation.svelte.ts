/**
 * Conversation mode: the conversation tree, the draft turn, the options, and running turns against the
 * Responses API (streamed, optionally in background mode and resumable after a reload).
 */
import type { Connection } from '../api/client';
import { describeErrorLazily } from '../api/describe-lazy';
import { ApiError, isAbortError, NetworkError, StreamError } from '../api/errors';
import type { StreamEvent } from '../api/sse';
import { imageBlobFromBase64 } from '../images/bytes';
import { cancelResponse, getResponse, resumeResponse, streamResponse } from '../conversation/api';
import {
  applyResponse,
  initialTurnStream,
  isTerminal,
  reduceTurn,
  turnText,
  type TurnStream,
} from '../conversation/events';
import { blobToDataUrl, FileCache, fileIdFor } from '../conversation/files';
import { TurnBook } from '../conversation/book';
import { JobStore } from '../conversation/jobs';
import {
  CUT_MESSAGE,
  outcomeMessage,
  RELOADED_MESSAGE,
  requestMessage,
  RESUMABLE_MESSAGE,
  uploadMessage,
  type TurnMessage,
} from '../conversation/messages';
import {
  buildResponsesRequest,
  DEFAULT_TOOL_OPTIONS,
  resentTool,
  validateTurn,
  type ImageDetail,
  type ImageRef,
  type ToolOptions,
  type TurnContext,
} from '../conversation/request';
import {
  contextTurnOf,
  fallbackAfterGone,
  isGoneError,
  leafOf,
  pathHasImage,
  pathTo,
  planContext,
  type ContextPlan,
  type ReferenceMode,
  type TurnImage,
  type TurnRecord,
} from '../conversation/tree';
import { idbConversationStore, type ConversationStore } from '../history/conversations';
import { DEFAULT_MAINLINE, defaultToolModel, mainlineChoices, toolModelChoices } from '../models/mainline';
import { resolveModel, todayIso, type ServerModel } from '../models/resolve';
import { checkSize, sizePresets } from '../models/sizes';
import type { EditState } from './edit.svelte';

const PREFS_KEY = 'atelier.conversation.v1';

export interface ConversationDeps {
  storage?: Storage | null;
  store?: ConversationStore;
  now?: () => number;
  fetchImpl?: typeof fetch;
}

interface Prefs {
  mainline: string;
  tool: ToolOptions;
  referenceMode: ReferenceMode;
  store: boolean;
  background: boolean;
  useFiles: boolean;
  detail: ImageDetail;
  /** The Conversation tab was open: a reload shows it again. */
  open: boolean;
}

let idCounter = 0;
const newTurnId = (now: number) => `turn-${now.toString(36)}-${(idCounter++).toString(36)}`;

export class ConversationState {
  mainline = $state(DEFAULT_MAINLINE);
  tool = $state<ToolOptions>({ ...DEFAULT_TOOL_OPTIONS, model: defaultToolModel(null, todayIso()) });
  referenceMode = $state<ReferenceMode>('previous');
  /** false: "Don't store conversations on the server" (store: false). */
  store = $state(true);
  background = $state(false);
  useFiles = $state(false);
  detail = $state<ImageDetail>('auto');
  text = $state('');
  showErrors = $state(false);
  /** The Conversation tab is the one shown (kept so a reload returns to it). */
  open = $state(false);

  turns = $state.raw<TurnRecord[]>([]);
  /** The turn the next message continues (null: a new conversation). */
  parentId = $state<string | null>(null);
  /** The last turn of the branch on screen. */
  viewLeaf = $state<string | null>(null);
  /** Turns with a request in flight (running or resuming). */
  active = $state.raw<readonly string[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  serverModels = $state.raw<ServerModel[] | null>(null);
  safetyIdentifier = $state<string | null>(null);

  /** Called once per final image, with the turn as it stands then (for the library). */
  onImage?: (turn: TurnRecord, image: Blob) => void;
  /** Called when a turn ends in any way (for the cost ledger). */
  onTurnEnd?: (turn: TurnRecord) => void;

  readonly draft: EditState;
  private readonly storage: Storage | null;
  private readonly db: ConversationStore;
  private readonly jobs: JobStore;
  private readonly files: FileCache;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly book = new TurnBook();

  profile = $derived(resolveModel(this.tool.model));
  mainlineOptions = $derived(mainlineChoices(this.serverModels, todayIso()));
  toolModels = $derived(toolModelChoices(this.serverModels, todayIso()));
  parent = $derived(this.turns.find((t) => t.id === this.parentId) ?? null);
  shown = $derived(pathTo(this.turns, this.viewLeaf));
  imageInContext = $derived.by(
    () => this.draft.sources.length > 0 || pathHasImage(this.turns, this.parentId),
  );
  validation = $derived.by(() =>
    validateTurn(
      this.profile,
      {
        mainline: this.mainline,
        text: this.text,
        images: this.draft.sources.map(() => ({ kind: 'url', url: '' }) as ImageRef),
        mask: this.draft.activeMask ? { kind: 'url', url: '' } : null,
        tool: this.tool,
        store: this.store,
        background: this.background,
      },
      this.imageInContext,
    ),
  );
  busy = $derived(this.active.length > 0);

  constructor(draft: EditState, deps: ConversationDeps = {}) {
    this.draft = draft;
    this.storage =
      deps.storage !== undefined ? deps.storage : typeof localStorage === 'undefined' ? null : localStorage;
    this.db = deps.store ?? idbConversationStore();
    this.jobs = new JobStore(this.storage);
    this.files = new FileCache(this.storage);
    this.now = deps.now ?? Date.now;
    this.fetchImpl = deps.fetchImpl;
    this.readPrefs();
  }

  private readPrefs(): void {
    try {
      const p = JSON.parse(this.storage?.getItem(PREFS_KEY) ?? 'null') as Partial<Prefs> | null;
      if (!p) return;
      if (typeof p.mainline === 'string') this.mainline = p.mainline;
      if (p.tool && typeof p.tool.model === 'string') this.tool = { ...this.tool, ...p.tool };
      if (p.referenceMode === 'item' || p.referenceMode === 'previous') this.referenceMode = p.referenceMode;
      if (typeof p.store === 'boolean') this.store = p.store;
      if (typeof p.background === 'boolean') this.background = p.background;
      if (typeof p.useFiles === 'boolean') this.useFiles = p.useFiles;
      if (p.detail) this.detail = p.detail;
      if (typeof p.open === 'boolean') this.open = p.open;
    } catch {
      // Unreadable preferences: keep the defaults.
    }
  }

  /** Switches the tool's image model, keeping the options it takes and resetting the others. */
  setToolModel(id: string): void {
    const p = resolveModel(id);
    const sizes = sizePresets(p.sizes);
    this.tool = {
      ...this.tool,
      model: id,
      quality: p.qualities.includes(this.tool.quality) ? this.tool.quality : 'auto',
      size: checkSize(p.sizes, this.tool.size).ok ? this.tool.size : (sizes[0] ?? 'auto'),
      inputFidelity: p.inputFidelity?.includes(this.tool.inputFidelity) ? this.tool.inputFidelity : '',
      format: p.formats.includes(this.tool.format) && this.tool.format !== 'gif' ? this.tool.format : 'png',
    };
  }

  /** Saves the options (not the draft text, which goes with the turn). */
  persistPrefs(): void {
    const prefs: Prefs = {
      mainline: this.mainline,
      tool: { ...this.tool },
      referenceMode: this.referenceMode,
      store: this.store,
      background: this.background,
      useFiles: this.useFiles,
      detail: this.detail,
      open: this.open,
    };
    try {
      this.storage?.setItem(PREFS_KEY, JSON.stringify(prefs));
    } catch {
      // Storage full or blocked: options last for this page only.
    }
  }

  /** Loads the saved tree; interrupted background turns resume, others are marked for Retry. */
  async load(conn: Connection | null): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    let saved: TurnRecord[] = [];
    try {
      saved = await this.db.load();
    } catch (e) {
      this.loadError = `The saved conversation could not be read (${e instanceof Error ? e.message : String(e)}). New turns still work but may not be kept.`;
    }
    const known = this.turns.map((t) => t.id);
    const restored = saved
      .filter((t) => !known.includes(t.id))
      .map((t) => {
        if (t.status !== 'sending' && t.status !== 'streaming') return t;
        const job = this.jobs.get(t.id);
        return {
          ...t,
          status: 'interrupted' as const,
          error: job ? RESUMABLE_MESSAGE : RELOADED_MESSAGE,
          lastSeq: job ? Math.min(job.lastSeq, t.lastSeq) : t.lastSeq,
        };
      });
    this.turns = [...restored, ...this.turns].sort((a, b) => a.createdAt - b.createdAt);
    const last = this.turns[this.turns.length - 1];
    if (last && this.viewLeaf === null) {
      this.viewLeaf = last.id;
      this.parentId = last.id;
    }
    if (!conn) return;
    for (const t of restored)
      if (t.status === 'interrupted' && this.jobs.get(t.id)?.baseUrl === conn.baseUrl)
        void this.resume(conn, t.id);
  }

  // --- the tree --------------------------------------------------------------------------------------------

  /** "Continue from here": the next message continues `id`, and its branch is shown. */
  continueFrom(id: string): void {
    this.parentId = id;
    this.viewLeaf = id;
  }

  /** Shows the branch through `id` (its newest leaf), continuing from that leaf. */
  showBranch(id: string): void {
    const leaf = leafOf(this.turns, id);
    this.viewLeaf = leaf;
    this.parentId = leaf;
  }

  /** Starts a new conversation (the old one stays, reachable as its own tree root). */
  startNew(): void {
    this.parentId = null;
    this.viewLeaf = null;
  }

  async clearAll(): Promise<void> {
    for (const c of this.book.controllers.values()) c.abort();
    this.turns = [];
    this.parentId = null;
    this.viewLeaf = null;
    await this.db.clear().catch(() => {});
  }

  /** The turn a new one continues for context: the nearest finished turn on the path (a failed one has no answer). */
  private contextTurn(parentId: string | null): TurnRecord | null {
    return contextTurnOf(this.turns, parentId);
  }

  // --- sending ----------------------------------------------------------------------------------------------

  /** Sends the draft as a new turn under `parentId`. Returns the turn, or null when the draft is refused. */
  async send(
    conn: Connection,
    opts: { stallMs?: number; estimate?: TurnRecord['estimate'] } = {},
  ): Promise<TurnRecord | null> {
    this.showErrors = true;
    if (!this.validation.ok) return null;
    const parentId = this.parent?.id ?? null;
    const turn = this.startTurn(parentId, {
      text: this.text,
      inputs: this.draft.sources.map((s) => ({ name: s.name, blob: s.blob })),
      mask: this.draft.activeMask?.blob ?? null,
      mainline: this.mainline.trim(),
      toolModel: this.tool.model.trim(),
      requestedAction: this.tool.action,
      estimate: opts.estimate ?? null,
    });
    // The turn now holds the message and images: the draft can be cleared without losing anything.
    this.text = '';
    this.showErrors = false;
    this.draft.dispose();
    await this.execute(conn, turn.id, turn.plan, { ...this.tool }, opts);
    return this.turn(turn.id);
  }

  /** Sends a failed or interrupted turn again, as a new sibling with the same message and images. */
  async retry(
    conn: Connection,
    id: string,
    opts: { stallMs?: number; estimate?: TurnRecord['estimate'] } = {},
  ): Promise<void> {
    const old = this.turn(id);
    if (!old) return;
    const turn = this.startTurn(old.parentId, { ...old, estimate: opts.estimate ?? old.estimate });
    const tool = resentTool(this.tool, old);
    await this.execute(conn, turn.id, turn.plan, tool, opts);
  }

  /** Adds a new turn under `parentId` (shown, continued next, saved) and plans how it refers to its parent. */
  private startTurn(
    parentId: string | null,
    message: Pick<
      TurnRecord,
      'text' | 'inputs' | 'mask' | 'mainline' | 'toolModel' | 'requestedAction' | 'estimate'
    >,
  ): TurnRecord & { plan: ContextPlan } {
    const now = this.now();
    const plan = planContext(this.contextTurn(parentId), this.referenceMode);
    const turn: TurnRecord = {
      text: message.text,
      inputs: message.inputs,
      mask: message.mask,
      mainline: message.mainline,
      toolModel: message.toolModel,
      requestedAction: message.requestedAction,
      estimate: message.estimate ?? null,
      id: newTurnId(now),
      parentId,
      createdAt: now,
      store: this.store,
      background: this.background,
      contextKind: plan.kind,
      responseId: null,
      lastSeq: -1,
      status: 'sending',
      messages: [],
      images: [],
      note: plan.kind === 'image' ? plan.note : null,
      error: null,
    };
    this.turns = [...this.turns, turn];
    this.viewLeaf = turn.id;
    this.parentId = turn.id;
    this.save(turn);
    return { ...turn, plan };
  }

  private async imageRef(conn: Connection, blob: Blob, name: string, signal: AbortSignal): Promise<ImageRef> {
    if (!this.useFiles) return { kind: 'url', url: await blobToDataUrl(blob) };
    const { fileId } = await fileIdFor(conn, this.files, blob, name, { signal, fetchImpl: this.fetchImpl });
    return { kind: 'file', fileId };
  }

  private async execute(
    conn: Connection,
    id: string,
    plan: ContextPlan,
    tool: ToolOptions,
    opts: { stallMs?: number },
  ): Promise<void> {
    const turn = this.turn(id)!;
    const ac = new AbortController();
    this.track(id, ac);
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
      const req = buildResponsesRequest(resolveModel(tool.model), {
        mainline: turn.mainline,
        text: turn.text,
        images,
        mask,
        detail: this.detail,
        tool,
        context,
        store: turn.store,
        background: turn.background,
        stream: true,
        safetyIdentifier: this.safetyIdentifier,
      });
      this.book.streams.set(id, initialTurnStream());
      try {
        await this.consume(
          conn,
          id,
          streamResponse(conn, req.body, {
            signal: ac.signal,
            stallMs: opts.stallMs,
            fetchImpl: this.fetchImpl,
          }),
        );
      } catch (e) {
        const started = (this.book.streams.get(id)?.lastSeq ?? -1) >= 0;
        if (!started && isGoneError(e) && (plan.kind === 'previous' || plan.kind === 'item')) {
          const fallback = fallbackAfterGone(this.contextTurn(turn.parentId));
          if (fallback.kind === 'image') {
            this.update(id, { note: fallback.note, contextKind: 'image' });
            this.untrack(id);
            return this.execute(conn, id, fallback, tool, opts);
          }
        }
        await this.failed(conn, id, e, ac.signal);
      }
    } finally {
      this.untrack(id);
    }
  }

  /** Resumes an interrupted background turn from its last sequence number. */
  async resume(conn: Connection, id: string, opts: { stallMs?: number } = {}): Promise<void> {
    const turn = this.turn(id);
    const job = this.jobs.get(id);
    const responseId = turn?.responseId ?? job?.responseId;
    if (!turn || !responseId || this.active.includes(id)) return;
    const ac = new AbortController();
    this.track(id, ac);
    const after = job ? Math.min(job.lastSeq, turn.lastSeq) : turn.lastSeq;
    const prior = this.book.streams.get(id) ?? restoreStream(turn, responseId);
    this.book.streams.set(id, { ...prior, lastSeq: after });
    this.update(id, { status: 'streaming', error: null });
    try {
      await this.consume(
        conn,
        id,
        resumeResponse(conn, responseId, after, {
          signal: ac.signal,
          stallMs: opts.stallMs,
          fetchImpl: this.fetchImpl,
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
        if (polled && this.turn(id)?.status !== 'streaming') return;
        // Still running, or unreachable: the job may finish later, so keep it resumable.
        this.finish(id, {
          status: 'interrupted',
          error: { title: 'Could not resume yet', detail: e.message, next: 'Press Resume to try again.' },
        });
      } else await this.failed(conn, id, e, ac.signal);
    } finally {
      this.untrack(id);
    }
  }

  /** Cancel: a background job is cancelled on the server too; a foreground stream is dropped. */
  async cancel(conn: Connection, id: string): Promise<void> {
    const turn = this.turn(id);
    if (!turn) return;
    // Marked first, so the aborted stream is not reported as a failure.
    this.update(id, { status: 'cancelled' });
    this.book.controllers.get(id)?.abort();
    if (turn.background && turn.responseId) {
      try {
        const r = await cancelResponse(conn, turn.responseId, { fetchImpl: this.fetchImpl });
        this.book.streams.set(id, applyResponse(this.book.streams.get(id) ?? initialTurnStream(), r));
      } catch (e) {
        const msg = await describeErrorLazily(e, { baseUrl: conn.baseUrl, apiKey: conn.apiKey });
        if (msg) this.update(id, { note: `Cancelling on the server failed: ${msg.detail}` });
      }
    }
    this.jobs.remove(id);
    this.finish(id, { status: 'cancelled' });
  }

  private async consume(conn: Connection, id: string, events: AsyncGenerator<StreamEvent>): Promise<void> {
    for await (const ev of events) {
      const before = this.book.streams.get(id) ?? initialTurnStream();
      const s = reduceTurn(before, ev);
      if (s === before) continue;
      this.book.streams.set(id, s);
      const turn = this.turn(id)!;
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
    const turn = this.turn(id)!;
    const fresh: Blob[] = [];
    const images: TurnImage[] = s.images.map((call) => {
      const old = turn.images.find((i) => i.itemId === call.id);
      let blob = old?.blob ?? null;
      if (!blob && call.result) {
        blob = imageBlobFromBase64(call.result, call.outputFormat ?? undefined);
        fresh.push(blob);
      }
      const partial =
        call.partial && call.partialIndex !== (old?.partialIndex ?? -1)
          ? imageBlobFromBase64(call.partial, call.outputFormat ?? undefined)
          : (old?.partial ?? null);
      return {
        itemId: call.id,
        blob,
        partial,
        partialIndex: call.partialIndex,
        revisedPrompt: call.revisedPrompt ?? old?.revisedPrompt ?? null,
        action: call.action ?? old?.action ?? null,
        size: call.size ?? old?.size ?? null,
        quality: call.quality ?? old?.quality ?? null,
      };
    });
    const kept = turn.images.filter((i) => !images.some((n) => n.itemId === i.itemId));
    const next = this.update(id, {
      responseId: s.responseId ?? turn.responseId,
      lastSeq: s.lastSeq,
      status: isTerminal(s.status) ? turn.status : 'streaming',
      messages: s.messages.length ? s.messages : turn.messages,
      usage: s.usage ?? turn.usage ?? null,
      toolUsage: s.toolUsage ?? turn.toolUsage ?? null,
      images: [...kept, ...images],
    });
    this.save(next);
    for (const blob of fresh) this.onImage?.(next, blob);
  }

  private ended(id: string, s: TurnStream): void {
    this.jobs.remove(id);
    const message = outcomeMessage(s);
    if (s.status === 'completed') this.finish(id, { status: 'done' });
    else if (s.status === 'cancelled') this.finish(id, { status: 'cancelled' });
    else this.finish(id, { status: s.status === 'incomplete' ? 'incomplete' : 'failed', error: message });
  }

  private async failed(conn: Connection, id: string, e: unknown, signal: AbortSignal): Promise<void> {
    const turn = this.turn(id);
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

  /** Polls a background response once (for a job whose stream cannot be resumed). */
  async poll(conn: Connection, id: string): Promise<void> {
    const turn = this.turn(id);
    if (!turn?.responseId) return;
    const r = await getResponse(conn, turn.responseId, { fetchImpl: this.fetchImpl });
    const s = applyResponse(this.book.streams.get(id) ?? restoreStream(turn, turn.responseId), r);
    this.book.streams.set(id, s);
    this.apply(id, s);
    if (isTerminal(s.status)) this.ended(id, s);
  }

  private finish(id: string, patch: Partial<TurnRecord>): void {
    const turn = this.update(id, patch);
    this.save(turn);
    if (patch.status === 'interrupted') return;
    this.book.streams.delete(id);
    this.onTurnEnd?.(turn);
  }

  // --- bookkeeping ------------------------------------------------------------------------------------------

  turn(id: string): TurnRecord | null {
    return this.turns.find((t) => t.id === id) ?? null;
  }

  /** Whether a turn's request is in flight. */
  isActive(id: string): boolean {
    return this.active.includes(id);
  }

  /** Whether an interrupted turn can be resumed (background, with a response id). */
  canResume(t: TurnRecord): boolean {
    return t.status === 'interrupted' && t.background && t.responseId !== null && !this.active.includes(t.id);
  }

  private update(id: string, patch: Partial<TurnRecord>): TurnRecord {
    let out: TurnRecord | null = null;
    this.turns = this.turns.map((t) => (t.id === id ? (out = { ...t, ...patch }) : t));
    return out ?? (this.turn(id) as TurnRecord);
  }

  private track(id: string, ac: AbortController): void {
    this.book.controllers.set(id, ac);
    if (!this.active.includes(id)) this.active = [...this.active, id];
  }

  private untrack(id: string): void {
    this.book.controllers.delete(id);
    if (!this.active.includes(id)) return;
    this.active = this.active.filter((a) => a !== id);
  }

  /** Writes a turn to IndexedDB, one write at a time per turn (the newest version wins). */
  private save(turn: TurnRecord): void {
    const prev = this.book.saving.get(turn.id) ?? Promise.resolve();
    const next = prev
      .then(() => this.db.save(this.turn(turn.id) ?? turn))
      .catch((e: unknown) => {
        this.loadError = `A turn could not be saved (${e instanceof Error ? e.message : String(e)}); it stays on screen until you leave the page.`;
      });
    this.book.saving.set(turn.id, next);
  }

  /** Resolves when pending writes are done (tests, and before a deliberate reload). */
  async flush(): Promise<void> {
    await Promise.all(this.book.saving.values());
  }

  /** The assistant text of a turn. */
  textOf = (t: TurnRecord): string => turnText({ ...initialTurnStream(), messages: t.messages });
}

/** A stream state rebuilt from a saved turn, to continue after a reload. */
function restoreStream(turn: TurnRecord, responseId: string): TurnStream {
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
