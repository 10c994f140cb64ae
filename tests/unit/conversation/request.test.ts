/** The Responses request builder: exact bodies, checked against CreateResponse in the schema extract. */
import { describe, expect, it } from 'vitest';
import {
  buildResponsesRequest,
  DEFAULT_TOOL_OPTIONS,
  validateTurn,
  type TurnRequestInput,
} from '../../../src/lib/conversation/request';
import {
  defaultToolModel,
  isTextModelId,
  mainlineChoices,
  toolModelChoices,
} from '../../../src/lib/models/mainline';
import { resolveModel } from '../../../src/lib/models/resolve';
import { schemaEnum, validateSchema } from '../schema';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const turn = (
  patch: Partial<TurnRequestInput> = {},
  tool: Partial<TurnRequestInput['tool']> = {},
): TurnRequestInput => ({
  mainline: 'gpt-6.1-sol',
  text: 'A lighthouse at dusk',
  images: [],
  mask: null,
  detail: 'auto',
  tool: { ...DEFAULT_TOOL_OPTIONS, model: 'gpt-image-2.5-flare', ...tool },
  context: { kind: 'none' },
  store: true,
  background: false,
  stream: true,
  ...patch,
});
const build = (t: TurnRequestInput) => buildResponsesRequest(resolveModel(t.tool.model), t).body;

function expectValid(body: Record<string, unknown>) {
  const v = validateSchema('CreateResponse', body);
  expect(v.errors).toEqual([]);
}

describe('buildResponsesRequest', () => {
  it('a first turn: mainline model, input_text, the tool with model and action, store and stream', () => {
    const body = build(turn());
    expect(body).toEqual({
      model: 'gpt-6.1-sol',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'A lighthouse at dusk' }] }],
      tools: [
        {
          type: 'image_generation',
          model: 'gpt-image-2.5-flare',
          quality: 'auto',
          size: 'auto',
          output_format: 'png',
          background: 'auto',
          moderation: 'auto',
          partial_images: 2,
          action: 'auto',
        },
      ],
      store: true,
      stream: true,
    });
    expectValid(body);
  });

  it('images as data URLs or file ids, always with detail; the mask as input_image_mask', () => {
    const body = build(
      turn(
        {
          images: [
            { kind: 'url', url: PNG },
            { kind: 'file', fileId: 'file-abc' },
          ],
          mask: { kind: 'file', fileId: 'file-mask' },
          detail: 'high',
        },
        { action: 'edit' },
      ),
    );
    const content = (body.input as { content: unknown[] }[])[0]!.content;
    expect(content.slice(1)).toEqual([
      { type: 'input_image', image_url: PNG, detail: 'high' },
      { type: 'input_image', file_id: 'file-abc', detail: 'high' },
    ]);
    const tool = (body.tools as Record<string, unknown>[])[0]!;
    expect(tool.input_image_mask).toEqual({ file_id: 'file-mask' });
    expect(tool.action).toBe('edit');
    expectValid(body);
  });

  it('continuing: previous_response_id, or an item_reference to the image call, or the image itself', () => {
    const prev = build(turn({ context: { kind: 'previous', responseId: 'resp_1' } }));
    expect(prev.previous_response_id).toBe('resp_1');
    expectValid(prev);
    const item = build(turn({ context: { kind: 'item', itemId: 'ig_1' } }));
    expect(item.previous_response_id).toBeUndefined();
    expect((item.input as unknown[])[0]).toEqual({ type: 'item_reference', id: 'ig_1' });
    expectValid(item);
    const image = build(turn({ context: { kind: 'image', image: { kind: 'url', url: PNG } } }));
    expect(image.previous_response_id).toBeUndefined();
    expect((image.input as { content: unknown[] }[])[0]!.content[1]).toEqual({
      type: 'input_image',
      image_url: PNG,
      detail: 'auto',
    });
    expectValid(image);
  });

  it('store:false and background are sent as asked', () => {
    const off = build(turn({ store: false }));
    expect(off.store).toBe(false);
    expect(off.background).toBeUndefined();
    const bg = build(turn({ background: true }));
    expect(bg).toMatchObject({ background: true, store: true, stream: true });
    expectValid(bg);
  });

  it('sends only the fields the image model takes', () => {
    // input_fidelity: 1.5 takes it, 2.x decides itself.
    const withFidelity = build(
      turn({}, { model: 'gpt-image-1.5', inputFidelity: 'high', size: '1024x1536' }),
    );
    expect((withFidelity.tools as Record<string, unknown>[])[0]).toMatchObject({
      input_fidelity: 'high',
      size: '1024x1536',
    });
    expectValid(withFidelity);
    const r = buildResponsesRequest(
      resolveModel('gpt-image-2'),
      turn({}, { model: 'gpt-image-2', inputFidelity: 'high' }),
    );
    expect((r.body.tools as Record<string, unknown>[])[0]).not.toHaveProperty('input_fidelity');
    expect(r.notes.join(' ')).toMatch(/input_fidelity is not sent/);
    // compression only for jpeg/webp; partial_images only when streaming.
    const png = (build(turn({}, { compression: 50 })).tools as Record<string, unknown>[])[0]!;
    expect(png).not.toHaveProperty('output_compression');
    const webp = (
      build(turn({ stream: false }, { format: 'webp', compression: 50 })).tools as Record<string, unknown>[]
    )[0]!;
    expect(webp).toMatchObject({ output_format: 'webp', output_compression: 50 });
    expect(webp).not.toHaveProperty('partial_images');
    expectValid(build(turn({ stream: false }, { format: 'webp', compression: 50 })));
  });

  it('every action value the builder can send is in the schema enum', () => {
    expect(schemaEnum('ImageGenTool', 'action').sort()).toEqual(['auto', 'edit', 'generate']);
    for (const action of ['auto', 'generate', 'edit'] as const)
      expectValid(build(turn({ images: [{ kind: 'url', url: PNG }] }, { action })));
  });

  it('safety_identifier goes at the top level', () => {
    const body = build(turn({ safetyIdentifier: 'abc123' }));
    expect(body.safety_identifier).toBe('abc123');
    expectValid(body);
  });
});

