// A small multipart/form-data parser for the mock (RFC 7578): enough for what browsers and the SDKs send.

/**
 * @typedef {object} FormPart
 * @property {string} name the field name, e.g. 'image[]'
 * @property {string | null} filename null for a text field
 * @property {string | null} type the part's Content-Type, null when the part has none
 * @property {Buffer} data
 */

/** @param {string | undefined} contentType */
export function isMultipart(contentType) {
  return /^multipart\/form-data\b/i.test(contentType ?? '');
}

/** @param {string} contentType */
function boundaryOf(contentType) {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/**
 * Parses a whole multipart body. Throws an Error with a readable message when it is malformed.
 * @param {Buffer} body @param {string} contentType
 * @returns {FormPart[]}
 */
export function parseMultipart(body, contentType) {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error('the Content-Type has no boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  /** @type {FormPart[]} */
  const parts = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('the body does not contain the boundary');
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break; // closing "--"
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw new Error('a part has no header end');
    const headers = parseHeaders(body.subarray(at, headerEnd).toString('utf8'));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    if (next < 0) throw new Error('the body ends before its closing boundary');
    const disposition = headers['content-disposition'] ?? '';
    const name = param(disposition, 'name');
    if (name === null) throw new Error('a part has no name');
    parts.push({
      name,
      filename: param(disposition, 'filename'),
      type: headers['content-type']?.trim() || null,
      data: body.subarray(dataStart, next),
    });
    at = next + 2;
  }
  return parts;
}

/** @param {string} text @returns {Record<string, string>} */
function parseHeaders(text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/** A quoted or bare parameter of a Content-Disposition header. @param {string} header @param {string} key */
function param(header, key) {
  const m = new RegExp(`(?:^|;)\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1').replace(/%22/g, '"') : (m[2] ?? '').trim();
}
