// Validation of POST /v1/images/generations bodies, mirroring the real API's rules and error
// messages as closely as the reference material allows (see models.mjs for per-model rules).

import { RequestError, fail, listValues, modelNotFound, typeName } from './errors.mjs';
import { DEFAULT_TODAY, SHUT_DOWN, findModel, imageModelIds } from './models.mjs';
import { resolveSize } from './sizes.mjs';

/** Every top-level key the endpoint knows for some model; anything else is an unknown parameter. */
const KNOWN = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'output_format',
  'output_compression',
  'background',
  'moderation',
  'partial_images',
  'stream',
  'input_fidelity',
  'response_format',
  'style',
  'complexity',
  'frame_count',
  'frame_duration_ms',
  'safety_identifier',
  'user',
]);

export const MAX_PROMPT = 32000;

/**
 * @typedef {object} GenerationParams
 * @property {string} model
 * @property {string} prompt
 * @property {number} n
 * @property {string} size resolved WxH
 * @property {number} width
 * @property {number} height
 * @property {string} quality resolved ('auto' becomes 'medium')
 * @property {'png' | 'jpeg' | 'webp' | 'gif'} outputFormat
 * @property {'transparent' | 'opaque'} background resolved ('auto' becomes 'opaque')
 * @property {number | null} compression
 * @property {boolean} stream
 * @property {number} partialImages
 * @property {number} frames GIF frames (1 for other formats)
 * @property {number} frameDurationMs
 */

/**
 * @param {Record<string, unknown>} body @param {string} key @param {number} min @param {number} max
 * @returns {number | null}
 */
function int(body, key, min, max) {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v))
    fail(
      `Invalid type for '${key}': expected an integer, but got ${typeName(v)} instead.`,
      key,
      'invalid_type',
    );
  if (v < min)
    fail(
      `Invalid '${key}': integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`,
      key,
      'integer_below_min_value',
    );
  if (v > max)
    fail(
      `Invalid '${key}': integer above maximum value. Expected a value <= ${max}, but got ${v} instead.`,
      key,
      'integer_above_max_value',
    );
  return v;
}

/**
 * @param {Record<string, unknown>} body @param {string} key @param {readonly string[]} allowed
 * @returns {string | null}
 */
function oneOf(body, key, allowed) {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string')
    fail(
      `Invalid type for '${key}': expected a string, but got ${typeName(v)} instead.`,
      key,
      'invalid_type',
    );
  if (!allowed.includes(v))
    fail(`Invalid value: '${v}'. Supported values are: ${listValues(allowed)}.`, key, 'invalid_value');
  return v;
}

/** @param {Record<string, unknown>} body @param {string} key @param {number} max */
function str(body, key, max) {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string')
    fail(
      `Invalid type for '${key}': expected a string, but got ${typeName(v)} instead.`,
      key,
      'invalid_type',
    );
  if (v.length > max)
    fail(
      `Invalid '${key}': string too long. Expected a string with maximum length ${max}, but got a string with length ${v.length} instead.`,
      key,
      'string_above_max_length',
    );
  return v;
}

