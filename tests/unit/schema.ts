/**
 * Test helper: validates values against the vendored extract of OpenAI's
 * OpenAPI schema (tests/fixtures/openapi/schemas.json, regenerate with
 * `node scripts/extract-openapi.mjs`). The normalisation of OpenAPI idioms and
 * the Ajv setup live in tests/mock-openai/openapi-schema.mjs, shared with the
 * mock server, which validates `/v1/responses` bodies with the same schemas.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import {
  createExtractAjv,
  EXTRACT_ID,
  isObject as isObjectJs,
  openapiExtract as extractJs,
  refName,
  validatorFor,
} from '../mock-openai/openapi-schema.mjs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { [key: string]: Json };

interface Extract {
  $comment: string;
  source: Record<string, Json>;
  schemas: Record<string, SchemaObject>;
}

/** The fixture, verbatim (refs still point at `#/components/schemas/`). */
export const openapiExtract: Extract = extractJs as Extract;

/** Names of all component schemas present in the extract. */
export function schemaNames(): string[] {
  return Object.keys(openapiExtract.schemas);
}

const isObject = (value: unknown): value is SchemaObject => isObjectJs(value);

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

const extendedValidators = new Map<string, ValidateFunction>();

/**
 * Validates like `validateSchema`, against a copy of the extract whose top-level properties of `name` accept the
 * extra enum values given (e.g. `{ quality: ['xhigh', 'max'] }`): for values documented after the vendored spec
 * was cut. Each listed property must already have an enum (directly or in one `anyOf`/`oneOf` branch).
 */
export function validateSchemaExtended(
  name: string,
  value: unknown,
  extraEnums: Readonly<Record<string, readonly string[]>>,
): { ok: boolean; errors: string[] } {
  const key = JSON.stringify([name, extraEnums]);
  let validate = extendedValidators.get(key);
  if (!validate) {
    validate = compileExtended(name, extraEnums);
    extendedValidators.set(key, validate);
  }
  const ok = validate(value) === true;
  return { ok, errors: ok ? [] : (validate.errors ?? []).map(formatError) };
}

function compileExtended(
  name: string,
  extraEnums: Readonly<Record<string, readonly string[]>>,
): ValidateFunction {
  const schemas = structuredClone(openapiExtract.schemas);
  const props = schemas[name]?.properties;
  if (!isObject(props)) throw new Error(`Schema ${name} has no properties`);
  for (const [prop, extra] of Object.entries(extraEnums)) {
    const target = props[prop];
    if (!isObject(target)) throw new Error(`${name}.${prop} is not in the extract`);
    const withEnum = [target, ...[target.anyOf, target.oneOf].flatMap((b) => (Array.isArray(b) ? b : []))]
      .filter(isObject)
      .find((s) => Array.isArray(s.enum));
    if (!withEnum) throw new Error(`${name}.${prop} has no enum to extend`);
    withEnum.enum = [...(withEnum.enum as Json[]), ...extra];
  }
  const validate = createExtractAjv(schemas).getSchema(`${EXTRACT_ID}#/schemas/${encodeURIComponent(name)}`);
  if (!validate) throw new Error(`Ajv could not compile schema ${name}`);
  return validate;
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
