import { describe, expect, it } from 'vitest';
import { buildGenerationRequest } from '../../../src/lib/api/builders';
import { validateGenerate } from '../../../src/lib/models/options';
import { MODELS } from '../../../src/lib/models/registry';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';
import { schemaEnum, validateSchema, validateSchemaExtended } from '../schema';

const build = (patch: Parameters<typeof options>[0]) => {
  const o = options(patch);
  return buildGenerationRequest(resolveModel(o.model), o);
};

describe('buildGenerationRequest', () => {
  it('builds the exact body for a streamed 2.6 request', () => {
    const r = build({ size: '1536x864', quality: 'high', complexity: 'low', partialImages: 3 });
    expect(r.body).toEqual({
      model: 'gpt-image-2.6-flare',
      prompt: 'A lighthouse at dusk',
      size: '1536x864',
      quality: 'high',
      n: 1,
      output_format: 'png',
      background: 'auto',
      moderation: 'auto',
      complexity: 'low',
      stream: true,
      partial_images: 3,
    });
    expect(r.stream).toBe(true);
  });

  it('always sends model, trimmed', () => {
    expect(build({ model: ' gpt-image-2 ' }).body.model).toBe('gpt-image-2');
  });

  it.each([
    ['complexity outside 2.6', { model: 'gpt-image-2', complexity: 'low' }, 'complexity'],
    ['input_fidelity to 2.x', { model: 'gpt-image-2.5-flare' }, 'input_fidelity'],
    ['response_format to GPT image', { model: 'gpt-image-2' }, 'response_format'],
    ['compression with png', { format: 'png', compression: 50 }, 'output_compression'],
    ['compression with gif', { format: 'gif', compression: 50 }, 'output_compression'],
    ['stream with gif', { format: 'gif' }, 'stream'],
    ['partial_images with streaming off', { stream: false }, 'partial_images'],
    ['frame_count without gif', { frameCount: 4 }, 'frame_count'],
    ['style to GPT image', {}, 'style'],
    ['moderation to dall-e-3', { model: 'dall-e-3', size: '1024x1024', quality: 'hd' }, 'moderation'],
  ] as const)('never sends %s', (_name, patch, field) => {
    expect(build(patch).body).not.toHaveProperty(field);
  });

  it('sends compression for jpeg and webp', () => {
    expect(build({ format: 'jpeg', compression: 70 }).body.output_compression).toBe(70);
    expect(build({ format: 'webp', compression: 0 }).body.output_compression).toBe(0);
  });

  it('sends GIF frames rounded to 10 ms and no stream', () => {
    const r = build({ format: 'gif', frameCount: 6, frameDurationMs: 123 });
    expect(r.body).toMatchObject({ output_format: 'gif', frame_count: 6, frame_duration_ms: 120 });
    expect(r.stream).toBe(false);
    expect(r.notes.join(' ')).toMatch(/GIFs cannot stream/);
  });

  it('falls back to a non-streamed request for n > 1 and says so', () => {
    const r = build({ n: 3, stream: true, partialImages: 2 });
    expect(r.stream).toBe(false);
    expect(r.body).not.toHaveProperty('stream');
    expect(r.body).not.toHaveProperty('partial_images');
    expect(r.body.n).toBe(3);
    expect(r.notes.join(' ')).toMatch(/does not say which image a partial belongs to/);
  });

  it('asks DALL·E for base64 instead of expiring URLs', () => {
    const r = build({ model: 'dall-e-3', size: '1792x1024', quality: 'hd', style: 'natural' });
    expect(r.body).toEqual({
      model: 'dall-e-3',
      prompt: 'A lighthouse at dusk',
      size: '1792x1024',
      quality: 'hd',
      response_format: 'b64_json',
      style: 'natural',
    });
  });

  it('merges extra fields last and names the keys they override', () => {
    const r = build({ extraJson: '{"quality":"low","safety_identifier":"abc","stream":false}' });
    expect(r.body).toMatchObject({ quality: 'low', safety_identifier: 'abc', stream: false });
    expect(r.overridden).toEqual(['quality', 'stream']);
    expect(r.stream).toBe(false);
    expect(r.notes.join(' ')).toMatch(/override “quality”, “stream”/);
  });

  it('normalises a custom size typed with × and spaces', () => {
    expect(build({ size: ' 1536 × 864 ' }).body.size).toBe('1536x864');
  });
});