describe('validateTurn', () => {
  const p = resolveModel('gpt-image-2.5-flare');
  it('refuses a forced edit without an image in context', () => {
    const t = turn({}, { action: 'edit' });
    expect(validateTurn(p, t, false).errors.action).toMatch(/needs an image/);
    expect(validateTurn(p, t, true).ok).toBe(true);
  });
  it('refuses image models as the mainline, tool models the registry rules out, and background without store', () => {
    expect(validateTurn(p, turn({ mainline: 'gpt-image-2' }), false).errors.mainline).toMatch(/image model/);
    const flare26 = resolveModel('gpt-image-2.6-flare');
    expect(validateTurn(flare26, turn({}, { model: 'gpt-image-2.6-flare' }), false).errors.toolModel).toMatch(
      /cannot be used/,
    );
    expect(validateTurn(p, turn({ background: true, store: false }), false).errors.text).toMatch(
      /Background mode/,
    );
    expect(validateTurn(p, turn({ text: ' ' }), false).errors.text).toBe('Write a message first.');
  });
});

describe('model choices', () => {
  it('mainline suggestions: registry defaults first, text models from /v1/models added, image models left out', () => {
    const list = mainlineChoices(
      [{ id: 'gpt-6.1-sol' }, { id: 'gpt-7-nova' }, { id: 'gpt-image-2' }, { id: 'text-embedding-3-small' }],
      '2026-11-24',
    ).map((m) => m.id);
    expect(list[0]).toBe('gpt-6.1-sol');
    expect(list).toContain('gpt-7-nova');
    expect(list).not.toContain('gpt-image-2');
    expect(isTextModelId('text-embedding-3-small')).toBe(false);
  });
  it('tool models: only those the registry marks usable in the tool and not shut down', () => {
    const ids = toolModelChoices(null, '2026-11-24').map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpt-image-2.5-flare',
        'gpt-image-2.5-sunburst',
        'gpt-image-2',
        'gpt-image-1.5',
      ]),
    );
    expect(ids).not.toContain('gpt-image-2.6-flare');
    expect(ids).not.toContain('gpt-image-1');
    expect(toolModelChoices(null, '2026-12-02').map((p) => p.id)).not.toContain('gpt-image-1.5');
    expect(defaultToolModel(null, '2026-11-24')).toBe('gpt-image-2.5-flare');
  });
});
