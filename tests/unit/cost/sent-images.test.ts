import { describe, expect, it } from 'vitest';
import { DEFAULT_TOOL_OPTIONS, resentTool, type ToolOptions } from '../../../src/lib/conversation/request';
import { estimateCost, estimateInputFromRequest } from '../../../src/lib/cost/estimate';
import { defaultPrices } from '../../../src/lib/cost/prices';
import {
  blobPixelSize,
  contextImage,
  retriedTurnImages,
  sentImages,
} from '../../../src/lib/cost/sent-images';
import { imageInputTokens, PARTIAL_IMAGE_TOKENS } from '../../../src/lib/cost/tokens';
import { toolEstimateBody } from '../../../src/lib/cost/turn';
import { resolveModel } from '../../../src/lib/models/resolve';
import { turnImage, turnRecord } from '../factories';

/** The first 33 bytes of a PNG of `width` × `height` (signature and IHDR: all the header reader needs). */
function pngHead(width: number, height: number): Blob {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const dv = new DataView(b.buffer);
  dv.setUint32(16, width);
  dv.setUint32(20, height);
  b[24] = 8;
  b[25] = 6;
  return new Blob([b], { type: 'image/png' });
}

const TOOL: ToolOptions = {
  ...DEFAULT_TOOL_OPTIONS,
  model: 'gpt-image-2',
  quality: 'low',
  size: '1024x1024',
};

/** The conversation estimate as the composer and Retry compute it. */
function turnEstimate(tool: ToolOptions, images: Parameters<typeof estimateCost>[0]['inputImages'] = []) {
  const profile = resolveModel(tool.model);
  return estimateCost(
    estimateInputFromRequest(profile, toolEstimateBody('a red kite', tool), {
      model: tool.model,
      prices: defaultPrices(tool.model),
      calibration: {},
      inputImages: images,
    }),
  );
}

describe('conversation estimates count partial images (turns always stream)', () => {
  it('prices the default 2 partials at +100 image output tokens each', () => {
    const e = turnEstimate(TOOL);
    const partials = e.lines.find((l) => l.part === 'partials');
    expect(partials?.tokens.point).toBe(2 * PARTIAL_IMAGE_TOKENS);
    expect(partials?.usd?.point).toBeCloseTo((200 * 30) / 1e6, 12);
  });
  it('counts none when the user asks for none', () => {
    expect(turnEstimate({ ...TOOL, partialImages: 0 }).lines.some((l) => l.part === 'partials')).toBe(false);
  });
  it('never counts more partials than the model streams', () => {
    const body = toolEstimateBody('x', { ...TOOL, partialImages: 3 });
    const noPartials = { ...resolveModel('gpt-image-2'), maxPartialImages: 0 };
    const input = estimateInputFromRequest(noPartials, body, { model: 'm', prices: null, calibration: {} });
    expect(input.partialImages).toBe(0);
  });
});

describe('blobPixelSize and sentImages', () => {
  it('reads the size from the header; an unreadable image counts at 1024×1024', async () => {
    expect(await blobPixelSize(pngHead(1536, 1024))).toEqual({ width: 1536, height: 1024 });
    expect(await blobPixelSize(new Blob(['not an image']))).toBeNull();
    expect(await sentImages([pngHead(800, 600), new Blob(['?'])], pngHead(800, 600))).toEqual([
      { width: 800, height: 600 },
      { width: 1024, height: 1024 },
      { width: 800, height: 600, role: 'mask' },
    ]);
  });
});

describe('contextImage: the earlier image a turn continues from', () => {
  const first = turnRecord('a', null, { images: [turnImage('ig_a', { size: '1536x1024' })] });
  it.each([
    ['previous_response_id', 'previous', { store: true }],
    ['item_reference', 'item', { store: true }],
    ['the image sent again (store: false)', 'previous', { store: false }],
  ] as const)('counts it when continued through %s', (_, mode, patch) => {
    const turns = [{ ...first, ...patch }];
    expect(contextImage(turns, 'a', mode)).toEqual({ width: 1536, height: 1024, role: 'context' });
  });
  it('none for a new conversation, or when the context holds no image', () => {
    expect(contextImage([first], null, 'previous')).toBeNull();
    expect(contextImage([turnRecord('b', null, { images: [] })], 'b', 'previous')).toBeNull();
  });
  it('previous_response_id: the newest image on the path, even from an earlier turn; 1024² when unsized', () => {
    const turns = [first, turnRecord('b', 'a', { images: [] })];
    expect(contextImage(turns, 'b', 'previous')).toMatchObject({ width: 1536, height: 1024 });
    const unsized = [turnRecord('c', null)];
    expect(contextImage(unsized, 'c', 'previous')).toEqual({ width: 1024, height: 1024, role: 'context' });
  });
  it('a failed parent gives its last finished ancestor’s image', () => {
    const turns = [first, turnRecord('b', 'a', { status: 'failed', images: [] })];
    expect(contextImage(turns, 'b', 'item')).toMatchObject({ width: 1536, role: 'context' });
  });
  it('raises the estimate, and says the context is estimated', () => {
    const ctx = contextImage([first], 'a', 'previous')!;
    const without = turnEstimate(TOOL);
    const withCtx = turnEstimate(TOOL, [ctx]);
    const imageIn = withCtx.lines.find((l) => l.part === 'imageIn')!;
    expect(imageIn.tokens).toEqual(imageInputTokens(ctx, 'high'));
    expect(imageIn.detail).toContain('1 earlier image (context)');
    expect(withCtx.usd!.point).toBeGreaterThan(without.usd!.point);
    expect(withCtx.notes.join(' ')).toMatch(/Context is estimated/);
  });
});

describe('retrying a conversation turn is priced from what it resends', () => {
  it('the turn’s images, mask and context, with the turn’s image model', async () => {
    const parent = turnRecord('a', null, { images: [turnImage('ig_a', { size: '1024x1024' })] });
    const failed = turnRecord('b', 'a', {
      status: 'failed',
      images: [],
      toolModel: 'gpt-image-1.5',
      requestedAction: 'edit',
      inputs: [{ name: 'ref.png', blob: pngHead(1024, 1536) }],
      mask: pngHead(1024, 1536),
    });
    const images = await retriedTurnImages([parent, failed], failed, 'previous');
    expect(images).toEqual([
      { width: 1024, height: 1024, role: 'context' },
      { width: 1024, height: 1536 },
      { width: 1024, height: 1536, role: 'mask' },
    ]);
    const tool = resentTool({ ...TOOL, model: 'gpt-image-2' }, failed);
    expect(tool).toMatchObject({ model: 'gpt-image-1.5', action: 'edit', quality: 'low' });
    const e = turnEstimate(tool, images);
    expect(e.model).toBe('gpt-image-1.5');
    expect(e.lines.find((l) => l.part === 'imageIn')?.detail).toBe(
      '1 image + 1 earlier image (context) + mask',
    );
  });
});
