// Validation against the vendored extract of OpenAI's OpenAPI schema (tests/fixtures/openapi/schemas.json),
// shared by the mock server (request bodies of /v1/responses) and the unit tests (tests/unit/schema.ts).
//
// The spec is OpenAPI 3.1 but still carries a few OpenAPI 3.0 / vendor idioms, normalised at load time (the
// fixture stays verbatim):
// - `$ref: '#/components/schemas/X'` becomes `#/schemas/X`, so the whole `schemas` object is one Ajv schema.
// - `nullable: true` becomes `type: [T, 'null']` (plus `null` in `enum`), or `anyOf: [<schema>, {type:'null'}]`.
// - `format: binary` accepts anything (multipart file parts are not JSON strings).
// - `$recursiveRef: '#'` becomes a `$ref` to the enclosing component schema.
// - `oneOf` is treated as `anyOf`: the spec's unions overlap (a Responses `input` message matches both
//   `EasyInputMessage` and `InputMessage`), so "exactly one" would reject valid requests.
// - `discriminator`, `x-*`, `example` and `deprecated` are annotations only.

import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

export const SPEC_REF_PREFIX = '#/components/schemas/';
export const EXTRACT_ID = 'https://atelier.invalid/openapi-extract.json';

/** @typedef {null | boolean | number | string | Json[] | { [key: string]: Json }} Json */
/** @typedef {{ [key: string]: Json }} SchemaObject */

/** The fixture, verbatim. @type {{ $comment: string, source: Record<string, Json>, schemas: Record<string, SchemaObject> }} */
export const openapiExtract = JSON.parse(
  readFileSync(new URL('../fixtures/openapi/schemas.json', import.meta.url), 'utf8'),
);

/** @param {unknown} value @returns {value is SchemaObject} */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string} ref */
export function refName(ref) {
  if (!ref.startsWith(SPEC_REF_PREFIX)) throw new Error(`Unsupported $ref ${ref}`);
  return decodeURIComponent(ref.slice(SPEC_REF_PREFIX.length));
}

const MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const OPAQUE_KEYWORDS = new Set(['example', 'examples', 'default', 'const', 'enum', 'x-oaiMeta']);

/**
 * Rewrites one schema node (see the file comment) into something Ajv's 2020 dialect understands.
 * @param {Json} node @param {string} componentName @returns {Json}
 */
export function prepareSchema(node, componentName) {
  if (Array.isArray(node)) return node.map((item) => prepareSchema(item, componentName));
  if (!isObject(node)) return node;

  /** @type {SchemaObject} */
  const out = {};
  /** @type {Json | undefined} */
  let oneOf;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = `#/schemas/${encodeURIComponent(refName(value))}`;
    } else if (key === '$recursiveRef') {
      if (value !== '#') throw new Error(`Unsupported $recursiveRef ${String(value)}`);
      out.$ref = `#/schemas/${encodeURIComponent(componentName)}`;
    } else if (key === '$recursiveAnchor' || key === 'discriminator' || key === 'nullable') {
      // handled below / ignored
    } else if (key === 'oneOf') {
      oneOf = prepareSchema(value, componentName);
    } else if (OPAQUE_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, prepareSchema(v, componentName)]),
      );
    } else {
      out[key] = prepareSchema(value, componentName);
    }
  }

  if (oneOf !== undefined) {
    if (out.anyOf === undefined) out.anyOf = oneOf;
    else out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), { anyOf: oneOf }];
  }

  if (out.format === 'binary') {
    delete out.format;
    delete out.type;
  }

  if (node.nullable === true) {
    if (typeof out.type === 'string' || Array.isArray(out.type)) {
      const types = Array.isArray(out.type) ? out.type : [out.type];
      if (!types.includes('null')) out.type = [...types, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (!('format' in node && node.format === 'binary')) {
      const { description, title, ...rest } = out;
      /** @type {SchemaObject} */
      const wrapped = { anyOf: [rest, { type: 'null' }] };
      if (description !== undefined) wrapped.description = description;
      if (title !== undefined) wrapped.title = title;
      return wrapped;
    }
  }
  return out;
}

/**
 * An Ajv instance holding every schema of the extract under EXTRACT_ID (or of `schemas`, a modified copy).
 * @param {Record<string, SchemaObject>} [schemas]
 */
export function createExtractAjv(schemas = openapiExtract.schemas) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  for (const keyword of [
    'x-oaiMeta',
    'x-oaiTypeLabel',
    'x-oaiExpandable',
    'x-stainless-const',
    'example',
    'discriminator',
  ]) {
    ajv.addKeyword({ keyword });
  }
  ajv.addFormat('binary', true);
  ajv.addFormat('unixtime', {
    type: 'number',
    validate: (/** @type {number} */ n) => Number.isInteger(n) && n >= 0,
  });
  ajv.addFormat('int64', { type: 'number', validate: (/** @type {number} */ n) => Number.isSafeInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: (/** @type {number} */ n) => Number.isFinite(n) });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  // Absolute URI (includes data: URLs, which the image endpoints accept).
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);

  /** @type {Record<string, Json>} */
  const prepared = {};
  for (const [name, schema] of Object.entries(schemas)) prepared[name] = prepareSchema(schema, name);
  ajv.addSchema({ $id: EXTRACT_ID, schemas: prepared });
  return ajv;
}

/** @type {ReturnType<typeof createExtractAjv> | undefined} */
let shared;
/** @type {Map<string, import('ajv').ValidateFunction>} */
const validators = new Map();

/**
 * The compiled validator of component schema `name`.
 * @param {string} name @returns {import('ajv').ValidateFunction}
 */
export function validatorFor(name) {
  let validate = validators.get(name);
  if (validate) return validate;
  if (!(name in openapiExtract.schemas)) throw new Error(`Schema ${name} is not in the OpenAPI extract`);
  shared ??= createExtractAjv();
  validate = shared.getSchema(`${EXTRACT_ID}#/schemas/${encodeURIComponent(name)}`);
  if (!validate) throw new Error(`Ajv could not compile schema ${name}`);
  validators.set(name, validate);
  return validate;
}
