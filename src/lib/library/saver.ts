/**
 * Turns results into library items the moment they arrive: hashes the bytes, makes the thumbnail once, links
 * the item to the item its first source came from, and saves. A run's partial image is saved under the id its
 * final will use, so the final replaces it; when the run ends, its items get the usage, cost, timings and
 * status. Hashing and the thumbnail start as soon as an image arrives (both run off the main thread: Web
 * Crypto, and a decoder scaling while it decodes); only the writes of one run wait for each other, and a
 * partial that a newer image of the same slot has overtaken is not written at all. DOM-free: the thumbnail
 * maker is passed in.
 */
import type { DecodedPicture } from '../images/progressive';
import type { EchoedParams, GenerationEvent, ImageUsage } from '../api/images';
import { sha256Hex } from './hash';
import type { Thumbnail } from './thumbnail';
import {
  LIBRARY_SCHEMA,
  type BlobRef,
  type ItemKind,
  type ItemStatus,
  type LibraryItem,
  type Recipe,
  type RecipeEstimate,
  scrubBody,
} from './types';

/** What the saver needs of a run (RunState and EditRunState have it). */
export interface RunLike {
  readonly id: number;
  readonly prompt: string;
  readonly model: string;
  readonly body: Record<string, unknown>;
  readonly startedAt: number;
  readonly expected: number;
  readonly status: string;
  readonly echoed: EchoedParams;
  readonly usage: ImageUsage | null;
  readonly endedAt: number | null;
  readonly kind?: string;
  /** An edit run's endpoint: 'edits' or the legacy 'variations' (EditRunState.operation). */
  readonly operation?: string;
  /** An edit's input images and mask, as sent. */
  readonly inputs?: { images: Blob[]; mask: Blob | null };
}

/** One image to save that did not come from a studio run (conversation mode). */
export interface ImageToSave {
  blob: Blob;
  kind: ItemKind;
  endpoint: string;
  model: string;
  prompt: string;
  body: Record<string, unknown>;
  revisedPrompt?: string | null;
  echoed?: Record<string, string>;
  usage?: ImageUsage | null;
  cost?: number | null;
  estimate?: RecipeEstimate | null;
  startedAt?: number;
  totalMs?: number | null;
  status?: ItemStatus;
  sources?: Blob[];
  mask?: Blob | null;
  /** The previous turn's item id, when known; otherwise the item of the first source, if any. */
  parent?: string | null;
  thread?: string | null;
  turn?: number | null;
  id?: string;
}

export interface SaverDeps {
  /** Writes the records; calls `stored` once they are durable (before any cleanup). */
  save(items: LibraryItem[], blobs: Map<string, Blob>, stored?: () => void): Promise<void>;
  /** The library item whose image has this hash, if any (for lineage). */
  itemWithImage(hash: string): Promise<string | null> | string | null;
  /**
   * `bytes`: the whole image when it was read already (else the thumbnail reads what it needs). `decoded`: the
   * image as already decoded for display, when there is one (no second decode needed).
   */
  thumbnail(blob: Blob, bytes?: Uint8Array, decoded?: Promise<DecodedPicture | null>): Promise<Thumbnail>;
  now(): number;
  newId(): string;
  /** A save landed (add or replace the item on screen). */
  saved(item: LibraryItem): void;
  /** A save failed; nothing of that item was written. */
  failed(error: unknown, item: { prompt: string; bytes: number }): void;
}

interface Inputs {
  refs: BlobRef[];
  mask: BlobRef | null;
  blobs: Map<string, Blob>;
}

interface RunRecord {
  chain: Promise<void>;
  items: Map<number, LibraryItem>;
  inputs: Promise<Inputs> | null;
  firstImageMs: number | null;
  /** The newest image event of each slot (index): an older partial still queued is skipped. */
  latest: Map<number, GenerationEvent>;
}

/** What can be worked out from an image's bytes alone, before it is written. */
interface Prepared {
  hash: string;
  width: number;
  height: number;
  thumb: { ref: BlobRef & { width: number; height: number }; blob: Blob } | null;
  /** When the thumbnail was done (performance.now()). */
  thumbAt: number;
}

async function refOf(blob: Blob): Promise<[BlobRef, Blob]> {
  return [
    { hash: await sha256Hex(blob), mime: blob.type || 'application/octet-stream', bytes: blob.size },
    blob,
  ];
}

async function hashInputs(images: Blob[], mask: Blob | null): Promise<Inputs> {
  const blobs = new Map<string, Blob>();
  const refs: BlobRef[] = [];
  for (const img of images) {
    const [ref, b] = await refOf(img);
    refs.push(ref);
    blobs.set(ref.hash, b);
  }
  let maskRef: BlobRef | null = null;
  if (mask) {
    const [ref, b] = await refOf(mask);
    maskRef = ref;
    blobs.set(ref.hash, b);
  }
  return { refs, mask: maskRef, blobs };
}

