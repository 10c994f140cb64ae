import { describe, expect, it } from 'vitest';
import {
  buildVariationForm,
  canVary,
  createVariations,
  validateVariation,
  type VariationSourceInfo,
} from '../../../src/lib/api/variations';
import type { GenerationEvent } from '../../../src/lib/api/images';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';
import { validateSchema } from '../schema';

const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const dalle2 = resolveModel('dall-e-2');
const square = (patch: Partial<VariationSourceInfo> = {}): VariationSourceInfo => ({
  name: 'cat.png',
  mime: 'image/png',
  width: 512,
  height: 512,
  bytes: 1000,
  ...patch,
});

/** FormData → the object CreateImageVariationRequest describes (n typed as a number). */
function asSchemaObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) out[key] = key === 'n' ? Number(value) : value;
  return out;
}

describe('buildVariationForm', () => {
  it('sends exactly image, model, n, size and response_format b64_json, valid against the schema', () => {
    const o = options({ model: 'dall-e-2', n: 3, size: '512x512', prompt: 'ignored' });
    const blob = new Blob([new Uint8Array(20)], { type: 'image/png' });
    const r = buildVariationForm(dalle2, o, { blob, name: 'My Cat.PNG', width: 512, height: 512 });
    expect([...r.form.keys()]).toEqual(['model', 'image', 'n', 'size', 'response_format']);
    const image = r.form.get('image') as File;
    expect(image).toBeInstanceOf(File);
    expect([image.name, image.type, image.size]).toEqual(['My-Cat.png', 'image/png', 20]);
    expect(r.fields).toEqual([
      ['model', 'dall-e-2'],
      ['n', '3'],
      ['size', '512x512'],
      ['response_format', 'b64_json'],
    ]);
    expect(r.form.has('prompt')).toBe(false);
    expect(validateSchema('CreateImageVariationRequest', asSchemaObject(r.form))).toEqual({
      ok: true,
      errors: [],
    });
    expect(r.body).toMatchObject({ model: 'dall-e-2', n: 3, size: '512x512', response_format: 'b64_json' });
    expect(r.notes.join(' ')).toMatch(/shut down on OpenAI on 2026-05-12/);
  });

  it('sends the safety identifier as user, which the schema allows', () => {
    const r = buildVariationForm(
      dalle2,
      options({ model: 'dall-e-2', size: '256x256' }),
      { blob: new Blob([new Uint8Array(4)], { type: 'image/png' }), name: 'a.png', width: 8, height: 8 },
      { safetyIdentifier: 'atelier-abc' },
    );
    expect(r.form.get('user')).toBe('atelier-abc');
    expect(validateSchema('CreateImageVariationRequest', asSchemaObject(r.form)).ok).toBe(true);
  });

  it('the schema itself refuses what the validator refuses (a size the endpoint lacks, n = 11)', () => {
    expect(validateSchema('CreateImageVariationRequest', { image: 'x', size: '1536x1024' }).ok).toBe(false);
    expect(validateSchema('CreateImageVariationRequest', { image: 'x', n: 11 }).ok).toBe(false);
  });
});

describe('validateVariation', () => {
  const o = options({ model: 'dall-e-2', n: 2, size: '1024x1024' });
  it('accepts one square PNG under 4 MB', () => {
    expect(canVary(dalle2)).toBe(true);
    expect(validateVariation(dalle2, o, [square()])).toBeNull();
  });

  it.each([
    ['no image', [], /Add one image/],
    ['two images', [square(), square({ name: 'b.png' })], /take one image; remove 1 so only “cat.png”/],
    [
      'a JPEG',
      [square({ mime: 'image/jpeg', name: 'cat.jpg' })],
      /“cat.jpg” is not a PNG.*“Crop to square” or “Pad to square”/,
    ],
    ['not square', [square({ width: 640, height: 480 })], /640 × 480; variations need a square image/],
    ['4 MB', [square({ bytes: 4 * 1024 * 1024 })], /under 4 MB/],
  ] as [string, VariationSourceInfo[], RegExp][])('refuses %s with a next step', (_, sources, message) => {
    expect(validateVariation(dalle2, o, sources)).toMatch(message);
  });

  it('refuses sizes and counts the endpoint does not take', () => {
    expect(validateVariation(dalle2, { n: 1, size: '1536x1024' }, [square()])).toMatch(/256x256, 512x512/);
    expect(validateVariation(dalle2, { n: 11, size: '256x256' }, [square()])).toMatch(/1 to 10/);
  });

  it('is not offered for models the registry does not mark', () => {
    const p = resolveModel('gpt-image-2');
    expect(canVary(p)).toBe(false);
    expect(validateVariation(p, o, [square()])).toMatch(/does not offer variations/);
  });
});

describe('createVariations', () => {
  it('posts the form to /images/variations and yields each image, then done', async () => {
    const seen: { url: string; body: unknown; accept: string | null }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      seen.push({ url, body: init.body, accept: new Headers(init.headers).get('accept') });
      return new Response(
        JSON.stringify({ created: 1, data: [{ b64_json: PNG_1PX }, { b64_json: PNG_1PX }] }),
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    }) as unknown as typeof fetch;
    const req = buildVariationForm(dalle2, options({ model: 'dall-e-2', n: 2, size: '256x256' }), {
      blob: new Blob([new Uint8Array(4)], { type: 'image/png' }),
      name: 'a.png',
      width: 8,
      height: 8,
    });
    const events: GenerationEvent[] = [];
    for await (const ev of createVariations({ apiKey: 'sk-test', baseUrl: 'https://mock.test/v1' }, req, {
      fetchImpl,
    }))
      events.push(ev);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('https://mock.test/v1/images/variations');
    expect(seen[0]!.body).toBe(req.form);
    expect(seen[0]!.accept).toBe('application/json');
    expect(events.map((e) => e.kind)).toEqual(['image', 'image', 'done']);
    expect(events[0]!.kind === 'image' && events[0]!.image.type).toBe('image/png');
  });
});
