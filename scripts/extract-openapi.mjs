#!/usr/bin/env node
// Extracts the component schemas Atelier's tests need from OpenAI's openapi.yaml
// and writes them to tests/fixtures/openapi/schemas.json.
//
// Usage: node scripts/extract-openapi.mjs [path-to-openapi.yaml]
// Default path: ../shared/reference/openapi.yaml relative to the repo root.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const inputPath = resolve(repoRoot, process.argv[2] ?? '../shared/reference/openapi.yaml');
const outputPath = resolve(repoRoot, 'tests/fixtures/openapi/schemas.json');

// Provenance of the vendored spec (update when regenerating from a newer spec).
const SOURCE = {
  repository: 'https://github.com/openai/openai-openapi',
  commit: 'f85dbe223d40e1a31cba812ab2d755c7e98a92a3',
  date: '2026-08-21',
  blob: 'cc54f3a8e4c6737bd945051cd6654e0a20913743',
  file: 'openapi.yaml',
  license: 'MIT (Copyright OpenAI)',
};

const ROOTS = [
  'CreateImageRequest',
  'CreateImageEditRequest',
  'EditImageBodyJsonParam',
  'CreateImageVariationRequest',
  'ImagesResponse',
  'ImageGenStreamEvent',
  'ImageEditStreamEvent',
  'CreateResponse',
  'ImageGenTool',
  'CreateFileRequest',
  'Error',
  'ErrorResponse',
  'Model',
  'ListModelsResponse',
  // Conversation mode: what the mock's /v1/responses stream and /v1/files answer with.
  'Response',
  'ResponseCreatedEvent',
  'ResponseQueuedEvent',
  'ResponseInProgressEvent',
  'ResponseCompletedEvent',
  'ResponseFailedEvent',
  'ResponseIncompleteEvent',
  'ResponseOutputItemAddedEvent',
  'ResponseOutputItemDoneEvent',
  'ResponseImageGenCallInProgressEvent',
  'ResponseImageGenCallGeneratingEvent',
  'ResponseImageGenCallPartialImageEvent',
  'ResponseImageGenCallCompletedEvent',
  'ResponseContentPartAddedEvent',
  'ResponseContentPartDoneEvent',
  'ResponseTextDeltaEvent',
  'ResponseTextDoneEvent',
  'ResponseErrorEvent',
  'OpenAIFile',
];

// Used instead of CreateResponse if its transitive closure is too large.
const RESPONSES_FALLBACK_ROOTS = [
  'ImageGenTool',
  'InputImageContent',
  'InputTextContent',
  'EasyInputMessage',
  'ItemReferenceParam',
  'ImageGenToolCall',
];

const MAX_BYTES = 1.5 * 1024 * 1024;
const REF_PREFIX = '#/components/schemas/';

/** Git blob hash ("git hash-object") of a buffer. */
function gitBlobSha(buf) {
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

/** Collects every `$ref` target name under `node`. */
function collectRefs(node, out) {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        if (!value.startsWith(REF_PREFIX)) {
          throw new Error(`Unsupported $ref ${value}`);
        }
        out.add(decodeURIComponent(value.slice(REF_PREFIX.length)));
      } else {
        collectRefs(value, out);
      }
    }
  }
}

/** Returns the roots plus every schema they reference transitively, in spec order. */
function closure(all, roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    if (!(name in all)) throw new Error(`Schema ${name} not found in components.schemas`);
    seen.add(name);
    const refs = new Set();
    collectRefs(all[name], refs);
    for (const ref of refs) if (!seen.has(ref)) queue.push(ref);
  }
  const picked = {};
  for (const name of Object.keys(all)) if (seen.has(name)) picked[name] = all[name];
  return picked;
}

function build(all, roots, notes) {
  const schemas = closure(all, roots);
  return {
    $comment:
      `Extract of OpenAI's openapi.yaml (MIT) from openai/openai-openapi @ ${SOURCE.commit} ` +
      `(${SOURCE.date}), blob ${SOURCE.blob}. ` +
      'Regenerate with: node scripts/extract-openapi.mjs <path-to-openapi.yaml>',
    source: { ...SOURCE, roots, notes },
    schemas,
  };
}

const raw = readFileSync(inputPath);
const actualBlob = gitBlobSha(raw);
if (actualBlob !== SOURCE.blob) {
  console.warn(
    `warning: ${inputPath} has git blob ${actualBlob}, expected ${SOURCE.blob}; ` +
      'update SOURCE in scripts/extract-openapi.mjs',
  );
}
const spec = parse(raw.toString('utf8'), { maxAliasCount: -1 });
const all = spec?.components?.schemas;
if (!all || typeof all !== 'object') throw new Error('No components.schemas in spec');

const missing = ROOTS.filter((name) => !(name in all));
if (missing.length > 0) throw new Error(`Missing root schemas: ${missing.join(', ')}`);

let out = build(all, ROOTS, []);
let json = JSON.stringify(out, null, 2) + '\n';
if (Buffer.byteLength(json) > MAX_BYTES) {
  const roots = [...new Set([...ROOTS.filter((r) => r !== 'CreateResponse'), ...RESPONSES_FALLBACK_ROOTS])];
  out = build(all, roots, [
    `CreateResponse omitted: its closure was ${Buffer.byteLength(json)} bytes (> ${MAX_BYTES}).`,
  ]);
  json = JSON.stringify(out, null, 2) + '\n';
}

mkdirSync(dirname(outputPath), { recursive: true });
writeFileSync(outputPath, json);
console.log(
  `Wrote ${Object.keys(out.schemas).length} schemas (${Buffer.byteLength(json)} bytes) ` +
    `from ${out.source.roots.length} roots to ${outputPath}`,
);
