/** The Edit mode: source images (checked on intake), their order, the mask, and sending an edit. */
import type { Connection } from '../api/client';
import type { EditRequest } from '../api/edits';
import type { Refusal } from '../images/intake';
import type { SquareMode } from '../images/square';
import type { EditValidation } from '../models/edits';
import type { EditRunState } from './edit-run.svelte';
import {
  newSourceId,
  sourceInfo,
  VARIATION_LIMIT_BYTES,
  type EditDeps,
  type MaskImage,
  type SourceImage,
  type StudioMode,
} from './edit-types';
import type { StudioState } from './studio.svelte';

type EditEngine = typeof import('./edit-engine');

export type { EditDeps, MaskImage, SourceImage, StudioMode } from './edit-types';

export class EditState {
  mode = $state<StudioMode>('generate');
  sources = $state.raw<SourceImage[]>([]);
  refusals = $state.raw<Refusal[]>([]);
  /** A one-line message about something Atelier did for the user (e.g. moving an image first). */
  notice = $state<string | null>(null);
  adding = $state(false);
  /** '' leaves input_fidelity unsent. */
  inputFidelity = $state('');
  mask = $state.raw<MaskImage | null>(null);
  /** The mask editor dialog is open (over the first source). */
  maskEditorOpen = $state(false);
  /** Put the original's pixels back outside the mask after each result arrives. */
  keepOutside = $state(false);
  /** The mask editor's feather (image pixels): kept from one opening of the editor to the next. */
  maskFeather = $state(0);
  /** The source whose mask editor was closed with nothing to edit, so no mask goes with it (the panel says so). */
  emptyMaskFor = $state<number | null>(null);
  /** The upright PNG copy of a source that a mask needs (made when the mask is set): the blob, or why not. */
  pngCopy = $state.raw<{ sourceId: number; blob?: Blob; error?: string } | null>(null);

  readonly studio: StudioState;
  private readonly deps: EditDeps;
  /** Intake, the request builder and the edit run: loaded on first use (see edit-engine.ts). */
  private engine = $state.raw<EditEngine | null>(null);
  private loading: Promise<EditEngine> | null = null;
  private copying: { sourceId: number; done: Promise<Blob | null> } | null = null;

  /** The mask, when it belongs to the first source (the image the API applies it to). */
  activeMask = $derived(this.mask && this.mask.sourceId === this.sources[0]?.id ? this.mask : null);
  maxImages = $derived.by(() => this.studio.profile.maxInputImages);
  /** The PNG copy of the first image when the active mask needs one and it is ready (or failed). */
  private firstCopy = $derived(
    this.activeMask && this.pngCopy?.sourceId === this.sources[0]?.id ? this.pngCopy : null,
  );
  /** The rules (models/edits.ts) come with the edit engine; until it is there no source can have been added. */
  validation: EditValidation = $derived.by(() =>
    !this.engine
      ? { ok: false, errors: { images: 'Edit mode is still loading.' }, warnings: {} }
      : this.engine.validateEdit(
          this.studio.profile,
          this.studio.options,
          this.sources.map(sourceInfo),
          this.activeMask ? { ...this.activeMask, bytes: this.activeMask.blob.size } : null,
          this.firstCopy &&
            (this.firstCopy.blob
              ? { bytes: this.firstCopy.blob.size }
              : { error: this.firstCopy.error ?? '' }),
        ),
  );
  /** The model offers legacy variations (the registry says so); known once the edit engine has loaded. */
  variations = $derived.by(() => this.engine?.canVary(this.studio.profile) ?? false);
  /** Why "Create variations" cannot send now (null: it can). */
  variationProblem: string | null = $derived.by(() =>
    !this.engine
      ? 'Edit mode is still loading.'
      : this.engine.validateVariation(this.studio.profile, this.studio.options, this.sources.map(sourceInfo)),
  );
  /** The first source would pass DALL·E 2's rule once squared (wrong type, shape or too big). */
  squarable = $derived(
    this.sources.length === 1 &&
      (this.sources[0]!.mime !== 'image/png' ||
        this.sources[0]!.width !== this.sources[0]!.height ||
        this.sources[0]!.blob.size >= VARIATION_LIMIT_BYTES),
  );
  /** Offer "Crop to square" / "Pad to square": DALL·E 2 (edits and variations) takes one square PNG. */
  squareOffer = $derived.by(
    () => this.squarable && (this.variations || this.studio.profile.id.startsWith('dall-e-2')),
  );
  /** The sources as they will be sent: the first one's PNG copy once made, when the mask needs it. */
  private outgoing = $derived(
    this.firstCopy?.blob
      ? [{ ...this.sources[0]!, blob: this.firstCopy.blob }, ...this.sources.slice(1)]
      : this.sources,
  );
  /** The request as it would be sent now (with the PNG copy a mask needs, once made); null until loaded. */
  request: EditRequest | null = $derived(this.build(this.outgoing));
  /** The request as text for the Advanced preview. */
  requestText = $derived(this.request && this.engine ? this.engine.describeEditRequest(this.request) : null);

