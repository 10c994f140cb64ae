// POST /v1/images/edits for dall-e-2, served as a compatible server would (dall-e-2 is shut down on
// OpenAI, as for variations): one square PNG under 4 MB, a mask (if any) a PNG under 4 MB of the same size,
// a prompt of at most 1000 characters, n 1–10, size 256/512/1024, response_format url or b64_json. None of
// the GPT image options exist here. Violations answer with the API's error envelope.

import { fail } from './errors.mjs';
import { renderEdit } from './edit-render.mjs';
import { MAX_MASK_BYTES } from './edit-inputs.mjs';
import { sleep } from './generate.mjs';
import { sendError, sendJson } from './handlers.mjs';
import { moderationBlocked } from './scenarios.mjs';

/** What dall-e-2 takes on /v1/images/edits. */
export const DALLE2_EDIT = {
  maxInputImages: 1,
  maxBytes: 4 * 1024 * 1024,
  promptMax: 1000,
  sizes: ['256x256', '512x512', '1024x1024'],
  fields: ['model', 'prompt', 'n', 'size', 'response_format', 'user', 'quality'],
};

/**
 * The dall-e-2 rules for an edit whose parts fromMultipart already sorted (and checked for MIME types).
 * Throws via fail() on the first violation; returns what to render.
 * @param {Record<string, unknown>} body typed text fields
 * @param {import('./edit-inputs.mjs').FileInfo[]} files
 * @param {import('./edit-inputs.mjs').FileInfo | null} mask
 */
export function checkDalle2Edit(body, files, mask) {
  for (const key of Object.keys(body))
    if (!DALLE2_EDIT.fields.includes(key)) fail(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  if (!prompt) fail("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  if (prompt.length > DALLE2_EDIT.promptMax)
    fail(
      `Invalid 'prompt': string too long. Expected a string with maximum length ${DALLE2_EDIT.promptMax}, but got a string with length ${prompt.length} instead.`,
      'prompt',
      'string_above_max_length',
    );
  const f = /** @type {import('./edit-inputs.mjs').FileInfo} */ (files[0]);
  if (f.format !== 'png')
    fail(
      `Invalid file 'image': dall-e-2 edits take a PNG file, but this one is ${f.format ?? 'not an image'}.`,
      'image',
      'invalid_image_format',
    );
  if (f.bytes >= DALLE2_EDIT.maxBytes)
    fail("Invalid 'image': the image must be less than 4 MB.", 'image', 'file_too_large');
  if (f.width !== f.height)
    fail(
      `Invalid 'image': the image must be square, got ${f.width}x${f.height}.`,
      'image',
      'invalid_image_shape',
    );
  if (mask) {
    if (mask.format !== 'png')
      fail("Invalid 'mask': the mask must be a valid PNG file.", 'mask', 'invalid_image_format');
    if (mask.bytes >= MAX_MASK_BYTES)
      fail("Invalid 'mask': the mask must be less than 4 MB.", 'mask', 'file_too_large');
    if (!mask.hasAlpha)
      fail(
        "Invalid 'mask': the mask must have an alpha channel; fully transparent pixels (alpha 0) mark the area to edit.",
        'mask',
        'invalid_mask_image',
      );
    if (mask.width !== f.width || mask.height !== f.height)
      fail(
        `Invalid 'mask': the mask is ${mask.width}x${mask.height} but the image is ${f.width}x${f.height}; they must have the same dimensions.`,
        'mask',
        'invalid_mask_image',
      );
  }
  const n = body.n === undefined ? 1 : /** @type {number} */ (body.n);
  if (!Number.isInteger(n) || n < 1 || n > 10)
    fail(`Invalid 'n': expected an integer from 1 to 10, got '${body.n}'.`, 'n', 'invalid_value');
  const size = body.size === undefined ? '1024x1024' : String(body.size);
  if (!DALLE2_EDIT.sizes.includes(size))
    fail(
      `Invalid value: '${size}'. Supported values are: '256x256', '512x512', and '1024x1024'.`,
      'size',
      'invalid_value',
    );
  if (body.quality !== undefined && body.quality !== 'standard')
    fail(`Invalid value: '${body.quality}'. Supported values are: 'standard'.`, 'quality', 'invalid_value');
  const format = body.response_format === undefined ? 'url' : String(body.response_format);
  if (format !== 'url' && format !== 'b64_json')
    fail(
      `Invalid value: '${format}'. Supported values are: 'url' and 'b64_json'.`,
      'response_format',
      'invalid_value',
    );
  return { prompt, n, edge: Number(size.split('x')[0]), format };
}

/**
 * Answer a dall-e-2 edit: n PNGs of the requested size, as b64_json or (data) URLs.
 * @param {import('./handlers.mjs').RequestContext} c
 * @param {ReturnType<typeof checkDalle2Edit>} p
 * @param {import('./edit-render.mjs').EditSources} sources
 */
export async function deliverDalle2Edit(c, p, sources) {
  if (c.scenarios.includes('moderation')) return sendError(c.res, moderationBlocked(c.requestId));
  const rendered = await Promise.all(
    Array.from({ length: p.n }, (_, i) =>
      renderEdit(
        { width: p.edge, height: p.edge, format: 'png', prompt: `${p.prompt}#${i}`, background: 'opaque' },
        sources,
      ),
    ),
  );
  await sleep(c.delayMs, c.signal);
  if (c.signal.aborted) return;
  return sendJson(c.res, 200, {
    created: Math.floor(Date.now() / 1000),
    data: rendered.map((b) =>
      p.format === 'b64_json'
        ? { b64_json: b.toString('base64') }
        : { url: `data:image/png;base64,${b.toString('base64')}` },
    ),
  });
}
