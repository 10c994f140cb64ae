// Size rules for /v1/images/generations: fixed sizes for the 1.x models, flexible WxH within
// limits for the 2.x models, and the frame-sheet budget of animated GIFs (2.6).

import { fail, listValues, typeName } from './errors.mjs';
import { FIXED_SIZES, FLEX } from './models.mjs';

/** @param {number} n */
const fmt = (n) => n.toLocaleString('en-US');

/**
 * Grid the API lays GIF frames out on: 3x3 for 2-9 frames, 4x3 for 10-12, 4x4 for 13-16.
 * (Reproduces the reported largest square frames: 960, 816 and 720 px.)
 * @param {number} frames
 */
export function gifGrid(frames) {
  return frames <= 9 ? { cols: 3, rows: 3 } : frames <= 12 ? { cols: 4, rows: 3 } : { cols: 4, rows: 4 };
}

/** Largest square GIF frame (multiple of 16) for a frame count. @param {number} frames */
export function gifAutoEdge(frames) {
  const { cols, rows } = gifGrid(frames);
  let s = Math.floor(FLEX.maxEdge / Math.max(cols, rows) / 16) * 16;
  while (s > 16 && cols * rows * s * s > FLEX.maxPixels) s -= 16;
  return s;
}

/**
 * Resolve and check `size`.
 * @param {unknown} raw @param {import('./models.mjs').ImageCaps} caps @param {string} model
 * @param {number | null} frames GIF frame count, null when not GIF
 */
export function resolveSize(raw, caps, model, frames) {
  if (raw !== undefined && raw !== null && typeof raw !== 'string')
    fail(
      `Invalid type for 'size': expected a string, but got ${typeName(raw)} instead.`,
      'size',
      'invalid_type',
    );
  const size = raw ?? 'auto';
  if (caps.sizes === 'fixed') {
    if (size !== 'auto' && !FIXED_SIZES.includes(size))
      fail(
        `Invalid value: '${size}'. Supported values are: ${listValues([...FIXED_SIZES, 'auto'])}.`,
        'size',
        'invalid_value',
      );
    const [w, h] = (size === 'auto' ? '1024x1024' : size).split('x').map(Number);
    return { width: /** @type {number} */ (w), height: /** @type {number} */ (h) };
  }
  if (size === 'auto') {
    const s = frames ? gifAutoEdge(frames) : 1024;
    return { width: s, height: s };
  }
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!m)
    fail(
      `Invalid value: '${size}'. Expected 'auto' or a size of the form WIDTHxHEIGHT, such as '1024x1024'.`,
      'size',
      'invalid_value',
    );
  const width = Number(m[1]);
  const height = Number(m[2]);
  /** @param {string} why @returns {never} */
  const bad = (why) => fail(`Invalid size '${size}': ${why}`, 'size', 'invalid_value');
  if (width % FLEX.multiple || height % FLEX.multiple) bad('width and height must both be multiples of 16.');
  if (Math.max(width, height) > FLEX.maxRatio * Math.min(width, height))
    bad('the aspect ratio must be between 1:3 and 3:1.');
  if (Math.max(width, height) > FLEX.maxEdge) bad(`each edge must be at most ${FLEX.maxEdge} pixels.`);
  if (caps.shortEdgeMax && Math.min(width, height) > caps.shortEdgeMax)
    bad(`the maximum size for ${model} is 3840x2160.`);
  if (frames) {
    const { cols, rows } = gifGrid(frames);
    const sheet = cols * rows * width * height;
    if (cols * width > FLEX.maxEdge || rows * height > FLEX.maxEdge || sheet > FLEX.maxPixels)
      bad(
        `a ${frames}-frame GIF is drawn on a ${cols}x${rows} sheet of ${cols * width}x${rows * height} = ${fmt(sheet)} pixels; ` +
          `the sheet must stay within ${fmt(FLEX.maxPixels)} pixels and ${FLEX.maxEdge} pixels per edge. ` +
          `The largest square frame for ${frames} frames is ${gifAutoEdge(frames)}x${gifAutoEdge(frames)}.`,
      );
    if (sheet < FLEX.minPixels) bad(`the GIF frame sheet must have at least ${fmt(FLEX.minPixels)} pixels.`);
  } else {
    const px = width * height;
    if (px < FLEX.minPixels || px > FLEX.maxPixels)
      bad(
        `the total number of pixels must be between ${fmt(FLEX.minPixels)} and ${fmt(FLEX.maxPixels)}, but got ${fmt(px)}.`,
      );
  }
  return { width, height };
}
