import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../src/lib/models/registry';
import { resolveModel } from '../../../src/lib/models/resolve';
import { checkSize, parseSize } from '../../../src/lib/models/sizes';

const flex = resolveModel('gpt-image-2.6-flare').sizes;
const fixed = resolveModel('gpt-image-1.5').sizes;
const any = resolveModel('some-future-model').sizes;

describe('parseSize', () => {
  it.each([
    ['1024x1024', { width: 1024, height: 1024 }],
    [' 1536 × 864 ', { width: 1536, height: 864 }],
    ['2048X1152', { width: 2048, height: 1152 }],
    ['1024', null],
    ['0x1024', null],
    ['-16x16', null],
    ['1024x1024x3', null],
    ['abc', null],
  ])('%j → %j', (text, expected) => {
    expect(parseSize(text)).toEqual(expected);
  });
});

describe('checkSize on flexible 2.x sizes', () => {
  it.each([
    ['auto', true, /^$/],
    ['1024x1024', true, /^$/],
    ['1536x864', true, /^$/],
    ['3840x2160', true, /experimental/],
    ['2560x1440', true, /^$/],
    ['2576x1440', true, /experimental/],
    ['1000x1000', false, /multiples of 16 \(nearest: 1008x1008\)/],
    ['4096x1024', false, /at most 3,840/],
    ['3072x1008', false, /1:3 to 3:1/],
    ['768x768', false, /Too small: 589,824 px/],
    ['3840x3840', false, /at most 3,840|Too large/],
    ['3584x2400', false, /Too large/],
    ['wide', false, /width×height/],
  ])('%s → ok=%s', (size, ok, message) => {
    const r = checkSize(flex, size);
    expect(r.ok).toBe(ok);
    expect(r.error ?? r.warning ?? '').toMatch(message);
  });

  it('normalises the value it accepts', () => {
    expect(checkSize(flex, ' 1536 × 864 ').value).toBe('1536x864');
  });
});

// models-2026-11.md §2.2: 2.5/2.6 take any WxH within edge ≤3840 and 655,360–8,294,400 px; gpt-image-2's
// "maximum supported resolution is 3840x2160" also caps the short side at 2160 (2880x2880 fits the pixel count).
describe('each model’s own size limits', () => {
  it.each([
    ['gpt-image-2', '3840x2160', true, /experimental/],
    ['gpt-image-2', '2160x3840', true, /experimental/],
    ['gpt-image-2', '2048x2048', true, /experimental/],
    ['gpt-image-2', '2880x2880', false, /largest size is 3840x2160 .*short side can be at most 2,160 px/],
    ['gpt-image-2', '2176x2176', false, /short side can be at most 2,160 px/],
    ['gpt-image-2', '3840x2176', false, /short side can be at most 2,160 px/],
    ['gpt-image-2', '2160x2160', true, /experimental/],
    ['gpt-image-2-2026-04-21', '2880x2880', false, /short side/],
    ['gpt-image-2.5-flare', '2880x2880', true, /experimental/],
    ['gpt-image-2.5-sunburst', '2880x2880', true, /experimental/],
    ['gpt-image-2.6-flare', '2880x2880', true, /experimental/],
    ['gpt-image-2.6-sunburst', '2880x2880', true, /experimental/],
    ['gpt-image-2.6-flare', '2896x2880', false, /Too large: 8,340,480 px/],
    ['gpt-image-2.5-flare', '1024x640', true, /^$/],
    ['gpt-image-2.5-flare', '1008x640', false, /Too small/],
    ['gpt-image-2.6-sunburst', '3856x1296', false, /at most 3,840/],
    ['gpt-image-1.5', '2880x2880', false, /only makes/],
    ['gpt-image-1-mini', '1536x1024', true, /^$/],
    ['chatgpt-image-latest', '1792x1024', false, /only makes/],
    ['dall-e-3', '1792x1024', true, /^$/],
    ['dall-e-3', 'auto', false, /explicit size/],
    ['dall-e-2', '512x512', true, /^$/],
    ['dall-e-2', '1536x1024', false, /256x256, 512x512, 1024x1024/],
  ])('%s %s → ok=%s', (model, size, ok, message) => {
    const r = checkSize(resolveModel(model).sizes, size);
    expect(r.ok).toBe(ok);
    expect(r.error ?? r.warning ?? '').toMatch(message);
  });
});

describe('checkSize on fixed and generic rules', () => {
  it.each([
    [fixed, '1024x1536', true],
    [fixed, 'auto', true],
    [fixed, '1536x864', false],
    [any, '1254x836', true],
    [any, 'auto', true],
    [any, 'big', false],
  ])('%#: %s', (rule, size, ok) => {
    expect(checkSize(rule, size).ok).toBe(ok);
  });

  it('names the allowed sizes when a fixed model refuses one', () => {
    expect(checkSize(fixed, '2048x2048').error).toContain('1024x1024, 1536x1024, 1024x1536');
  });

  it('every preset of every registry model passes its own rule', () => {
    for (const m of MODELS) {
      const presets = m.sizes.kind === 'fixed' ? m.sizes.values : m.sizes.presets;
      for (const s of presets) expect(checkSize(m.sizes, s).ok, `${m.id} ${s}`).toBe(true);
    }
  });
});