/** @param {string} key */
const unknown = (key) => fail(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');

/**
 * Validate a generation request body.
 * @param {unknown} input parsed JSON body
 * @param {{ today?: string }} [opts]
 * @returns {{ params: GenerationParams, error?: undefined } | { error: import('./errors.mjs').ApiError, params?: undefined }}
 */
export function validateGeneration(input, { today = DEFAULT_TODAY } = {}) {
  try {
    return { params: check(input, today) };
  } catch (e) {
    if (e instanceof RequestError) return { error: e.error };
    throw e;
  }
}

/** @param {unknown} input @param {string} today @returns {GenerationParams} */
function check(input, today) {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    fail(
      `Invalid type for body: expected an object, but got ${typeName(input)} instead.`,
      null,
      'invalid_type',
    );
  const body = /** @type {Record<string, unknown>} */ (input);
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) unknown(key);
  /** @param {string} k */
  const has = (k) => Object.prototype.hasOwnProperty.call(body, k);

  if (body.model === undefined || body.model === null)
    fail("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string')
    fail(
      `Invalid type for 'model': expected a string, but got ${typeName(body.model)} instead.`,
      'model',
      'invalid_type',
    );
  const model = body.model;
  const entry = Object.hasOwn(SHUT_DOWN, model) ? undefined : findModel(model, today);
  if (!entry) throw new RequestError(modelNotFound(model));
  if (!entry.caps)
    fail(
      `Invalid value: '${model}'. Supported values are: ${listValues(imageModelIds(today))}.`,
      'model',
      'invalid_value',
    );
  const caps = entry.caps;

  if (body.prompt === undefined || body.prompt === null)
    fail("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  const prompt = /** @type {string} */ (str(body, 'prompt', MAX_PROMPT));
  if (prompt.length === 0)
    fail(
      "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead.",
      'prompt',
      'empty_string',
    );

  // Parameters this model does not know at all.
  if (has('input_fidelity') && !caps.inputFidelity) unknown('input_fidelity');
  if (has('response_format')) unknown('response_format');
  if (has('style')) unknown('style');
  if (has('complexity') && !caps.complexity) unknown('complexity');
  if (!caps.gif) for (const k of ['frame_count', 'frame_duration_ms']) if (has(k)) unknown(k);

  const n = int(body, 'n', 1, 10) ?? 1;
  const partialImages = int(body, 'partial_images', 0, 3) ?? 0;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    fail(
      `Invalid type for 'stream': expected a boolean, but got ${typeName(body.stream)} instead.`,
      'stream',
      'invalid_type',
    );
  const stream = body.stream === true;
  const quality = oneOf(body, 'quality', caps.qualities) ?? 'auto';
  const outputFormat = /** @type {GenerationParams['outputFormat']} */ (
    oneOf(body, 'output_format', caps.formats) ?? 'png'
  );
  const background = oneOf(body, 'background', ['transparent', 'opaque', 'auto']) ?? 'auto';
  oneOf(body, 'moderation', ['low', 'auto']);
  const compression = int(body, 'output_compression', 0, 100);
  if (caps.inputFidelity) oneOf(body, 'input_fidelity', caps.inputFidelity);
  if (caps.complexity) oneOf(body, 'complexity', ['low', 'medium', 'high']);
  str(body, 'safety_identifier', 128);
  str(body, 'user', 256);

  const isGif = outputFormat === 'gif';
  let frames = int(body, 'frame_count', 2, 16);
  let duration = int(body, 'frame_duration_ms', 20, 65535);
  if (!isGif) {
    for (const k of ['frame_count', 'frame_duration_ms'])
      if (body[k] !== undefined && body[k] !== null)
        fail(
          `Unsupported parameter: '${k}' is only supported with output_format 'gif'.`,
          k,
          'unsupported_parameter',
        );
  }
  if (compression !== null && outputFormat !== 'jpeg' && outputFormat !== 'webp')
    fail(
      `Unsupported parameter: 'output_compression' is only supported with output_format 'jpeg' or 'webp', but output_format is '${outputFormat}'.`,
      'output_compression',
      'unsupported_parameter',
    );
  if (background === 'transparent' && outputFormat !== 'png' && outputFormat !== 'webp')
    fail(
      `Invalid value: 'transparent'. A transparent background requires output_format 'png' or 'webp', but output_format is '${outputFormat}'.`,
      'background',
      'invalid_value',
    );
  if (isGif) {
    if (stream)
      fail(
        "Unsupported parameter: 'stream' is not supported with output_format 'gif'.",
        'stream',
        'unsupported_parameter',
      );
    if (partialImages > 0)
      fail(
        "Unsupported parameter: 'partial_images' is not supported with output_format 'gif'.",
        'partial_images',
        'unsupported_parameter',
      );
    frames ??= 9;
    duration = Math.round((duration ?? 200) / 10) * 10;
    if (frames * duration > 655_350)
      fail(
        `Invalid 'frame_duration_ms': the animation would last ${frames * duration} ms; the maximum is 655350 ms.`,
        'frame_duration_ms',
        'invalid_value',
      );
  }

  const { width, height } = resolveSize(body.size, caps, model, isGif ? frames : null);
  return {
    model,
    prompt,
    n,
    size: `${width}x${height}`,
    width,
    height,
    quality: quality === 'auto' ? 'medium' : quality,
    outputFormat,
    background: background === 'transparent' ? 'transparent' : 'opaque',
    compression,
    stream,
    partialImages,
    frames: isGif ? /** @type {number} */ (frames) : 1,
    frameDurationMs: duration ?? 200,
  };
}
