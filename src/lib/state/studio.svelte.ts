/** The Generate studio: options, the runs they start, and cancellation. */
import { untrack } from 'svelte';
import type { ConversationImageRecord } from '../conversation/library';
import { buildGenerationRequest } from '../api/builders';
import type { Connection } from '../api/client';
import { isAbortError, StreamError } from '../api/errors';
import { describeErrorLazily } from '../api/describe-lazy';
import type { GenerateCallOptions, GenerationEvent, ImageUsage } from '../api/images';
import { browserOnline, offlineMessage } from '../api/offline';
import {
  DEFAULT_OPTIONS,
  fitOptions,
  validateGenerate,
  visibleFields,
  type GenerateOptions,
} from '../models/options';
import {
  defaultModel,
  effectiveLifecycle,
  todayIso,
  lifecycleWarning,
  listedEntry,
  modelInUse,
  resolveModel,
  type ServerModel,
} from '../models/resolve';
import { RunState } from './run.svelte';

const OPTIONS_KEY = 'atelier.studio.v1';
/** Keep this many finished runs on screen; older ones release their images. */
const MAX_RUNS = 12;

export interface StudioDeps {
  now?: () => number;
  fetchImpl?: typeof fetch;
  stallMs?: number;
  /** Whether the browser is online (navigator.onLine by default): failures while offline say so. */
  isOnline?: () => boolean;
}

/** A run that brings its own request (an edit): the studio lists, drives, cancels and retries it like any run. */
export interface SelfSendingRun {
  send(conn: Connection, opts: GenerateCallOptions): AsyncIterable<GenerationEvent>;
  /** The same request as a fresh run, for Retry. */
  again(now: number): RunState & SelfSendingRun;
}

/** Resolves once `painted` has and its frame is on screen, but after 300 ms at most (a card that is not shown). */
function firstThings(painted: Promise<void>): Promise<void> {
  return Promise.race([painted.then(afterPaint), new Promise<void>((r) => setTimeout(r, 300))]);
}

/**
 * Resolves once what the page drew now is on screen: two animation frames, or at most 200 ms (a hidden tab runs
 * no frames, and its images must still be saved).
 */

function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 200);
    if (typeof requestAnimationFrame !== 'function') return;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        clearTimeout(timer);
        resolve();
      }),
    );
  });
}

const isSelfSending = (run: RunState): run is RunState & SelfSendingRun =>
  typeof (run as Partial<SelfSendingRun>).send === 'function';

/** The code that sends a generation and reads its answer (stream parser, lifter, decoder): loaded on first use. */
const loadGeneration = () => import('../api/images');

/**
 * Starts loading the generation code at the first sign of intent (focus in the compose form), so Generate does
 * not wait for it. A failure is ignored here: Generate loads it again and reports the error then.
 */
export function preloadGeneration(): void {
  loadGeneration().catch(() => {});
}

export class StudioState {
  options = $state<GenerateOptions>({ ...DEFAULT_OPTIONS, model: '' });
  /**
   * Whether the user picked the model themselves (picker, typed id, "Use these settings"). Until they do, the
   * model follows the default of the key's model list (`modelInUse`).
   */
  modelChosen = $state(false);
  runs = $state.raw<RunState[]>([]);
  #serverModels = $state.raw<ServerModel[] | null>(null);
  /** Settings → safety identifier: this browser's hashed id when switched on, else null. */
  safetyIdentifier = $state<string | null>(null);
  /** Called once when any run ends, however it ends (the cost ledger records spend here). */
  onRunEnd: ((run: RunState) => void) | null = null;
  /**
   * Called for every partial and final image after the run shows it (the library saves it); `at` is when it
   * arrived (performance.now()). A final image decoded while it streamed is handed over once it is painted.
   */
  onImage: ((run: RunState, ev: GenerationEvent, at: number) => Promise<unknown> | void) | null = null;
  /** Conversation mode's final images (record, image, the turn's input images and mask), for the library. */
  onConversationImage:
    ((record: ConversationImageRecord, image: Blob, sources: Blob[], mask: Blob | null) => void) | null =
    null;
  /** A conversation turn ended: the library items of its images, and the usage and cost it reported. */
  onConversationReported: ((ids: string[], usage: ImageUsage | null, cost: number | null) => void) | null =
    null;
  /**
   * How wide a single result is shown, in device pixels (the results column, capped as a card is): a streamed
   * PNG is decoded straight to about this width for its first paint. Set by the Studio view; 0 = unknown.
   */
  resultWidth = 0;
  /** A turn the library asked to continue ("Continue conversation"); conversation mode takes it when ready. */
  continueTurn = $state<string | null>(null);