  constructor(studio: StudioState, deps: EditDeps = {}) {
    this.studio = studio;
    this.deps = deps;
  }

  /** Loads the edit engine (once); Edit mode calls it on entry so the first add is quick. */
  load(): Promise<EditEngine> {
    this.loading ??= import('./edit-engine').then(
      (m) => (this.engine = m),
      (e: unknown) => {
        this.loading = null; // offline before the service worker cached it: try again next time
        throw e;
      },
    );
    return this.loading;
  }

  private build(
    sources: readonly { blob: Blob; name: string; width: number; height: number }[],
  ): EditRequest | null {
    const engine = this.engine;
    if (!sources.length || !engine) return null;
    try {
      const m = this.activeMask;
      return engine.buildEditForm(
        this.studio.profile,
        this.studio.options,
        sources,
        m ? { blob: m.blob, name: 'mask.png', width: m.width, height: m.height } : null,
        { inputFidelity: this.inputFidelity, safetyIdentifier: this.studio.safetyIdentifier },
      );
    } catch {
      return null;
    }
  }

  setMode(mode: StudioMode): void {
    this.mode = mode;
    if (mode === 'edit') void this.load().catch(() => {});
  }

  /** Checks and adds files (from the picker, a drop or a paste); refusals are listed by name. */
  async add(files: readonly { blob: Blob; name: string }[]): Promise<void> {
    if (!files.length) return;
    this.adding = true;
    this.notice = null;
    try {
      let engine: EditEngine;
      try {
        engine = await this.load();
      } catch {
        this.refusals = files.map((f) => ({
          name: f.name,
          reason:
            'The image checker could not be loaded; this device may be offline. Reload when back online.',
        }));
        return;
      }
      const { intake, decodeWithThumbnail } = engine;
      const p = this.studio.profile;
      const max = engine.canEdit(p) ? p.maxInputImages : 16;
      const result = await intake(files, {
        room: max - this.sources.length,
        max,
        model: p.id,
        decode: this.deps.decode ?? decodeWithThumbnail,
      });
      const added = result.accepted.map((img) => ({
        ...img,
        id: newSourceId(),
        thumbUrl: URL.createObjectURL(img.thumbnail ?? img.blob),
      }));
      this.sources = [...this.sources, ...added];
      this.refusals = result.refused;
    } finally {
      this.adding = false;
    }
  }

  /** "Edit this" on a result: the image becomes a source and the studio switches to Edit. */
  async useResult(blob: Blob, name: string): Promise<void> {
    this.setMode('edit');
    await this.add([{ blob, name }]);
  }

  /** Files opened from outside (the OS "Open with", a launch): switch to Edit and check them like a drop. */
  async useFiles(files: readonly File[]): Promise<void> {
    this.setMode('edit');
    await this.add(files.map((f) => ({ blob: f, name: f.name })));
  }