/**
 * Values models-2026-11.md documents that the vendored Aug-2026 schema predates (§2.2, the parameter table):
 * `quality` xhigh/max on the 2.5 models (and their 2026-09-08 snapshots), and animated GIF output on 2.6. The
 * schema's enums are extended by exactly these values, for exactly these models, so any other value still fails.
 */
const DOCUMENTED_BEYOND_SCHEMA: { field: string; values: string[]; models: RegExp }[] = [
  { field: 'quality', values: ['xhigh', 'max'], models: /^gpt-image-2\.5-(flare|sunburst)(-2026-09-08)?$/ },
  { field: 'output_format', values: ['gif'], models: /^gpt-image-2\.6-(flare|sunburst)$/ },
];

const extraEnumsFor = (model: string): Record<string, string[]> =>
  Object.fromEntries(
    DOCUMENTED_BEYOND_SCHEMA.filter((d) => d.models.test(model)).map((d) => [d.field, d.values]),
  );

describe('bodies against the official schema (CreateImageRequest)', () => {
  // Every quality and format each model offers.
  const matrix = MODELS.flatMap((m) =>
    m.formats.flatMap((format) => m.qualities.map((quality) => ({ model: m.id, format, quality }))),
  );

  it('covers every quality the registry offers, xhigh and max included', () => {
    const qualities = new Set(matrix.map((c) => c.quality));
    for (const q of MODELS.flatMap((m) => m.qualities)) expect(qualities).toContain(q);
    expect(matrix).toContainEqual({ model: 'gpt-image-2.5-sunburst', format: 'webp', quality: 'max' });
  });

  it.each(matrix)('$model $format $quality', ({ model, format, quality }) => {
    const p = resolveModel(model);
    const o = options({
      model,
      format,
      quality,
      size: p.sizes.kind === 'fixed' ? p.sizes.values[0]! : '1536x864',
      compression: 80,
      n: p.n.max > 1 ? 2 : 1,
      complexity: p.complexity ? 'medium' : '',
    });
    expect(validateGenerate(p, o).errors).toEqual({});
    const { body } = buildGenerationRequest(p, o);
    const extra = extraEnumsFor(model);
    expect(validateSchemaExtended('CreateImageRequest', body, extra).errors).toEqual([]);
    // The unextended schema objects only to the documented values, nowhere else.
    const plain = validateSchema('CreateImageRequest', body).errors;
    const documented = Object.keys(extra).filter((k) => extra[k]!.includes(String(body[k])));
    expect(plain.every((e) => documented.some((k) => e.startsWith(`/${k} `)))).toBe(true);
    // Values the spec enumerates must come from its enums, or from the documented extensions for this model.
    for (const key of ['quality', 'output_format', 'background', 'moderation'] as const) {
      if (key in body)
        expect([...schemaEnum('CreateImageRequest', key), ...(extra[key] ?? [])]).toContain(body[key]);
    }
  });

  it('the extension admits only the documented values', () => {
    const body = { model: 'gpt-image-2.5-flare', prompt: 'x', quality: 'max' };
    const extra = extraEnumsFor('gpt-image-2.5-flare');
    expect(validateSchemaExtended('CreateImageRequest', body, extra).ok).toBe(true);
    expect(validateSchema('CreateImageRequest', body).ok).toBe(false);
    expect(validateSchemaExtended('CreateImageRequest', { ...body, quality: 'ultra' }, extra).ok).toBe(false);
    // Not documented for 2.6 or gpt-image-2: no extension there.
    expect(extraEnumsFor('gpt-image-2.6-flare')).not.toHaveProperty('quality');
    expect(extraEnumsFor('gpt-image-2')).toEqual({});
  });

  it('the schema itself rejects what the builders must never produce', () => {
    expect(validateSchema('CreateImageRequest', { model: 'gpt-image-2', prompt: 'x', n: 11 }).ok).toBe(false);
    expect(
      validateSchema('CreateImageRequest', { model: 'gpt-image-2', prompt: 'x', partial_images: 4 }).ok,
    ).toBe(false);
  });
});
