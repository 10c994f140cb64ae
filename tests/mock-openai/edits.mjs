// POST /v1/images/edits (multipart, or JSON with image references) and POST /v1/images/variations
// (multipart, dall-e-2 only). The option rules are the generation rules (validate.mjs), plus what is
// particular to edits: the image parts and their MIME types, `image` vs `image[]`, the mask, and no
// `moderation` on multipart. What the client sent is recorded in the request log (see README.md).

import { RequestError, fail, typeName } from './errors.mjs';
import {
  MAX_IMAGES,
  MAX_MASK_BYTES,
  checkInputImage,
  checkMask,
  fileFromRef,
  inspectFile,
} from './edit-inputs.mjs';
import { renderEdit, renderVariation } from './edit-render.mjs';
import { DALLE2_EDIT, checkDalle2Edit, deliverDalle2Edit } from './edits-dalle2.mjs';
import { deliverJson, deliverStream, sleep } from './generate.mjs';
import { sendError, sendJson } from './handlers.mjs';
import { DEFAULT_TODAY, findModel } from './models.mjs';
import { moderationBlocked } from './scenarios.mjs';
import { validateGeneration } from './validate.mjs';

/** Multipart text fields sent as integers / booleans. */
const INT_FIELDS = ['n', 'output_compression', 'partial_images', 'frame_count', 'frame_duration_ms'];
const FILE_FIELDS = ['image', 'image[]', 'mask'];

/**
 * @typedef {object} EditLog what the request log gets for an edit or variation (merged into the entry)
 * @property {Record<string, string> | unknown} body the text fields (multipart) or the JSON body
 * @property {import('./edit-inputs.mjs').FileInfo[]} files every file, in order, with what its bytes are
 * @property {{ name: string, filename: string | null, type: string | null, bytes: number }[]} [parts]
 *   multipart only: every part in order
 */

/**
 * Multipart text fields → a JSON-like body with typed values, as validate.mjs expects.
 * @param {Record<string, string>} fields
 */
function typedBody(fields) {
  /** @type {Record<string, unknown>} */
  const body = {};
  for (const [key, value] of Object.entries(fields)) {
    if (INT_FIELDS.includes(key)) {
      if (!/^-?\d+$/.test(value.trim()))
        fail(
          `Invalid type for '${key}': expected an integer, but got a string instead.`,
          key,
          'invalid_type',
        );
      body[key] = Number(value);
    } else if (key === 'stream') {
      if (value !== 'true' && value !== 'false')
        fail(`Invalid type for 'stream': expected a boolean, but got a string instead.`, key, 'invalid_type');
      body[key] = value === 'true';
    } else body[key] = value;
  }
  return body;
}

/** Size for `auto` on an edit: the standard size closest to the first image's shape. @param {{width: number|null, height: number|null}} first */
function autoSize(first) {
  const r = (first.width ?? 1) / (first.height ?? 1);
  return r > 1.2 ? '1536x1024' : r < 1 / 1.2 ? '1024x1536' : '1024x1024';
}

/** Rough input image tokens (the vision tile formula): 65 + 129 per 512-px tile after fitting. @param {{width: number|null, height: number|null}[]} files */
function inputImageTokens(files) {
  let sum = 0;
  for (const f of files) {
    let w = f.width ?? 1024;
    let h = f.height ?? 1024;
    const fit = Math.min(1, 2048 / Math.max(w, h));
    w *= fit;
    h *= fit;
    const short = Math.min(1, 768 / Math.min(w, h));
    sum += 65 + 129 * Math.ceil((w * short) / 512) * Math.ceil((h * short) / 512);
  }
  return sum;
}

/**
 * How many input images a model takes on /v1/images/edits: its entry in the mock's table (dall-e-2: one);
 * models the table does not know get the GPT image limit and are refused by the model check after.
 * @param {unknown} model @param {string} [today]
 */
export function maxInputImages(model, today = DEFAULT_TODAY) {
  if (model === 'dall-e-2') return DALLE2_EDIT.maxInputImages;
  return findModel(String(model), today)?.caps?.maxInputImages ?? MAX_IMAGES;
}