export class LibrarySaver {
  private readonly runs = new Map<number, RunRecord>();
  constructor(private readonly deps: SaverDeps) {}

  private record(run: RunLike): RunRecord {
    let r = this.runs.get(run.id);
    if (!r) {
      r = { chain: Promise.resolve(), items: new Map(), inputs: null, firstImageMs: null, latest: new Map() };
      this.runs.set(run.id, r);
    }
    return r;
  }

  /**
   * A partial or final image of a run arrived (`at`: when its Blob was there, performance.now(), if earlier
   * than this call). Resolves once it is saved (or failed).
   */
  image(run: RunLike, ev: GenerationEvent, at = performance.now()): Promise<void> {
    if (ev.kind === 'done') return Promise.resolve();
    const r = this.record(run);
    const arrived = this.deps.now();
    r.firstImageMs ??= Math.max(0, arrived - run.startedAt);
    const index = ev.kind === 'image' ? ev.index : 0;
    // A partial arriving after its slot's final is not saved.
    if (ev.kind === 'partial' && r.latest.get(index)?.kind === 'image') return r.chain;
    r.latest.set(index, ev);
    if (run.inputs && !r.inputs) r.inputs = hashInputs(run.inputs.images, run.inputs.mask);
    const prepared =
      ev.kind === 'image' ? this.prepare(ev.image, ev.decoded, ev.sha256) : this.prepare(ev.image);
    prepared.catch(() => undefined); // handled where it is awaited
    r.chain = r.chain.then(() => this.saveRunImage(run, r, ev, prepared, at));
    return r.chain;
  }

  private async saveRunImage(
    run: RunLike,
    r: RunRecord,
    ev: Exclude<GenerationEvent, { kind: 'done' }>,
    prepared: Promise<Prepared>,
    at: number,
  ) {
    const index = ev.kind === 'image' ? ev.index : 0;
    if (r.latest.get(index) !== ev && ev.kind === 'partial') return; // a newer image of this slot is queued
    const previous = r.items.get(index);
    const inputs = r.inputs ? await r.inputs : { refs: [], mask: null, blobs: new Map<string, Blob>() };
    const edit = run.kind === 'edit';
    const variation = edit && run.operation === 'variations';
    const recipe: Recipe = {
      kind: variation ? 'variation' : edit ? 'edit' : 'generation',
      endpoint: variation ? '/images/variations' : edit ? '/images/edits' : '/images/generations',
      model: run.model,
      body: scrubBody(run.body),
      prompt: run.prompt,
      revisedPrompt: ev.kind === 'image' ? (ev.revisedPrompt ?? null) : null,
      echoed: { ...ev.echoed },
      usage: null,
      cost: null,
      estimate: null,
      timings: { startedAt: run.startedAt, firstImageMs: r.firstImageMs, totalMs: null },
      status: ev.kind === 'image' ? 'complete' : 'incomplete',
      sources: inputs.refs,
      mask: inputs.mask,
      parent: inputs.refs[0] ? await this.deps.itemWithImage(inputs.refs[0].hash) : null,
      thread: null,
      turn: null,
      index,
      of: run.expected,
    };
    const item = await this.store(ev.image, prepared, at, recipe, inputs.blobs, {
      id: previous?.id,
      created: previous?.created,
      favourite: previous?.favourite,
      partialIndex: ev.kind === 'partial' ? ev.partialIndex : null,
    });
    if (item) r.items.set(index, item);
  }

  /**
   * The run ended: its items get usage, cost (USD for the whole request), the estimate shown before it was sent,
   * timings and final status.
   */
  ended(run: RunLike, cost: number | null, estimate: RecipeEstimate | null = null): Promise<void> {
    const r = this.runs.get(run.id);
    if (!r) return Promise.resolve();
    r.chain = r.chain.then(async () => {
      this.runs.delete(run.id);
      const items = [...r.items.values()].map((item): LibraryItem => {
        const status: ItemStatus =
          item.partialIndex === null ? 'complete' : run.status === 'failed' ? 'failed' : 'incomplete';
        return {
          ...item,
          recipe: {
            ...item.recipe,
            echoed: { ...item.recipe.echoed, ...run.echoed },
            usage: run.usage,
            cost,
            estimate,
            status,
            timings: {
              ...item.recipe.timings,
              totalMs: run.endedAt !== null ? run.endedAt - run.startedAt : null,
            },
          },
        };
      });
      if (!items.length) return;
      try {
        await this.deps.save(items, new Map());
        for (const i of items) this.deps.saved(i);
      } catch (e) {
        this.deps.failed(e, { prompt: run.prompt, bytes: 0 });
      }
    });
    return r.chain;
  }

