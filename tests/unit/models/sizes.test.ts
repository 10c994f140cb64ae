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
