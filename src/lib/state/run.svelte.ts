/** One Generate press: its request, the images as they arrive, and how it ended. */
import type { DecodedPicture } from '../images/progressive';
import type { EchoedParams, GenerationEvent, ImageUsage } from '../api/images';
import type { UserMessage } from '../api/describe';

export type RunStatus = 'running' | 'complete' | 'incomplete' | 'failed' | 'cancelled';

/** Where a run's request went (for "Copy request as curl"); never the key. */
export interface RunEndpoint {
  baseUrl: string;
  organization?: string;
  project?: string;
}

/**
 * A Blob URL made the first time it is read. Making one is a synchronous round trip to the browser, which took
 * 34 ms for a final image the stream worker had just built (the browser was still taking in its bytes), in the
 * task that shows the event; the result card paints the decoded picture first and needs the URL only later.
 */
export function lazyBlobUrl(blob: Blob): { readonly url: string; revoke: () => void } {
  let url: string | null = null;
  return {
    get url() {
      return (url ??= URL.createObjectURL(blob));
    },
    revoke() {
      if (url) URL.revokeObjectURL(url);
      url = null;
    },
  };
}

export interface ShownImage {
  /** Blob URL, made on first use (see `lazyBlobUrl`); revoked when the run is dropped. */
  readonly url: string;
  /** Revokes `url` if it was made (else it would be made just to be revoked). */
  revoke?: () => void;
  blob: Blob;
  index: number;
  revisedPrompt?: string;
  /** The API's image before Atelier reworked it (keep outside the mask); its Blob URL is revoked with the run. */
  raw?: { url: string; blob: Blob };
  /** The picture decoded while it streamed, if it was (see api/images.ts); the card paints it first. */
  decoded?: Promise<DecodedPicture | null>;
}

export interface PartialImage {
  url: string;
  blob: Blob;
  partialIndex: number;
}

let nextId = 1;

export class RunState {
  readonly id = nextId++;
  readonly prompt: string;
  readonly model: string;
  readonly body: Record<string, unknown>;
  readonly streamed: boolean;
  readonly expected: number;
  readonly notes: string[];
  readonly startedAt: number;
  readonly endpoint: RunEndpoint | null;

  status = $state<RunStatus>('running');
  /** Phase text while running ("Waiting for the first partial image…"). */
  phase = $state('Sending request…');
  endedAt = $state<number | null>(null);
  images = $state.raw<ShownImage[]>([]);
  /** The newest partial image; kept when the stream breaks. */
  partial = $state.raw<PartialImage | null>(null);
  partialsSeen = $state(0);
  echoed = $state.raw<EchoedParams>({});
  usage = $state.raw<ImageUsage | null>(null);
  error = $state.raw<UserMessage | null>(null);
  retryNote = $state<string | null>(null);

  readonly controller = new AbortController();

  constructor(init: {
    prompt: string;
    model: string;
    body: Record<string, unknown>;
    streamed: boolean;
    expected: number;
    notes: string[];
    now: number;
    endpoint?: RunEndpoint;
  }) {
    this.prompt = init.prompt;
    this.model = init.model;
    this.body = init.body;
    this.streamed = init.streamed;
    this.expected = init.expected;
    this.notes = init.notes;
    this.startedAt = init.now;
    this.endpoint = init.endpoint ?? null;
    this.phase = init.streamed
      ? 'Waiting for the first image data…'
      : 'Generating… the images arrive together.';
  }

  /** Applies one event from the API. */
  apply(ev: GenerationEvent): void {
    this.retryNote = null;
    if (ev.kind === 'partial') {
      const previous = this.partial;
      this.partial = { url: URL.createObjectURL(ev.image), blob: ev.image, partialIndex: ev.partialIndex };
      if (previous) URL.revokeObjectURL(previous.url);
      this.partialsSeen++;
      this.phase = `Partial image ${ev.partialIndex + 1} received; refining…`;
      this.echoed = ev.echoed;
    } else if (ev.kind === 'image') {
      // Not spread: spreading would read the getter and make the URL at once.
      const link = lazyBlobUrl(ev.image);
      const shown: ShownImage = {
        get url() {
          return link.url;
        },
        revoke: link.revoke,
        blob: ev.image,
        index: ev.index,
        revisedPrompt: ev.revisedPrompt,
        decoded: ev.decoded,
      };
      if (ev.raw) shown.raw = { url: URL.createObjectURL(ev.raw), blob: ev.raw };
      this.images = [...this.images, shown];
      this.echoed = ev.echoed;
      this.phase =
        this.expected > 1 ? `${this.images.length} of ${this.expected} images` : 'Final image received';
    } else {
      this.usage = ev.usage;
      if (Object.keys(ev.echoed).length) this.echoed = ev.echoed;
    }
  }

  finish(status: RunStatus, now: number, error: UserMessage | null = null): void {
    this.status = status;
    this.endedAt = now;
    this.error = error;
  }

  /**
   * The final image is on screen: the partial under it can go. Until then the partial stays visible, so the
   * picture never blanks while the browser decodes a large final image.
   */
  finalShown(): void {
    if (this.partial && this.images.length > 0) {
      URL.revokeObjectURL(this.partial.url);
      this.partial = null;
    }
  }

  /** Frees every Blob URL this run made. */
  dispose(): void {
    if (this.status === 'running') this.controller.abort();
    for (const img of this.images) {
      if (img.revoke) img.revoke();
      else URL.revokeObjectURL(img.url);
      if (img.raw) URL.revokeObjectURL(img.raw.url);
      void img.decoded?.then((d) => d?.picture.close());
    }
    if (this.partial) URL.revokeObjectURL(this.partial.url);
  }
}