  profile = $derived(resolveModel(this.options.model));
  fields = $derived(visibleFields(this.profile, this.options));
  validation = $derived(validateGenerate(this.profile, this.options));
  request = $derived(
    buildGenerationRequest(this.profile, this.options, { safetyIdentifier: this.safetyIdentifier }),
  );
  lifecycle = $derived(
    effectiveLifecycle(
      this.profile,
      this.serverModels?.find((m) => m.id === this.options.model.trim()),
      todayIso(),
    ),
  );
  warning = $derived(lifecycleWarning(this.profile, this.lifecycle));
  /** true/false when the key's model list is known (a registry alias counts as its model), null otherwise. */
  visibleToKey = $derived(
    this.serverModels ? listedEntry(this.options.model, this.serverModels) !== undefined : null,
  );
  busy = $derived(this.runs.some((r) => r.status === 'running'));

  private readonly deps: StudioDeps;

  constructor(deps: StudioDeps = {}) {
    this.deps = deps;
  }

  /** What `GET /v1/models` listed for the key, or null. Setting it moves a model the user has not chosen. */
  get serverModels(): ServerModel[] | null {
    return this.#serverModels;
  }
  set serverModels(list: ServerModel[] | null) {
    this.#serverModels = list;
    // Called from effects: what it reads of the options must not make them re-run.
    untrack(() => this.followDefault());
  }

