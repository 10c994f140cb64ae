/**
 * Test helper: validates values against the vendored extract of OpenAI's
 * OpenAPI schema (tests/fixtures/openapi/schemas.json, regenerate with
 * `node scripts/extract-openapi.mjs`).
 *
 * The spec is OpenAPI 3.1 but still carries a few OpenAPI 3.0 / vendor
 * idioms, which are normalised at load time (the fixture stays verbatim):
 * - `$ref: '#/components/schemas/X'` is rewritten to `#/schemas/X`, so the
 *   whole `schemas` object is registered as one Ajv schema and every ref
 *   resolves inside the fixture.
 * - `nullable: true` (not a 2020-12 keyword) becomes `type: [T, 'null']`
 *   (plus `null` in `enum`), or `anyOf: [<schema>, {type: 'null'}]` when
 *   there is no `type`.
 * - `format: binary` accepts anything (a Blob, a File, or a placeholder
 *   string), since multipart file parts are not JSON strings.
 * - `$recursiveRef: '#'` (draft 2019-09, unsupported by Ajv's 2020 dialect)
 *   becomes a `$ref` to the enclosing component schema.
 * - `oneOf` is treated as `anyOf`. The spec uses `oneOf` for unions whose
 *   branches overlap (e.g. a Responses `input` message matches both
 *   `EasyInputMessage` and `InputMessage`), so strict "exactly one" semantics
 *   would reject valid requests.
 * - `discriminator` is ignored: Ajv's discriminator support requires `oneOf`
 *   and no `mapping`, while the spec mostly uses it with `anyOf`. The union
 *   branches alone decide validity.
 * - `x-*`, `example` and `deprecated` are annotations only.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { [key: string]: Json };

interface Extract {
  $comment: string;
  source: Record<string, Json>;
  schemas: Record<string, SchemaObject>;
}

const SPEC_REF_PREFIX = '#/components/schemas/';
const EXTRACT_ID = 'https://atelier.invalid/openapi-extract.json';

/** The fixture, verbatim (refs still point at `#/components/schemas/`). */
export const openapiExtract: Extract = JSON.parse(
  readFileSync(new URL('../fixtures/openapi/schemas.json', import.meta.url), 'utf8'),
) as Extract;

/** Names of all component schemas present in the extract. */
export function schemaNames(): string[] {
  return Object.keys(openapiExtract.schemas);
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refName(ref: string): string {
  if (!ref.startsWith(SPEC_REF_PREFIX)) throw new Error(`Unsupported $ref ${ref}`);
  return decodeURIComponent(ref.slice(SPEC_REF_PREFIX.length));
}

/** Keys whose values are maps of names (not schemas) or annotations (not schemas). */
const MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const OPAQUE_KEYWORDS = new Set(['example', 'examples', 'default', 'const', 'enum', 'x-oaiMeta']);

/** Rewrites one schema node (see the file comment) into something Ajv's 2020 dialect understands. */
function prepare(node: Json, componentName: string): Json {
  if (Array.isArray(node)) return node.map((item) => prepare(item, componentName));
  if (!isObject(node)) return node;

  const out: SchemaObject = {};
  let oneOf: Json | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = `#/schemas/${encodeURIComponent(refName(value))}`;
    } else if (key === '$recursiveRef') {
      if (value !== '#') throw new Error(`Unsupported $recursiveRef ${String(value)}`);
      out.$ref = `#/schemas/${encodeURIComponent(componentName)}`;
    } else if (key === '$recursiveAnchor' || key === 'discriminator' || key === 'nullable') {
      // handled below / ignored
    } else if (key === 'oneOf') {
      oneOf = prepare(value, componentName);
    } else if (OPAQUE_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepare(v, componentName)]));
    } else {
      out[key] = prepare(value, componentName);
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
      const wrapped: SchemaObject = { anyOf: [rest, { type: 'null' }] };
      if (description !== undefined) wrapped.description = description;
      if (title !== undefined) wrapped.title = title;
      return wrapped;
    }
  }
  return out;
}

function createAjv(): Ajv2020 {
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
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  // Absolute URI (includes data: URLs, which the image endpoints accept).
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);

  const prepared: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(openapiExtract.schemas)) prepared[name] = prepare(schema, name);
  ajv.addSchema({ $id: EXTRACT_ID, schemas: prepared });
  return ajv;
}

