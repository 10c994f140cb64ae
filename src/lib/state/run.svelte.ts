/* eslint-disable svelte/prefer-svelte-reactivity -- `shown` and `pictured` are bookkeeping, never read by markup; `slots` builds a local Set. */
/** One Generate press: its request, the images as they arrive, and how it ended. */
import type { PaintOn } from '../images/decode-remote';
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

/**
 * A final image whose picture was decoded before its event (the Blob) arrived: its card shows the picture at
 * once and gets the image a few ms later (see `arriving`).
 */
export interface EarlyPicture {
  index: number;
  decoded: Promise<DecodedPicture | null>;
  /** Hands the card's canvas to the decode worker, which draws the picture on it (see api/images.ts). */
  paintOn?: PaintOn;
}

/** One result card: a final image, or (for a moment) only its picture. */
export interface ResultSlot {
  index: number;
  decoded?: Promise<DecodedPicture | null>;
  paintOn?: PaintOn;
  image?: ShownImage;
}

export interface PartialImage {
  url: string;
  blob: Blob;
  partialIndex: number;
}

let nextId = 1;

/** A promise and its resolve, made on first use (see `slotIn`). */
interface Signal {
  promise: Promise<void>;
  resolve: () => void;
}

/** The signal for `index` in `slots`, made if there is none yet. */
function slotIn(slots: Map<number, Signal>, index: number): Signal {
  let slot = slots.get(index);
  if (!slot) {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    slot = { promise, resolve };
    slots.set(index, slot);
  }
  return slot;
}

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
  /** Final images' pictures decoded before their events arrived (see `arriving`). */
  early = $state.raw<EarlyPicture[]>([]);
  /** The newest partial image; kept when the stream breaks. */
  partial = $state.raw<PartialImage | null>(null);
  partialsSeen = $state(0);
  echoed = $state.raw<EchoedParams>({});
  usage = $state.raw<ImageUsage | null>(null);
  error = $state.raw<UserMessage | null>(null);
  retryNote = $state<string | null>(null);

  readonly controller = new AbortController();
  /** Per final image announced by `arriving`: resolves once its card has shown it (see `whenShown`). */
  private readonly shown = new Map<number, Signal>();
  /** The indexes of `early` whose picture came. */
  private readonly pictured = new Set<number>();
  /** Per final image: resolves once the library's save of it ended, however it ended (see `whenKept`). */
  private readonly keeping = new Map<number, Signal>();

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

  /** The result cards, in order: each final image, or its picture alone while the image is on its way. */
  get slots(): ResultSlot[] {
    const shown = new Set(this.images.map((i) => i.index));
    const early = this.early.filter((e) => !shown.has(e.index));
    const slots: ResultSlot[] = this.images.map((image) => ({
      index: image.index,
      decoded: image.decoded,
      image,
    }));
    if (early.length === 0) return slots;
    return [...slots, ...early].sort((a, b) => a.index - b.index);
  }

  /**
   * Final image `index` is arriving and `decoded` will be its picture (the same promise its image event will
   * carry): once decoded, its card shows it, without waiting for the event, which the stream reader has still
   * to finish and pass on.
   */
  arriving(index: number, decoded: Promise<DecodedPicture | null>, paintOn?: PaintOn): void {
    const taken = this.images.some((i) => i.index === index) || this.early.some((e) => e.index === index);
    if (this.status !== 'running' || taken) return void decoded.then((d) => d?.picture.close());
    const shown = this.shownSlot(index);
    // The card comes now, while the bytes arrive, so that when the picture lands only the paint is left.
    this.early = [...this.early, { index, decoded, ...(paintOn ? { paintOn } : {}) }];
    this.phase =
      this.expected > 1 ? `Image ${index + 1} of ${this.expected} arriving…` : 'Final image arriving…';
    void decoded.then((d) => {
      if (d) this.pictured.add(index);
      else shown.resolve(); // the <img> shows it, after the event
    });
  }

  /**
   * Resolves once final image `index` is on its card, when it was announced by `arriving` (its picture shown
   * before its event); at once otherwise. The studio lets that paint go first, before the event's bookkeeping.
   */
  whenShown(index: number): Promise<void> {
    return this.shown.get(index)?.promise ?? Promise.resolve();
  }

  /**
   * The final image `index` was handed to the library: `saving` is that save (nothing: there is no library).
   * Work that only looks better (the card's full-size <img>) waits for it rather than competing with it.
   */
  handedToLibrary(index: number, saving?: Promise<unknown> | void): void {
    const slot = this.keptSlot(index);
    if (saving) void saving.then(slot.resolve, slot.resolve);
    else slot.resolve();
  }

  /** Resolves once the final image `index` is stored (or its save failed); see `handedToLibrary`. */
  whenKept(index: number): Promise<void> {
    return this.keptSlot(index).promise;
  }

  private keptSlot(index: number): Signal {
    return slotIn(this.keeping, index);
  }

  private shownSlot(index: number): Signal {
    return slotIn(this.shown, index);
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
    // A card still waiting for a picture that will not come goes (the partial shows again); one with its picture
    // stays: those are the final image's pixels.
    const waiting = (e: EarlyPicture) =>
      !this.pictured.has(e.index) && !this.images.some((i) => i.index === e.index);
    if (this.early.some(waiting)) this.early = this.early.filter((e) => !waiting(e));
    this.status = status;
    this.endedAt = now;
    this.error = error;
  }

  /**
   * The final image is on screen: the partial under it can go. Until then the partial stays visible, so the
   * picture never blanks while the browser decodes a large final image.
   */
  finalShown(index?: number): void {
    if (index !== undefined) this.shown.get(index)?.resolve();
    if (this.partial && (this.images.length > 0 || this.early.length > 0)) {
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
    for (const e of this.early) void e.decoded.then((d) => d?.picture.close());
    if (this.partial) URL.revokeObjectURL(this.partial.url);
  }
}
