import { describe, expect, it } from 'vitest';
import {
  fitOptions,
  parseExtraFields,
  validateGenerate,
  visibleFields,
} from '../../../src/lib/models/options';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';

const check = (patch: Parameters<typeof options>[0]) => {
  const o = options(patch);
  return validateGenerate(resolveModel(o.model), o);
};

describe('validateGenerate', () => {
  it('accepts the defaults', () => {
    expect(check({}).ok).toBe(true);
  });

  it.each([
    [{ prompt: '   ' }, 'prompt', /Write a prompt/],
    [{ prompt: 'x'.repeat(32_001) }, 'prompt', /32,001 characters.*at most 32,000/],
    [
      { model: 'dall-e-3', prompt: 'x'.repeat(4001), size: '1024x1024', quality: 'hd' },
      'prompt',
      /at most 4,000/,
    ],
    [{ size: '1000x1000' }, 'size', /multiples of 16/],
    [{ model: 'gpt-image-1.5', size: '2048x2048' }, 'size', /only makes/],
    [{ quality: 'max' }, 'quality', /accepts quality/],
    [{ model: 'gpt-image-2', format: 'gif' }, 'format', /makes png, jpeg, webp/],
    [{ n: 11 }, 'n', /from 1 to 10/],
    [{ n: 1.5 }, 'n', /whole number/],
    [{ format: 'jpeg', compression: 101 }, 'compression', /0 to 100/],
    [{ format: 'jpeg', background: 'transparent' }, 'background', /needs png or webp/],
    [{ partialImages: 4 }, 'partialImages', /0 to 3/],
    [{ format: 'gif', frameCount: 17 }, 'frameCount', /2 to 16/],
    [{ format: 'gif', frameDurationMs: 10 }, 'frameDurationMs', /at least 20 ms/],
    [{ format: 'gif', frameCount: 16, frameDurationMs: 50_000 }, 'frameDurationMs', /655,350 ms/],
    [{ extraJson: '{"a":' }, 'extraJson', /not valid JSON/],
    [{ extraJson: '[1,2]' }, 'extraJson', /must be a JSON object/],
    [{ model: '  ' }, 'model', /Choose a model/],
  ] as const)('%j → error on %s', (patch, field, message) => {
    const v = check(patch);
    expect(v.ok).toBe(false);
    expect(v.errors[field]).toMatch(message);
  });

  it('accepts xhigh on 2.5 but not on 2.6', () => {
    expect(check({ model: 'gpt-image-2.5-sunburst', quality: 'xhigh' }).ok).toBe(true);
    expect(check({ model: 'gpt-image-2.6-sunburst', quality: 'xhigh' }).ok).toBe(false);
  });

  it('warns (without blocking) about experimental sizes and large GIF frames', () => {
    const big = check({ size: '3840x2160' });
    expect(big.ok).toBe(true);
    expect(big.warnings.size).toMatch(/experimental/);
    const gif = check({ format: 'gif', size: '1024x1024', frameCount: 12 });
    expect(gif.ok).toBe(true);
    expect(gif.warnings.size).toMatch(/816 px/);
  });

  it('ignores compression when the format has none', () => {
    expect(check({ format: 'png', compression: 500 }).ok).toBe(true);
  });
});

describe('visibleFields', () => {
  it.each([
    ['gpt-image-2.6-flare', { complexity: true, n: true, customSize: true, moderation: true, style: false }],
    ['gpt-image-2', { complexity: false, customSize: true }],
    ['gpt-image-1.5', { complexity: false, customSize: false }],
    [
      'dall-e-3',
      {
        quality: true,
        format: false,
        background: false,
        moderation: false,
        n: false,
        style: true,
        stream: false,
      },
    ],
  ])('%s', (model, expected) => {
    const o = options({ model });
    expect(visibleFields(resolveModel(model), o)).toMatchObject(expected);
  });

  it('shows compression only for jpeg/webp and frames only for gif', () => {
    const p = resolveModel('gpt-image-2.6-flare');
    expect(visibleFields(p, options({ format: 'png' })).compression).toBe(false);
    expect(visibleFields(p, options({ format: 'webp' })).compression).toBe(true);
    expect(visibleFields(p, options({ format: 'gif' }))).toMatchObject({
      gif: true,
      stream: false,
      partialImages: false,
    });
  });

  it('hides partial images when streaming is off or several images are asked for', () => {
    const p = resolveModel('gpt-image-2');
    expect(visibleFields(p, options({ stream: true })).partialImages).toBe(true);
    expect(visibleFields(p, options({ stream: false })).partialImages).toBe(false);
    expect(visibleFields(p, options({ stream: true, n: 2 })).partialImages).toBe(false);
  });
});

describe('fitOptions after a model switch', () => {
  it('keeps what the new model accepts and replaces what it does not', () => {
    const from = options({ size: '1536x864', quality: 'high', format: 'gif', complexity: 'low', n: 4 });
    const to = fitOptions(resolveModel('gpt-image-1.5'), { ...from, model: 'gpt-image-1.5' });
    expect(to).toMatchObject({ size: 'auto', quality: 'high', format: 'png', complexity: '', n: 4 });
  });

  it('keeps a custom size that the new model also accepts', () => {
    const to = fitOptions(resolveModel('gpt-image-2'), options({ size: '1536x864' }));
    expect(to.size).toBe('1536x864');
  });

  it('clamps n and drops a transparent background the new format cannot carry', () => {
    const to = fitOptions(
      resolveModel('dall-e-3'),
      options({ n: 5, background: 'transparent', quality: 'low' }),
    );
    expect(to).toMatchObject({ n: 1, quality: 'standard', size: '1024x1024', style: 'vivid' });
  });
});

describe('parseExtraFields', () => {
  it.each([
    ['', {}],
    ['  ', {}],
    ['{"user":"me","n":2}', { user: 'me', n: 2 }],
  ])('%j', (text, fields) => {
    expect(parseExtraFields(text)).toEqual({ ok: true, fields });
  });

  it.each(['null', '"x"', '42', '[]', '{bad}'])('rejects %j', (text) => {
    expect(parseExtraFields(text).ok).toBe(false);
  });
});