  /** Saves one image from outside a studio run (a conversation turn). Null when it could not be saved. */
  async saveImage(input: ImageToSave): Promise<LibraryItem | null> {
    const at = performance.now();
    const prepared = this.prepare(input.blob);
    prepared.catch(() => undefined); // handled where it is awaited
    const inputs = await hashInputs(input.sources ?? [], input.mask ?? null);
    const started = input.startedAt ?? this.deps.now();
    const recipe: Recipe = {
      kind: input.kind,
      endpoint: input.endpoint,
      model: input.model,
      body: scrubBody(input.body),
      prompt: input.prompt,
      revisedPrompt: input.revisedPrompt ?? null,
      echoed: { ...(input.echoed ?? {}) },
      usage: input.usage ?? null,
      cost: input.cost ?? null,
      estimate: input.estimate ?? null,
      timings: { startedAt: started, firstImageMs: null, totalMs: input.totalMs ?? null },
      status: input.status ?? 'complete',
      sources: inputs.refs,
      mask: inputs.mask,
      parent: input.parent ?? (inputs.refs[0] ? await this.deps.itemWithImage(inputs.refs[0].hash) : null),
      thread: input.thread ?? null,
      turn: input.turn ?? null,
      index: 0,
      of: 1,
    };
    return this.store(input.blob, prepared, at, recipe, inputs.blobs, { id: input.id, partialIndex: null });
  }

  /**
   * Hash, pixel size and thumbnail: started the moment an image arrives, in parallel. `sha256`: the hash made
   * where the bytes were (the stream worker); then the image is not read back here at all.
   */
  private async prepare(
    image: Blob,
    decoded?: Promise<DecodedPicture | null>,
    sha256?: Promise<string | null>,
  ): Promise<Prepared> {
    performance.mark?.('atelier:save-start');
    const thumbnail = (bytes?: Uint8Array) =>
      this.deps
        .thumbnail(image, bytes, decoded)
        .catch((): Thumbnail => ({ width: 0, height: 0, thumb: null }));
    const hashed = (hash: Promise<string>) => hash.finally(() => performance.mark?.('atelier:save-hashed'));
    let hash: string;
    let made: Thumbnail;
    if (sha256) {
      // The thumbnail does not wait for the hash (it reads only the image's header).
      const [given, thumb] = await Promise.all([sha256.catch(() => null), thumbnail()]);
      hash = await hashed(given !== null ? Promise.resolve(given) : sha256Hex(image));
      made = thumb;
    } else {
      const bytes = new Uint8Array(await image.arrayBuffer());
      performance.mark?.('atelier:save-read');
      [hash, made] = await Promise.all([hashed(sha256Hex(bytes.buffer)), thumbnail(bytes)]);
    }
    const thumbAt = performance.now();
    let thumb: Prepared['thumb'] = null;
    if (made.thumb) {
      const [ref, blob] = await refOf(made.thumb.blob);
      thumb = { ref: { ...ref, width: made.thumb.width, height: made.thumb.height }, blob };
    }
    return { hash, width: made.width, height: made.height, thumb, thumbAt };
  }

  private async store(
    image: Blob,
    preparing: Promise<Prepared>,
    /** When the image's Blob was there (performance.now()). */
    at: number,
    recipe: Recipe,
    extra: Map<string, Blob>,
    opts: { id?: string; created?: number; favourite?: boolean; partialIndex: number | null },
  ): Promise<LibraryItem | null> {
    try {
      const prepared = await preparing;
      const blobs = new Map(extra);
      blobs.set(prepared.hash, image);
      if (prepared.thumb) blobs.set(prepared.thumb.ref.hash, prepared.thumb.blob);
      const item: LibraryItem = {
        v: LIBRARY_SCHEMA,
        id: opts.id ?? this.deps.newId(),
        created: opts.created ?? this.deps.now(),
        favourite: opts.favourite ?? false,
        recipe,
        image: {
          hash: prepared.hash,
          mime: image.type || 'application/octet-stream',
          bytes: image.size,
          width: prepared.width,
          height: prepared.height,
        },
        thumb: prepared.thumb?.ref ?? null,
        partialIndex: opts.partialIndex,
      };
      await this.deps.save([item], blobs, () =>
        // For `npm run bench`: from the image's Blob being there to its record and bytes durably stored,
        // hash and thumbnail included (and any wait for the run's earlier saves).
        performance.measure?.('atelier:library-save', {
          start: at,
          detail: { bytes: image.size, thumbMs: prepared.thumbAt - at },
        }),
      );
      this.deps.saved(item);
      return item;
    } catch (e) {
      this.deps.failed(e, { prompt: recipe.prompt, bytes: image.size });
      return null;
    }
  }
}
