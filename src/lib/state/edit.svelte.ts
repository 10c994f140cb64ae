/** The Edit mode: source images (checked on intake), their order, the mask, and sending an edit. */
import type { Connection } from '../api/client';
import { buildEditForm, type EditRequest } from '../api/edits';
import { convertToPng, decodeWithThumbnail } from '../images/decode';
import { intake, type CheckedImage, type Decoder, type Refusal } from '../images/intake';
import { canEdit, validateEdit, type EditValidation } from '../models/edits';
import { EditRunState } from './edit-run.svelte';
import type { StudioState } from './studio.svelte';

export type StudioMode = 'generate' | 'edit' | 'conversation';

export interface SourceImage extends CheckedImage {
  id: number;
  /** Blob URL of the thumbnail (or of the image itself); revoked on removal. */
  thumbUrl: string;
}

export interface MaskImage {
  /** The source the mask was painted over. It is sent only while that source is first. */
  sourceId: number;
  blob: Blob;
  url: string;
  width: number;
  height: number;
  /** Share of pixels to edit (alpha 0), 0…1. */
  editFraction: number;
}

export interface EditDeps {
  decode?: Decoder;
  toPng?: (blob: Blob) => Promise<Blob>;
  now?: () => number;
}

let nextSourceId = 1;

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

  readonly studio: StudioState;
  private readonly deps: EditDeps;

  /** The mask, when it belongs to the first source (the image the API applies it to). */
  activeMask = $derived(this.mask && this.mask.sourceId === this.sources[0]?.id ? this.mask : null);
  maxImages = $derived.by(() => this.studio.profile.maxInputImages);
  validation: EditValidation = $derived.by(() =>
    validateEdit(
      this.studio.profile,
      this.studio.options,
      this.sources.map((s) => ({
        name: s.name,
        mime: s.mime,
        width: s.width,
        height: s.height,
        bytes: s.blob.size,
      })),
      this.activeMask ? { ...this.activeMask, bytes: this.activeMask.blob.size } : null,
    ),
  );
  /** The request as it would be sent now (before any PNG conversion a mask may need). */
  request: EditRequest | null = $derived(this.build(this.sources));

  constructor(studio: StudioState, deps: EditDeps = {}) {
    this.studio = studio;
    this.deps = deps;
  }

  private build(
    sources: readonly { blob: Blob; name: string; width: number; height: number }[],
  ): EditRequest | null {
    if (!sources.length) return null;
    try {
      const m = this.activeMask;
      return buildEditForm(
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
  }

  /** Checks and adds files (from the picker, a drop or a paste); refusals are listed by name. */
  async add(files: readonly { blob: Blob; name: string }[]): Promise<void> {
    if (!files.length) return;
    this.adding = true;
    this.notice = null;
    try {
      const p = this.studio.profile;
      const max = canEdit(p) ? p.maxInputImages : 16;
      const result = await intake(files, {
        room: max - this.sources.length,
        max,
        model: p.id,
        decode: this.deps.decode ?? decodeWithThumbnail,
      });
      const added = result.accepted.map((img) => ({
        ...img,
        id: nextSourceId++,
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
    this.mode = 'edit';
    await this.add([{ blob, name }]);
  }

  remove(id: number): void {
    const gone = this.sources.find((s) => s.id === id);
    if (!gone) return;
    URL.revokeObjectURL(gone.thumbUrl);
    this.sources = this.sources.filter((s) => s.id !== id);
    if (this.mask?.sourceId === id) this.clearMask();
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
  }

  clearMask(): void {
    if (this.mask) URL.revokeObjectURL(this.mask.url);
    this.mask = null;
  }

  /**
   * Sends the edit as a new run. The first image is converted to PNG first when a mask goes with it (the API
   * wants the two in the same format). Returns null when nothing was sent.
   */
  async send(conn: Connection, opts: { stallMs?: number } = {}): Promise<EditRunState | null> {
    if (!this.validation.ok || !this.studio.validation.ok || this.studio.busy || !this.sources.length)
      return null;
    let sources: { blob: Blob; name: string; width: number; height: number }[] = this.sources;
    const first = this.sources[0]!;
    if (this.activeMask && first.mime !== 'image/png') {
      const png = await (this.deps.toPng ?? convertToPng)(first.blob);
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
      keepOutside:
        this.keepOutside && this.activeMask ? { original: first.blob, mask: this.activeMask.blob } : null,
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