/**
 * @param {import('./handlers.mjs').RequestContext} c
 * @param {import('./multipart.mjs').FormPart[] | string | null} form parts, or the parse error
 * @param {Record<string, unknown>} entry the request-log entry (edited in place)
 */
export async function handleEdit(c, form, entry) {
  try {
    const input = form === null ? await fromJson(c, entry) : await fromMultipart(form, entry, c.today);
    if (form !== null && input.body.model === 'dall-e-2') {
      // Shut down on OpenAI; served here as a compatible server would (like variations), with its own rules.
      const p = checkDalle2Edit(input.body, input.files, input.mask);
      return await deliverDalle2Edit(c, p, { first: input.firstData, mask: input.maskData });
    }
    const v = validateGeneration(input.body, { today: c.today });
    if (v.error) return sendError(c.res, v.error);
    const first = /** @type {import('./edit-inputs.mjs').FileInfo} */ (input.files[0]);
    if (input.mask) checkMask(input.mask, first, v.params.outputFormat);
    if (c.scenarios.includes('moderation')) return sendError(c.res, moderationBlocked(c.requestId));
    const p = { ...v.params, inputImageTokens: inputImageTokens(input.files) };
    if (input.body.size === undefined || input.body.size === 'auto') {
      const [w, h] = autoSize(first).split('x').map(Number);
      Object.assign(p, { size: `${w}x${h}`, width: w, height: h });
    }
    const sources = { first: input.firstData, mask: input.maskData };
    return deliver(c, p, sources);
  } catch (e) {
    if (e instanceof RequestError) return sendError(c.res, e.error);
    throw e;
  }
}

/**
 * @param {import('./handlers.mjs').RequestContext} c
 * @param {import('./validate.mjs').GenerationParams & { inputImageTokens: number }} p
 * @param {import('./edit-render.mjs').EditSources} sources
 */
function deliver(c, p, sources) {
  /** @param {import('./images.mjs').RenderOptions} o */
  const render = (o) => {
    const pr = renderEdit(o, sources).then((b) => b.toString('base64'));
    pr.catch(() => {});
    return pr;
  };
  /** @type {import('./generate.mjs').DeliveryContext} */
  const ctx = {
    req: c.req,
    res: c.res,
    signal: c.signal,
    scenarios: c.scenarios,
    delayMs: c.delayMs,
    done: c.scenarios.includes('done') || c.req.headers['x-mock-done'] === '1',
    sendJson: (status, body, headers) => sendJson(c.res, status, body, headers),
    render,
    eventPrefix: 'image_edit',
  };
  return p.stream ? deliverStream(p, ctx) : deliverJson(p, ctx);
}

/**
 * Sort multipart parts into text fields and files, rejecting what the API rejects.
 * @param {import('./multipart.mjs').FormPart[] | string} form @param {Record<string, unknown>} entry
 * @param {string} [today]
 */
