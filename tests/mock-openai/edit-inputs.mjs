// Input images and masks of /v1/images/edits and /v1/images/variations: what each file really is (sharp
// metadata, never trusting the declared type), the checks the API makes, and what the request log records.

import sharp from 'sharp';
import { RequestError, apiError, fail } from './errors.mjs';

export const INPUT_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
export const MAX_MASK_BYTES = 4 * 1024 * 1024;
export const MAX_IMAGES = 16;

/**
 * @typedef {object} InputFile
 * @property {string} field the part name ('image', 'image[]', 'mask') or JSON path ('images[0]', 'mask')
 * @property {string | null} filename
 * @property {string | null} type the declared MIME type (part Content-Type or data-URL type)
 * @property {Buffer} data
 */

/**
 * @typedef {object} FileInfo what the request log records about one file
 * @property {string} field
 * @property {string | null} filename
 * @property {string | null} type declared MIME type
 * @property {number} bytes
 * @property {string | null} format what the bytes are, per sharp ('png', 'jpeg', 'webp', …), null if not an image
 * @property {number | null} width
 * @property {number | null} height
 * @property {number | null} channels
 * @property {boolean | null} hasAlpha
 * @property {{ pixels: number, transparent: number, opaque: number, partial: number } | null} [alpha]
 *   masks only: how many pixels have alpha 0, 255, and anything between
 */

/**
 * Inspect a file without trusting its declared type. Masks also get alpha statistics.
 * @param {InputFile} f @param {{ alphaStats?: boolean }} [opts] @returns {Promise<FileInfo>}
 */
export async function inspectFile(f, opts = {}) {
  /** @type {FileInfo} */
  const info = {
    field: f.field,
    filename: f.filename,
    type: f.type,
    bytes: f.data.length,
    format: null,
    width: null,
    height: null,
    channels: null,
    hasAlpha: null,
  };
  try {
    const meta = await sharp(f.data).metadata();
    info.format = meta.format ?? null;
    info.width = meta.width ?? null;
    info.height = meta.height ?? null;
    info.channels = meta.channels ?? null;
    info.hasAlpha = meta.hasAlpha ?? null;
    if (opts.alphaStats && meta.hasAlpha) info.alpha = await alphaStats(f.data);
  } catch {
    // Not an image sharp can read: leave format null.
  }
  return info;
}

/** @param {Buffer} data */
async function alphaStats(data) {
  const { data: a } = await sharp(data).extractChannel('alpha').raw().toBuffer({ resolveWithObject: true });
  let transparent = 0;
  let opaque = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) transparent++;
    else if (a[i] === 255) opaque++;
  }
  return { pixels: a.length, transparent, opaque, partial: a.length - transparent - opaque };
}

const FORMAT_LABEL = /** @type {Record<string, string>} */ ({
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  gif: 'GIF',
  heif: 'HEIF',
  svg: 'SVG',
});

/** The 400 the API gives a file part without a supported MIME type. @param {string} param @param {string | null} type */
export function unsupportedMimetype(param, type) {
  return apiError(
    400,
    `Invalid file '${param}': unsupported mimetype ('${type ?? 'application/octet-stream'}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
    { param, code: 'unsupported_file_mimetype' },
  );
}

/**
 * The checks every input image gets. Throws a RequestError (via fail) on the first violation.
 * @param {FileInfo} info @param {string} param e.g. 'image[0]'
 */
export function checkInputImage(info, param) {
  if (!info.type || !INPUT_TYPES.includes(info.type))
    throw new RequestError(unsupportedMimetype(param, info.type));
  if (!info.format)
    fail(
      `Invalid file '${param}': the file could not be read as an image. Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
      param,
      'invalid_image_file',
    );
  const real = `image/${info.format}`;
  if (real !== info.type)
    fail(
      `Invalid file '${param}': its content is ${FORMAT_LABEL[info.format] ?? info.format} but it was sent as '${info.type}'.`,
      param,
      'invalid_image_file',
    );
  if (info.bytes >= MAX_IMAGE_BYTES)
    fail(
      `Invalid file '${param}': the file is ${(info.bytes / 1024 / 1024).toFixed(1)} MB; each image must be less than 50 MB.`,
      param,
      'file_too_large',
    );
}

