/** Factories for test data: options built from the app's defaults, overridden per test. */
import type { TurnImage, TurnRecord } from '../../src/lib/conversation/tree';
import { DEFAULT_OPTIONS, type GenerateOptions } from '../../src/lib/models/options';
import { RunState } from '../../src/lib/state/run.svelte';

export function options(patch: Partial<GenerateOptions> = {}): GenerateOptions {
  return { ...DEFAULT_OPTIONS, model: 'gpt-image-2.6-flare', prompt: 'A lighthouse at dusk', ...patch };
}

const PNG = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' });

/** A finished image of a conversation turn (`ig_…` id, a tiny PNG Blob). */
export function turnImage(itemId: string, patch: Partial<TurnImage> = {}): TurnImage {
  return {
    itemId,
    blob: PNG,
    partial: null,
    partialIndex: -1,
    revisedPrompt: null,
    action: 'generate',
    size: null,
    quality: null,
    ...patch,
  };
}

/** A finished conversation turn with one image (`ig_<id>`), overridden per test. */
export function turnRecord(id: string, parentId: string | null, patch: Partial<TurnRecord> = {}): TurnRecord {
  return {
    id,
    parentId,
    createdAt: 0,
    text: id,
    inputs: [],
    mask: null,
    mainline: 'gpt-6.1-sol',
    toolModel: 'gpt-image-2',
    requestedAction: 'auto',
    store: true,
    background: false,
    contextKind: parentId ? 'previous' : 'none',
    responseId: `resp_${id}`,
    lastSeq: 10,
    status: 'done',
    messages: [],
    images: [turnImage(`ig_${id}`)],
    note: null,
    error: null,
    ...patch,
  };
}

/** A streamed one-image run of 'a kite' on gpt-image-2, started at time 0. */
export function kiteRun(): RunState {
  return new RunState({
    prompt: 'a kite',
    model: 'gpt-image-2',
    body: {},
    streamed: true,
    expected: 1,
    notes: [],
    now: 0,
  });
}