async function fromMultipart(form, entry, today) {
  if (typeof form === 'string') fail(`Could not parse multipart form: ${form}.`, null, 'invalid_multipart');
  entry.parts = form.map((p) => ({ name: p.name, filename: p.filename, type: p.type, bytes: p.data.length }));
  /** @type {Record<string, string>} */
  const fields = {};
  for (const part of form) {
    if (FILE_FIELDS.includes(part.name)) continue;
    if (part.filename !== null)
      fail(
        `Invalid type for '${part.name}': expected a text field, but got a file instead.`,
        part.name,
        'invalid_type',
      );
    if (part.name in fields) fail(`Duplicate parameter: '${part.name}'.`, part.name, 'duplicate_parameter');
    fields[part.name] = part.data.toString('utf8');
  }
  entry.body = fields;
  const single = form.filter((p) => p.name === 'image');
  const array = form.filter((p) => p.name === 'image[]');
  const masks = form.filter((p) => p.name === 'mask');
  const images = [...single, ...array];
  const files = await Promise.all(
    images.map((p, i) =>
      inspectFile({ field: p.name, filename: p.filename, type: p.type, data: p.data }).then((f) => ({
        ...f,
        index: i,
      })),
    ),
  );
  const mask = masks[0]
    ? await inspectFile(
        { field: 'mask', filename: masks[0].filename, type: masks[0].type, data: masks[0].data },
        { alphaStats: true },
      )
    : null;
  entry.files = mask ? [...files, mask] : files;

  if ('moderation' in fields) fail("Unknown parameter: 'moderation'.", 'moderation', 'unknown_parameter');
  if (single.length && array.length)
    fail(
      "Invalid 'image': send either one part named 'image' or several parts named 'image[]', not both.",
      'image',
      'invalid_value',
    );
  if (single.length > 1)
    fail(
      "Duplicate parameter: 'image'. To send several images, name every part 'image[]'.",
      'image',
      'duplicate_parameter',
    );
  if (masks.length > 1) fail("Duplicate parameter: 'mask'.", 'mask', 'duplicate_parameter');
  for (const p of [...images, ...masks])
    if (p.filename === null)
      fail(
        `Invalid type for '${p.name}': expected a file, but got a string instead.`,
        p.name,
        'invalid_type',
      );
  if (images.length === 0)
    fail("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  const max = maxInputImages(fields.model ?? 'gpt-image-1.5', today);
  if (images.length > max)
    fail(
      `Invalid 'image': array too long. Expected an array with maximum length ${max}, but got an array with length ${images.length} instead.`,
      'image',
      'array_above_max_length',
    );
  files.forEach((f, i) => checkInputImage(f, `image[${i}]`));
  const body = typedBody(fields);
  body.model ??= 'gpt-image-1.5'; // the multipart schema's default
  return {
    body,
    files,
    mask,
    firstData: /** @type {import('./multipart.mjs').FormPart} */ (images[0]).data,
    maskData: masks[0]?.data ?? null,
  };
}

/** The JSON variant (EditImageBodyJsonParam). @param {import('./handlers.mjs').RequestContext} c @param {Record<string, unknown>} entry */
async function fromJson(c, entry) {
  if (c.jsonError || c.json === null || typeof c.json !== 'object' || Array.isArray(c.json))
    fail('We could not parse the JSON body of your request.', null, null);
  const { images, mask: maskRef, ...rest } = /** @type {Record<string, unknown>} */ (c.json);
  if (images === undefined)
    fail("Missing required parameter: 'images'.", 'images', 'missing_required_parameter');
  if (!Array.isArray(images))
    fail(
      `Invalid type for 'images': expected an array, but got ${typeName(images)} instead.`,
      'images',
      'invalid_type',
    );
  if (images.length === 0)
    fail(
      "Invalid 'images': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'images',
      'empty_array',
    );
  const max = maxInputImages(rest.model ?? 'gpt-image-1.5', c.today);
  if (images.length > max)
    fail(
      `Invalid 'images': array too long. Expected an array with maximum length ${max}, but got an array with length ${images.length} instead.`,
      'images',
      'array_above_max_length',
    );
  const inputs = images.map((ref, i) => fileFromRef(ref, `images[${i}]`));
  const maskInput = maskRef === undefined || maskRef === null ? null : fileFromRef(maskRef, 'mask');
  const files = await Promise.all(inputs.map((f) => inspectFile(f)));
  const mask = maskInput ? await inspectFile(maskInput, { alphaStats: true }) : null;
  entry.files = mask ? [...files, mask] : files;
  files.forEach((f, i) => checkInputImage(f, `images[${i}]`));
  if (rest.model === undefined || rest.model === null) rest.model = 'gpt-image-1.5';
  return {
    body: rest,
    files,
    mask,
    firstData: /** @type {import('./edit-inputs.mjs').InputFile} */ (inputs[0]).data,
    maskData: maskInput?.data ?? null,
  };
}

const VARIATION_FIELDS = ['model', 'n', 'response_format', 'size', 'user'];
const VARIATION_SIZES = ['256x256', '512x512', '1024x1024'];

/**
 * POST /v1/images/variations: dall-e-2 only (which the mock serves here, as a compatible server would).
 * @param {import('./handlers.mjs').RequestContext} c
 * @param {import('./multipart.mjs').FormPart[] | string | null} form
 * @param {Record<string, unknown>} entry
 */
export async function handleVariation(c, form, entry) {
  try {
    if (form === null)
      fail('Invalid Content-Type: this endpoint takes multipart/form-data.', null, 'invalid_content_type');
    if (typeof form === 'string') fail(`Could not parse multipart form: ${form}.`, null, 'invalid_multipart');
    entry.parts = form.map((p) => ({
      name: p.name,
      filename: p.filename,
      type: p.type,
      bytes: p.data.length,
    }));
    /** @type {Record<string, string>} */
    const fields = {};
    for (const p of form) if (p.name !== 'image') fields[p.name] = p.data.toString('utf8');
    entry.body = fields;
    const images = form.filter((p) => p.name === 'image');
    const files = await Promise.all(
      images.map((p) => inspectFile({ field: 'image', filename: p.filename, type: p.type, data: p.data })),
    );
    entry.files = files;
    for (const key of Object.keys(fields))
      if (!VARIATION_FIELDS.includes(key)) fail(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
    const model = fields.model ?? 'dall-e-2';
    if (model !== 'dall-e-2')
      fail(`Invalid value: '${model}'. Supported values are: 'dall-e-2'.`, 'model', 'invalid_value');
    if (images.length !== 1 || images[0]?.filename === null)
      fail(
        "Invalid 'image': send exactly one PNG file named 'image'.",
        'image',
        images.length ? 'invalid_value' : 'missing_required_parameter',
      );
    const f = /** @type {import('./edit-inputs.mjs').FileInfo} */ (files[0]);
    if (f.type !== 'image/png' || f.format !== 'png')
      fail(
        `Invalid file 'image': the image must be a PNG file (got ${f.format ?? f.type ?? 'an unknown type'}).`,
        'image',
        'invalid_image_format',
      );
    if (f.bytes >= MAX_MASK_BYTES)
      fail("Invalid 'image': the image must be less than 4 MB.", 'image', 'file_too_large');
    if (f.width !== f.height)
      fail(
        `Invalid 'image': the image must be square, got ${f.width}x${f.height}.`,
        'image',
        'invalid_image_shape',
      );
    const n = fields.n === undefined ? 1 : Number(fields.n);
    if (!Number.isInteger(n) || n < 1 || n > 10)
      fail(`Invalid 'n': expected an integer from 1 to 10, got '${fields.n}'.`, 'n', 'invalid_value');
    const size = fields.size ?? '1024x1024';
    if (!VARIATION_SIZES.includes(size))
      fail(
        `Invalid value: '${size}'. Supported values are: '256x256', '512x512', and '1024x1024'.`,
        'size',
        'invalid_value',
      );
    const format = fields.response_format ?? 'url';
    if (format !== 'url' && format !== 'b64_json')
      fail(
        `Invalid value: '${format}'. Supported values are: 'url' and 'b64_json'.`,
        'response_format',
        'invalid_value',
      );
    if (c.scenarios.includes('moderation')) return sendError(c.res, moderationBlocked(c.requestId));
    const edge = Number(size.split('x')[0]);
    const source = /** @type {import('./multipart.mjs').FormPart} */ (images[0]).data;
    const rendered = await Promise.all(Array.from({ length: n }, (_, i) => renderVariation(source, edge, i)));
    await sleep(c.delayMs, c.signal);
    if (c.signal.aborted) return;
    // URLs would expire after an hour on the real API; the mock hands out data URLs instead.
    return sendJson(c.res, 200, {
      created: Math.floor(Date.now() / 1000),
      data: rendered.map((b) =>
        format === 'b64_json'
          ? { b64_json: b.toString('base64') }
          : { url: `data:image/png;base64,${b.toString('base64')}` },
      ),
    });
  } catch (e) {
    if (e instanceof RequestError) return sendError(c.res, e.error);
    throw e;
  }
}