/**
 * The checks a mask gets, against the first image (the one it applies to).
 * @param {FileInfo} mask @param {FileInfo} first @param {string} outputFormat
 */
export function checkMask(mask, first, outputFormat) {
  if (outputFormat === 'gif')
    fail(
      "Unsupported parameter: 'mask' is not supported with output_format 'gif'.",
      'mask',
      'unsupported_parameter',
    );
  if (mask.type !== null && mask.type !== 'image/png')
    fail(
      `Invalid file 'mask': unsupported mimetype ('${mask.type}'). The mask must be a PNG file ('image/png').`,
      'mask',
      'unsupported_file_mimetype',
    );
  if (mask.format !== 'png')
    fail(
      `Invalid 'mask': the mask must be a valid PNG file, but its content is ${mask.format ? (FORMAT_LABEL[mask.format] ?? mask.format) : 'not an image'}.`,
      'mask',
      'invalid_image_format',
    );
  if (mask.bytes >= MAX_MASK_BYTES)
    fail(
      `Invalid 'mask': the file is ${(mask.bytes / 1024 / 1024).toFixed(1)} MB; the mask must be less than 4 MB.`,
      'mask',
      'file_too_large',
    );
  if (!mask.hasAlpha)
    fail(
      "Invalid 'mask': the mask must have an alpha channel; fully transparent pixels (alpha 0) mark the area to edit.",
      'mask',
      'invalid_mask_image',
    );
  if (mask.width !== first.width || mask.height !== first.height)
    fail(
      `Invalid 'mask': the mask is ${mask.width}x${mask.height} but the image it applies to (the first image) is ${first.width}x${first.height}; they must have the same dimensions.`,
      'mask',
      'invalid_mask_image',
    );
  if (first.format !== 'png')
    fail(
      `Invalid 'mask': the mask and the first image must have the same format, but the first image is ${FORMAT_LABEL[first.format ?? ''] ?? first.format}. Convert it to PNG.`,
      'mask',
      'invalid_mask_image',
    );
}

const DATA_URL = /^data:([^;,]*)(;[^,]*)?,/;

/**
 * One JSON `ImageRefParam` ({image_url} or {file_id}) as an InputFile. Throws via fail().
 * @param {unknown} ref @param {string} path e.g. 'images[0]'
 * @returns {InputFile}
 */
export function fileFromRef(ref, path) {
  if (!ref || typeof ref !== 'object' || Array.isArray(ref))
    fail(
      `Invalid type for '${path}': expected an object, but got ${typeof ref} instead.`,
      path,
      'invalid_type',
    );
  const keys = Object.keys(/** @type {object} */ (ref));
  const extra = keys.find((k) => k !== 'image_url' && k !== 'file_id');
  if (extra) fail(`Unknown parameter: '${path}.${extra}'.`, `${path}.${extra}`, 'unknown_parameter');
  if (keys.length !== 1)
    fail(`Invalid '${path}': provide exactly one of 'image_url' or 'file_id'.`, path, 'invalid_value');
  const r = /** @type {{ image_url?: unknown, file_id?: unknown }} */ (ref);
  if (r.file_id !== undefined)
    fail(
      `Invalid '${path}.file_id': no such file '${String(r.file_id)}' (the mock server stores no files).`,
      `${path}.file_id`,
      'invalid_value',
    );
  const url = r.image_url;
  if (typeof url !== 'string')
    fail(`Invalid type for '${path}.image_url': expected a string.`, `${path}.image_url`, 'invalid_type');
  if (url.length > 20_971_520)
    fail(
      `Invalid '${path}.image_url': string too long. Expected a string with maximum length 20971520, but got a string with length ${url.length} instead.`,
      `${path}.image_url`,
      'string_above_max_length',
    );
  const m = DATA_URL.exec(url);
  if (!m)
    fail(
      `Invalid '${path}.image_url': the mock server cannot fetch remote URLs; send a base64 data URL.`,
      `${path}.image_url`,
      'invalid_value',
    );
  if (!m[2]?.includes(';base64'))
    fail(
      `Invalid '${path}.image_url': the data URL must be base64-encoded.`,
      `${path}.image_url`,
      'invalid_value',
    );
  return {
    field: path,
    filename: null,
    type: m[1] || null,
    data: Buffer.from(url.slice(m[0].length), 'base64'),
  };
}
