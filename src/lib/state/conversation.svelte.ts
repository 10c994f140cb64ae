/**
 * Conversation mode: the conversation tree, the draft turn and the options, kept on screen and in storage.
 * Running a turn against the Responses API (streamed, optionally in background mode and resumable after a
 * reload) is the TurnRunner's job (conversation/runner.ts).
 */
import type { Connection } from '../api/client';
import { initialTurnStream, turnText } from '../conversation/events';
import { FileCache } from '../conversation/files';
import { TurnBook } from '../conversation/book';
import { JobStore } from '../conversation/jobs';
import { RELOADED_MESSAGE, RESUMABLE_MESSAGE } from '../conversation/messages';
import {
  DEFAULT_TOOL_OPTIONS,
  resentTool,
  validateTurn,
  type ImageDetail,
  type ImageRef,
  type ToolOptions,
} from '../conversation/request';
import { readPrefs, writePrefs } from '../conversation/prefs';
import { TurnRunner, type TurnHost } from '../conversation/runner';
import {
  contextTurnOf,
  leafOf,
  pathHasImage,
  pathTo,
  planContext,
  type ContextPlan,
  type ReferenceMode,
  type TurnRecord,
} from '../conversation/tree';
import { idbConversationStore, type ConversationStore } from '../history/conversations';
import { DEFAULT_MAINLINE, defaultToolModel, mainlineChoices, toolModelChoices } from '../models/mainline';
import { resolveModel, todayIso, type ServerModel } from '../models/resolve';
import { checkSize, sizePresets } from '../models/sizes';
import type { EditState } from './edit.svelte';

export interface ConversationDeps {
  storage?: Storage | null;
  store?: ConversationStore;
  now?: () => number;
  fetchImpl?: typeof fetch;
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
  private readonly now: () => number;
  private readonly book = new TurnBook();
  private readonly runner: TurnRunner;

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
    this.now = deps.now ?? Date.now;
    const host: TurnHost = {
      turn: (id) => this.turn(id),
      update: (id, patch) => this.update(id, patch),
      save: (turn) => this.save(turn),
      track: (id, ac) => this.track(id, ac),
      untrack: (id) => this.untrack(id),
      isActive: (id) => this.isActive(id),
      contextTurn: (parentId) => this.contextTurn(parentId),
      sending: () => ({
        useFiles: this.useFiles,
        detail: this.detail,
        safetyIdentifier: this.safetyIdentifier,
      }),
      imageDone: (turn, image) => this.onImage?.(turn, image),
      turnEnded: (turn) => this.onTurnEnd?.(turn),
    };
    this.runner = new TurnRunner(host, {
      book: this.book,
      jobs: this.jobs,
      files: new FileCache(this.storage),
      fetchImpl: deps.fetchImpl,
    });
    this.readPrefs();
  }

  private readPrefs(): void {
    const p = readPrefs(this.storage);
    if (p.tool) p.tool = { ...this.tool, ...p.tool };
    Object.assign(this, p);
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
    writePrefs(this.storage, {
      mainline: this.mainline,
      tool: { ...this.tool },
      referenceMode: this.referenceMode,
      store: this.store,
      background: this.background,
      useFiles: this.useFiles,
      detail: this.detail,
      open: this.open,
    });
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
    await this.runner.execute(conn, turn.id, turn.plan, { ...this.tool }, opts);
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
    await this.runner.execute(conn, turn.id, turn.plan, tool, opts);
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

  /** Resumes an interrupted background turn from its last sequence number. */
  resume(conn: Connection, id: string, opts: { stallMs?: number } = {}): Promise<void> {
    return this.runner.resume(conn, id, opts);
  }

  /** Cancel: a background job is cancelled on the server too; a foreground stream is dropped. */
  cancel(conn: Connection, id: string): Promise<void> {
    return this.runner.cancel(conn, id);
  }

  /** Polls a background response once (for a job whose stream cannot be resumed). */
  poll(conn: Connection, id: string): Promise<void> {
    return this.runner.poll(conn, id);
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
