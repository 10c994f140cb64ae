import { describe, expect, it } from 'vitest';
import { buildGenerationRequest } from '../../../src/lib/api/builders';
import { validateGenerate } from '../../../src/lib/models/options';
import { MODELS } from '../../../src/lib/models/registry';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';
import { schemaEnum, validateSchema } from '../schema';

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

describe('bodies against the official schema (CreateImageRequest)', () => {
  const matrix = MODELS.flatMap((m) =>
    m.formats.flatMap((format) =>
      m.qualities.slice(0, 2).map((quality) => ({ model: m.id, format, quality })),
    ),
  );

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
    // The Aug-2026 spec predates GIF output (2.6, Nov 2026): that one value is the only allowed deviation.
    const result = validateSchema('CreateImageRequest', body);
    if (format === 'gif') {
      expect(result.errors.every((e) => e.startsWith('/output_format'))).toBe(true);
      expect(validateSchema('CreateImageRequest', { ...body, output_format: 'png' }).errors).toEqual([]);
    } else expect(result.errors).toEqual([]);
    // Values the spec enumerates must come from its enums (the new 2.x values are the documented exceptions).
    for (const key of ['output_format', 'background', 'moderation'] as const) {
      if (key in body && !(key === 'output_format' && body[key] === 'gif'))
        expect(schemaEnum('CreateImageRequest', key)).toContain(body[key]);
    }
  });

  it('the schema itself rejects what the builders must never produce', () => {
    expect(validateSchema('CreateImageRequest', { model: 'gpt-image-2', prompt: 'x', n: 11 }).ok).toBe(false);
    expect(
      validateSchema('CreateImageRequest', { model: 'gpt-image-2', prompt: 'x', partial_images: 4 }).ok,
    ).toBe(false);
  });
});
