/** Size rules derived from a model's SizeRule. Pure. */
import type { SizeRule } from './types';

export interface Dimensions {
  width: number;
  height: number;
}

/** Parses "1024x1536" (also accepts × and spaces). Returns null when it is not two positive integers. */
export function parseSize(text: string): Dimensions | null {
  const m = /^\s*(\d{1,6})\s*[x×X]\s*(\d{1,6})\s*$/.exec(text);
  if (!m) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width <= 0 || height <= 0) return null;
  return { width, height };
}

export function formatSize(d: Dimensions): string {
  return `${d.width}x${d.height}`;
}

export interface SizeCheck {
  ok: boolean;
  /** Normalised "WxH" or "auto" when ok. */
  value?: string;
  error?: string;
  warning?: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Checks a size against a model's rule and says precisely what is wrong. */
export function checkSize(rule: SizeRule, input: string): SizeCheck {
  const text = input.trim();
  if (text === 'auto') {
    const allowed = rule.kind === 'fixed' ? rule.values.includes('auto') : rule.kind === 'any' || rule.auto;
    return allowed ? { ok: true, value: 'auto' } : { ok: false, error: 'This model needs an explicit size.' };
  }
  const d = parseSize(text);
  if (!d) return { ok: false, error: 'Write the size as width×height in pixels, e.g. 1536x1024.' };
  const value = formatSize(d);
  if (rule.kind === 'fixed') {
    if (rule.values.includes(value)) return { ok: true, value };
    return { ok: false, error: `This model only makes ${rule.values.join(', ')}.` };
  }
  if (rule.kind === 'any') return { ok: true, value };

  const { width, height } = d;
  const m = rule.multiple;
  if (width % m !== 0 || height % m !== 0) {
    const near = (x: number) => Math.max(m, Math.round(x / m) * m);
    return {
      ok: false,
      error: `Both sides must be multiples of ${m} (nearest: ${near(width)}x${near(height)}).`,
    };
  }
  if (Math.max(width, height) > rule.maxEdge)
    return { ok: false, error: `Each side must be at most ${fmt(rule.maxEdge)} px.` };
  if (rule.maxShortEdge !== undefined && Math.min(width, height) > rule.maxShortEdge) {
    const largest = `${rule.maxEdge}x${rule.maxShortEdge}`;
    return {
      ok: false,
      error: `The largest size is ${largest} (either way round): the short side can be at most ${fmt(rule.maxShortEdge)} px.`,
    };
  }
  if (Math.max(width, height) / Math.min(width, height) > rule.maxAspect)
    return {
      ok: false,
      error: `The long side can be at most ${rule.maxAspect}× the short side (1:3 to 3:1).`,
    };
  const pixels = width * height;
  if (pixels < rule.minPixels)
    return {
      ok: false,
      error: `Too small: ${fmt(pixels)} px; the minimum is ${fmt(rule.minPixels)} px (e.g. 1024x640).`,
    };
  if (pixels > rule.maxPixels)
    return {
      ok: false,
      error: `Too large: ${fmt(pixels)} px; the maximum is ${fmt(rule.maxPixels)} px (3840x2160).`,
    };
  if (rule.experimentalAbovePixels && pixels > rule.experimentalAbovePixels)
    return { ok: true, value, warning: 'Sizes above 2560×1440 are experimental: results may vary.' };
  return { ok: true, value };
}

/** The sizes offered as presets for a rule. */
export function sizePresets(rule: SizeRule): string[] {
  return rule.kind === 'fixed' ? rule.values : rule.presets;
}

export function allowsCustomSize(rule: SizeRule): boolean {
  return rule.kind !== 'fixed';
}