  /**
   * Restores the last options (the prompt too: a reload must not lose a draft). Set `serverModels` first: a
   * model the user never chose is the default of that list.
   */
  load(): void {
    let saved: (Partial<GenerateOptions> & { modelChosen?: unknown }) | null = null;
    try {
      const raw = globalThis.localStorage?.getItem(OPTIONS_KEY);
      saved = raw ? (JSON.parse(raw) as Partial<GenerateOptions>) : null;
    } catch {
      saved = null;
    }
    const { modelChosen, ...savedOptions } = saved ?? {};
    const savedModel = typeof savedOptions.model === 'string' ? savedOptions.model.trim() : '';
    // Drafts saved before this flag existed: the old default (what a first visit saved) counts as not chosen.
    this.modelChosen =
      typeof modelChosen === 'boolean'
        ? modelChosen
        : savedModel !== '' && savedModel !== defaultModel(null, todayIso());
    const merged = { ...DEFAULT_OPTIONS, ...savedOptions } as GenerateOptions;
    merged.model = modelInUse(savedModel, this.modelChosen, this.#serverModels, todayIso());
    this.options = fitOptions(resolveModel(merged.model), merged);
  }

  persist(): void {
    try {
      const record = { ...this.options, modelChosen: this.modelChosen };
      globalThis.localStorage?.setItem(OPTIONS_KEY, JSON.stringify(record));
    } catch {
      // Storage full or blocked: options still hold for this page.
    }
  }

  /** The user switches model: every choice the new model accepts is kept, and the model stays theirs. */
  setModel(id: string): void {
    this.modelChosen = true;
    this.switchModel(id);
  }

  private switchModel(id: string): void {
    const profile = resolveModel(id);
    this.options = { ...fitOptions(profile, { ...this.options, model: id }), model: id };
  }

  /** A model the user has not chosen follows the default of the key's current list. */
  private followDefault(): void {
    const next = modelInUse(this.options.model, this.modelChosen, this.#serverModels, todayIso());
    if (next !== this.options.model) this.switchModel(next);
  }

  update(patch: Partial<GenerateOptions>): void {
    const next = { ...this.options, ...patch };
    // Transparency needs png/webp: picking another format drops it rather than leaving an impossible pair.
    if (
      patch.format &&
      next.background === 'transparent' &&
      !this.profile.transparentFormats.includes(next.format)
    )
      next.background = 'auto';
    this.options = next;
  }

  /** Replaces every option at once ("Use these settings" from the library), fitted to the model. */
  replaceOptions(next: GenerateOptions): void {
    this.modelChosen = true;
    this.options = fitOptions(resolveModel(next.model), next);
  }

  /** Starts a run. Returns null (and sends nothing) when the options are invalid. */
  generate(conn: Connection, opts: { stallMs?: number } = {}): RunState | null {
    if (!this.validation.ok || this.busy) return null;
    const now = this.deps.now ?? Date.now;
    const req = this.request;
    const run = new RunState({
      prompt: this.options.prompt,
      model: this.options.model.trim(),
      body: req.body,
      streamed: req.stream,
      expected: typeof req.body.n === 'number' ? req.body.n : 1,
      notes: req.notes,
      now: now(),
      endpoint: { baseUrl: conn.baseUrl, organization: conn.organization, project: conn.project },
    });
    const kept = this.runs.slice(0, MAX_RUNS - 1);
    for (const old of this.runs.slice(MAX_RUNS - 1)) old.dispose();
    this.runs = [run, ...kept];
    void this.execute(conn, run, now, opts.stallMs ?? this.deps.stallMs ?? 90_000);
    return run;
  }

  /** Sends a failed or incomplete run's exact body again, as a new run. Null while another run is busy. */
  retry(conn: Connection, failed: RunState, opts: { stallMs?: number } = {}): RunState | null {
    if (this.busy || (failed.status !== 'failed' && failed.status !== 'incomplete')) return null;
    const now = this.deps.now ?? Date.now;
    if (isSelfSending(failed)) return this.startRun(conn, failed.again(now()), opts);
    const run = new RunState({
      prompt: failed.prompt,
      model: failed.model,
      body: failed.body,
      streamed: failed.streamed,
      expected: failed.expected,
      notes: failed.notes,
      now: now(),
      endpoint: { baseUrl: conn.baseUrl, organization: conn.organization, project: conn.project },
    });
    const kept = this.runs.slice(0, MAX_RUNS - 1);
    for (const old of this.runs.slice(MAX_RUNS - 1)) old.dispose();
    this.runs = [run, ...kept];
    void this.execute(conn, run, now, opts.stallMs ?? this.deps.stallMs ?? 90_000);
    return run;
  }

  /** Lists and drives a run that sends its own request (an edit). Null while another run is busy. */
  startRun(
    conn: Connection,
    run: RunState & SelfSendingRun,
    opts: { stallMs?: number } = {},
  ): RunState | null {
    if (this.busy) return null;
    const now = this.deps.now ?? Date.now;
    const kept = this.runs.slice(0, MAX_RUNS - 1);
    for (const old of this.runs.slice(MAX_RUNS - 1)) old.dispose();
    this.runs = [run, ...kept];
    void this.execute(conn, run, now, opts.stallMs ?? this.deps.stallMs ?? 90_000);
    return run;
  }

  private async execute(conn: Connection, run: RunState, now: () => number, stallMs: number): Promise<void> {
    // Images handed to onImage later (see afterPaint), in order; the run's end waits for them.
    let handing: Promise<void> | null = null;
    try {
      const callOpts: GenerateCallOptions = {
        signal: run.controller.signal,
        stallMs,
        fetchImpl: this.deps.fetchImpl,
        onRetry: ({ delayMs, attempt }) => {
          run.retryNote = `The server asked us to wait; retrying in ${Math.ceil(delayMs / 1000)} s (attempt ${attempt + 1}).`;
        },
      };
      // The stream reader loads with the first Generate (preloadGeneration warms it earlier), not with the page.
      const events = isSelfSending(run)
        ? run.send(conn, callOpts)
        : (await loadGeneration()).generateImages(
            conn,
            { body: run.body, stream: run.streamed, overridden: [], notes: [] },
            // The result card paints a final image decoded while it streamed (edits show theirs in a slider);
            // a worker reads the stream where the browser has one, so the page stays free to paint.
            {
              ...callOpts,
              decodeWhileStreaming: true,
              offMainThread: true,
              previewWidth: this.resultWidth || undefined,
              onArriving: (index, decoded, paintOn) => run.arriving(index, decoded, paintOn),
            },
          );
      for await (const ev of events) {
        // A final image whose picture came ahead of its event is being painted right now: the event's own work
        // (the card's actions, the run's end, saving) waits for that frame rather than competing with it.
        if (ev.kind === 'image') await firstThings(run.whenShown(ev.index));
        run.apply(ev);
        if (ev.kind === 'done') continue;
        const at = performance.now();
        const hand = () => {
          const saving = this.onImage?.(run, ev, at);
          if (ev.kind === 'image') run.handedToLibrary(ev.index, saving);
        };
        if (ev.kind === 'image' && ev.decoded) {
          // Saving needs a thumbnail: made from the picture on the page, that competes with its first paint on a
          // small machine, so it starts once the picture is on screen. The decode worker's picture comes with its
          // thumbnail made (images/decode-remote.ts): then saving starts at once.
          const painted = ev.decoded.then((d) => (d?.thumb ? d.thumb.then(() => {}) : afterPaint()));
          handing = Promise.all([handing, painted]).then(hand);
        } else if (handing) handing = handing.then(hand);
        else hand();
      }
      run.finish('complete', now());
    } catch (e) {
      if (isAbortError(e) || run.controller.signal.aborted) {
        run.finish('cancelled', now());
        return;
      }
      const offline = !(this.deps.isOnline ?? browserOnline)();
      const message =
        (offline && offlineMessage(e)) ||
        (await describeErrorLazily(e, { baseUrl: conn.baseUrl, model: run.model, apiKey: conn.apiKey }));
      const kept = run.partial !== null || run.images.length > 0;
      const broken = e instanceof StreamError;
      run.finish(kept && broken ? 'incomplete' : 'failed', now(), message);
    } finally {
      if (handing) void handing.then(() => this.onRunEnd?.(run));
      else this.onRunEnd?.(run);
    }
  }

  cancel(): void {
    for (const r of this.runs) if (r.status === 'running') r.controller.abort();
  }

  dismiss(run: RunState): void {
    run.dispose();
    this.runs = this.runs.filter((r) => r !== run);
  }
}
