/** One Edit press: a run that sends its own multipart request and remembers its source for before/after. */
import type { Connection } from '../api/client';
import { editImages, type EditRequest } from '../api/edits';
import { createVariations } from '../api/variations';
import type { GenerateCallOptions, GenerationEvent } from '../api/images';
import { RunState, type RunEndpoint } from './run.svelte';
import type { SelfSendingRun } from './studio.svelte';

export interface EditRunInit {
  prompt: string;
  model: string;
  request: Pick<EditRequest, 'form' | 'stream' | 'body' | 'notes' | 'fields' | 'files'>;
  expected: number;
  /** The first source image: the "before" of the comparison. */
  source: { blob: Blob; name: string };
  now: number;
  endpoint?: RunEndpoint;
  /** "Keep outside the mask": put the original back over each result wherever the mask keeps it. */
  keepOutside?: { original: Blob; mask: Blob } | null;
  /** The mask sent with the first image (for the heat map of changes outside it). */
  mask?: Blob | null;
  /** Which endpoint takes the form: edits (default) or the legacy variations. */
  operation?: 'edits' | 'variations';
}

/** What "Copy as curl" needs from a run that sent multipart: its path, text fields and file parts. */
export interface MultipartParts extends Pick<EditRequest, 'fields' | 'files'> {
  path: string;
}

export class EditRunState extends RunState implements SelfSendingRun {
  readonly kind = 'edit' as const;
  /** A Blob URL of the first source image, owned by this run (revoked with it). */
  readonly sourceUrl: string;
  readonly sourceName: string;
  /** The first source and the mask that went with it (null without a mask): the heat map compares them. */
  readonly sourceBlob: Blob;
  readonly mask: Blob | null;
  readonly operation: 'edits' | 'variations';
  private readonly init: EditRunInit;

  constructor(init: EditRunInit) {
    super({
      prompt: init.prompt,
      model: init.model,
      body: init.request.body,
      streamed: init.request.stream,
      expected: init.expected,
      notes: init.request.notes,
      now: init.now,
      endpoint: init.endpoint,
    });
    this.init = init;
    this.sourceUrl = URL.createObjectURL(init.source.blob);
    this.sourceName = init.source.name;
    this.sourceBlob = init.source.blob;
    this.mask = init.mask ?? init.keepOutside?.mask ?? null;
    this.operation = init.operation ?? 'edits';
    if (this.operation === 'variations') this.phase = 'Making variations… the images arrive together.';
    else if (!init.request.stream) this.phase = 'Editing… the images arrive together.';
  }

  /** What "Keep outside the mask" composites with (the soft mask when feathered); null when it is off. */
  get keepMask(): Blob | null {
    return this.init.keepOutside?.mask ?? null;
  }

  /** The multipart request as sent (text fields and file parts), for "Copy as curl". */
  get multipart(): MultipartParts {
    const path = this.operation === 'variations' ? '/images/variations' : '/images/edits';
    return { path, fields: this.init.request.fields, files: this.init.request.files };
  }

  /** The images and mask this edit sends, as sent (the library keeps them as the result's sources). */
  get inputs(): { images: Blob[]; mask: Blob | null } {
    const form = this.init.request.form;
    const images = [...form.getAll('image'), ...form.getAll('image[]')].filter(
      (v): v is File => v instanceof File,
    );
    const mask = form.get('mask');
    return { images, mask: mask instanceof File ? mask : null };
  }

  async *send(conn: Connection, opts: GenerateCallOptions): AsyncGenerator<GenerationEvent> {
    const keep = this.init.keepOutside;
    const events =
      this.operation === 'variations'
        ? createVariations(conn, this.init.request, opts)
        : editImages(conn, this.init.request, opts);
    for await (const ev of events) {
      if (ev.kind !== 'image' || !keep) {
        yield ev;
        continue;
      }
      try {
        const { keepOutsideMask } = await import('../mask/composite');
        const image = await keepOutsideMask(keep.original, ev.image, keep.mask);
        // A new image: the hash of the one the API returned is not its hash.
        const { sha256: _hash, ...returned } = ev;
        yield { ...returned, image, raw: ev.image };
      } catch {
        this.notes.push(`Image ${ev.index + 1} is shown as the API returned it: it could not be composited.`);
        yield ev;
      }
    }
  }

  again(now: number): EditRunState {
    return new EditRunState({ ...this.init, now });
  }

  override dispose(): void {
    super.dispose();
    URL.revokeObjectURL(this.sourceUrl);
  }
}