  remove(id: number): void {
    const gone = this.sources.find((s) => s.id === id);
    if (!gone) return;
    URL.revokeObjectURL(gone.thumbUrl);
    this.sources = this.sources.filter((s) => s.id !== id);
    if (this.mask?.sourceId === id) this.clearMask();
    if (this.copying?.sourceId === id) this.copying = this.pngCopy = null;
    this.notice = null;
  }

  /** Moves a source `delta` places (negative: earlier). */
  move(id: number, delta: number): void {
    const from = this.sources.findIndex((s) => s.id === id);
    const to = Math.max(0, Math.min(this.sources.length - 1, from + delta));
    if (from < 0 || from === to) return;
    const next = [...this.sources];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item!);
    this.sources = next;
    this.notice = null;
  }

  /** Makes a source the first (the one a mask applies to), saying so when it moved. */
  moveToFirst(id: number): void {
    const i = this.sources.findIndex((s) => s.id === id);
    if (i <= 0) return;
    this.move(id, -i);
    this.notice = `Moved “${this.sources[0]!.name}” to first: the API applies the mask to the first image.`;
  }

  /** Opens the mask editor over source `id`, moving it first (the API masks the first image). */
  editMask(id?: number): void {
    if (id !== undefined) this.moveToFirst(id);
    if (this.sources.length) this.maskEditorOpen = true;
  }

  clearRefusals(): void {
    this.refusals = [];
  }

  setMask(mask: Omit<MaskImage, 'url'>): void {
    this.clearMask();
    this.mask = { ...mask, url: URL.createObjectURL(mask.blob) };
    void this.preparePngCopy();
  }

  /**
   * Starts (once per source) the upright PNG copy of the first image that its mask needs: a JPEG or WebP, or a
   * file stored turned. Resolves to the copy, or null when none is needed or it failed (the reason is then in
   * `pngCopy` and the validation).
   */
  preparePngCopy(): Promise<Blob | null> {
    // The rules come with the engine: loaded first, so that the validation is real once this resolves.
    if (!this.engine)
      return this.load().then(
        () => this.preparePngCopy(),
        () => null,
      );
    const first = this.sources[0];
    if (!first || !this.activeMask || !this.engine.needsPngCopy(first)) return Promise.resolve(null);
    if (this.copying?.sourceId === first.id) return this.copying.done;
    const sourceId = first.id;
    const done = this.load()
      .then((engine) => (this.deps.toPng ?? engine.convertToPng)(first.blob))
      .then(
        (blob) => {
          if (this.copying?.sourceId === sourceId) this.pngCopy = { sourceId, blob };
          return blob;
        },
        (e: unknown) => {
          if (this.copying?.sourceId === sourceId)
            this.pngCopy = { sourceId, error: e instanceof Error ? e.message : String(e) };
          return null;
        },
      );
    this.copying = { sourceId, done };
    return done;
  }

  clearMask(): void {
    if (this.mask) URL.revokeObjectURL(this.mask.url);
    this.mask = null;
    this.emptyMaskFor = null;
  }

  /**
   * The mask editor closed with nothing to edit over `sourceId`: no mask is sent (the model may change the
   * whole image), which the panel says instead of the mask just disappearing.
   */
  dropEmptyMask(sourceId: number): void {
    this.clearMask();
    this.emptyMaskFor = sourceId;
  }

  /**
   * The mask the editor reopens over `sourceId`: as painted, before any feather (reopening the feathered or
   * the widened mask would grow or harden it a little more with every Done).
   */
  maskToReopen(sourceId: number): Blob | null {
    const m = this.mask;
    return m && m.sourceId === sourceId ? (m.feathered?.painted ?? m.blob) : null;
  }

  /**
   * Sends the edit as a new run. The first image is converted to PNG first when a mask goes with it (the API
   * wants the two in the same format). Returns null when nothing was sent.
   */
  async send(conn: Connection, opts: { stallMs?: number } = {}): Promise<EditRunState | null> {
    const { EditRunState, needsPngCopy } = await this.load();
    if (!this.validation.ok || !this.studio.validation.ok || this.studio.busy || !this.sources.length)
      return null;
    let sources: { blob: Blob; name: string; width: number; height: number }[] = this.sources;
    const first = this.sources[0]!;
    if (this.activeMask && needsPngCopy(first)) {
      const png = await this.preparePngCopy();
      // A copy too large for the model (or one that failed) is now in the validation, shown by the mask.
      if (!png || !this.validation.ok || this.sources[0] !== first) return null;
      sources = [{ ...first, blob: png }, ...this.sources.slice(1)];
    }
    const req = this.build(sources);
    if (!req) return null;
    if (this.keepOutside && this.activeMask)
      req.notes.push('Keep outside the mask: the original’s pixels are put back outside the mask.');
    const now = (this.deps.now ?? Date.now)();
    const run = new EditRunState({
      prompt: this.studio.options.prompt,
      model: this.studio.options.model.trim(),
      request: req,
      expected: typeof req.body.n === 'number' ? req.body.n : 1,
      source: { blob: first.blob, name: first.name },
      now,
      endpoint: { baseUrl: conn.baseUrl, organization: conn.organization, project: conn.project },
      // The soft edge, when feathered: the API regenerated all of it, and the original blends back across it.
      keepOutside:
        this.keepOutside && this.activeMask
          ? { original: sources[0]!.blob, mask: this.activeMask.feathered?.soft ?? this.activeMask.blob }
          : null,
      mask: this.activeMask?.blob ?? null,
    });
    if (!this.studio.startRun(conn, run, opts)) {
      run.dispose();
      return null;
    }
    return run;
  }

  /**
   * Replaces the first source with a square PNG under 4 MB (at most 1024 px), which is what DALL·E 2 takes
   * for variations and edits: `crop` keeps its centred square, `pad` all of it on transparent bands. A mask
   * painted on it is squared the same way. The user's file itself is untouched; the notice says what happened.
   */
  async makeSquare(mode: SquareMode = 'crop'): Promise<void> {
    const first = this.sources[0];
    if (!first) return;
    this.adding = true;
    try {
      const engine = await this.load();
      const oldMask = this.mask?.sourceId === first.id ? this.mask : null;
      const squared = await engine.squareSource(first, oldMask, mode, this.deps);
      URL.revokeObjectURL(first.thumbUrl);
      if (oldMask) this.clearMask();
      this.sources = [squared.source, ...this.sources.slice(1)];
      if (squared.mask) this.setMask({ ...squared.mask, sourceId: squared.source.id });
      this.notice = squared.notice;
    } catch (e) {
      this.notice = `“${first.name}” could not be squared (${e instanceof Error ? e.message : String(e)}). Make it a square PNG under 4 MB yourself and add it again.`;
    } finally {
      this.adding = false;
    }
  }

  /** Sends the first source to `POST /images/variations` as a new run. Returns null when nothing was sent. */
  sendVariations(conn: Connection, opts: { stallMs?: number } = {}): EditRunState | null {
    const engine = this.engine;
    if (!engine || this.variationProblem || this.studio.busy) return null;
    const { buildVariationForm, EditRunState } = engine;
    const first = this.sources[0]!;
    const req = buildVariationForm(this.studio.profile, this.studio.options, first, {
      safetyIdentifier: this.studio.safetyIdentifier,
    });
    const run = new EditRunState({
      prompt: `Variations of “${first.name}”`,
      model: this.studio.options.model.trim() || this.studio.profile.id,
      request: req,
      expected: this.studio.options.n,
      source: { blob: first.blob, name: first.name },
      now: (this.deps.now ?? Date.now)(),
      endpoint: { baseUrl: conn.baseUrl, organization: conn.organization, project: conn.project },
      operation: 'variations',
    });
    if (!this.studio.startRun(conn, run, opts)) {
      run.dispose();
      return null;
    }
    return run;
  }

  dispose(): void {
    for (const s of this.sources) URL.revokeObjectURL(s.thumbUrl);
    this.clearMask();
    this.sources = [];
  }
}