let ajvInstance: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(name: string): ValidateFunction {
  let validate = validators.get(name);
  if (validate) return validate;
  if (!(name in openapiExtract.schemas)) throw new Error(`Schema ${name} is not in the OpenAPI extract`);
  ajvInstance ??= createAjv();
  validate = ajvInstance.getSchema(`${EXTRACT_ID}#/schemas/${encodeURIComponent(name)}`);
  if (!validate) throw new Error(`Ajv could not compile schema ${name}`);
  validators.set(name, validate);
  return validate;
}

function formatError(error: ErrorObject): string {
  const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}${params} (${error.schemaPath})`;
}

/** Validates `value` against component schema `name` of the vendored OpenAPI extract. */
export function validateSchema(name: string, value: unknown): { ok: boolean; errors: string[] } {
  const validate = validatorFor(name);
  const ok = validate(value) === true;
  return { ok, errors: ok ? [] : (validate.errors ?? []).map(formatError) };
}

/** Follows `$ref`s, returning the referenced schema (verbatim fixture form). */
function deref(schema: Json, seen = new Set<string>()): SchemaObject {
  if (!isObject(schema)) throw new Error(`Not a schema: ${JSON.stringify(schema)}`);
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = refName(ref);
  if (seen.has(name)) throw new Error(`$ref cycle at ${name}`);
  seen.add(name);
  const target = openapiExtract.schemas[name];
  if (!target) throw new Error(`Unresolved $ref ${ref}`);
  return deref(target, seen);
}

/**
 * The schema itself plus every alternative it composes (through `$ref`,
 * `anyOf`, `oneOf`, `allOf`), flattened.
 */
function alternatives(schema: Json, depth = 0): SchemaObject[] {
  if (depth > 32) throw new Error('Schema nesting too deep');
  const resolved = deref(schema);
  const out = [resolved];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = resolved[key];
    if (Array.isArray(branches)) for (const branch of branches) out.push(...alternatives(branch, depth + 1));
  }
  return out;
}

function componentSchema(name: string): SchemaObject {
  const schema = openapiExtract.schemas[name];
  if (!schema) throw new Error(`Schema ${name} is not in the OpenAPI extract`);
  return schema;
}

/**
 * Enum literals (and `const`s) allowed at `propertyPath` (dot-separated
 * property names) of component schema `name`. Follows `$ref`, `anyOf`,
 * `oneOf` and `allOf`, and steps into array `items` transparently, so
 * `schemaEnum('CreateResponse', 'tools.action')` finds the image generation
 * tool's `action` enum. Only string literals are returned (no `null`); a
 * property that also accepts free strings still returns its listed literals.
 * Throws if the path matches no property.
 */
export function schemaEnum(name: string, propertyPath: string): string[] {
  let current: SchemaObject[] = [componentSchema(name)];
  for (const segment of propertyPath.split('.').filter(Boolean)) {
    const next: SchemaObject[] = [];
    for (const schema of current) {
      for (const alt of alternatives(schema)) {
        const candidates = [alt];
        if (alt.items !== undefined && !Array.isArray(alt.items)) candidates.push(...alternatives(alt.items));
        for (const candidate of candidates) {
          const props = candidate.properties;
          if (isObject(props) && props[segment] !== undefined) next.push(deref(props[segment]));
        }
      }
    }
    if (next.length === 0) throw new Error(`${name}.${propertyPath}: no property "${segment}"`);
    current = next;
  }

  const values = new Set<string>();
  for (const schema of current) {
    for (const alt of alternatives(schema)) {
      const variants = [alt];
      if (alt.items !== undefined && !Array.isArray(alt.items)) variants.push(...alternatives(alt.items));
      for (const variant of variants) {
        if (Array.isArray(variant.enum)) {
          for (const v of variant.enum) if (typeof v === 'string') values.add(v);
        }
        if (typeof variant.const === 'string') values.add(variant.const);
      }
    }
  }
  return [...values];
}

/**
 * Whether component schema `name` accepts properties it does not declare.
 * False when the (dereferenced) schema sets `additionalProperties: false`,
 * or when it is a pure `anyOf`/`oneOf` whose every branch does.
 */
export function isAdditionalPropertiesAllowed(name: string): boolean {
  const allowed = (schema: Json): boolean => {
    const resolved = deref(schema);
    if (resolved.additionalProperties === false) return false;
    if (resolved.properties === undefined) {
      const branches = resolved.anyOf ?? resolved.oneOf;
      if (Array.isArray(branches) && branches.length > 0) return branches.some(allowed);
    }
    return true;
  };
  return allowed(componentSchema(name));
}
