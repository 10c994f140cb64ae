// POST /v1/responses with the image_generation tool, GET /v1/responses/{id} (JSON, or SSE replay with
// `?stream=true&starting_after=N`), POST /v1/responses/{id}/cancel, and POST /v1/files.
//
// Every response runs as a "job" that appends events (each with a `sequence_number`) to its own list; a
// streaming client tails that list. A background job keeps running when its client goes away, so a later
// GET can replay what was missed and continue live. Stored responses (store: true, the default) keep their
// context images, so `previous_response_id`, `item_reference` and `image_generation_call` ids resolve
// against what this mock stored; with `store: false` nothing is kept and those ids are unknown later.
//
// Bodies are validated against the vendored OpenAPI schema (CreateResponse) first, then by the rules the
// schema cannot express (which models take the tool, input_fidelity per model, sizes, edit needs an image).

import { randomBytes } from 'node:crypto';
import { RequestError, apiError, badRequest, listValues, modelNotFound } from './errors.mjs';
import { renderEdit } from './edit-render.mjs';
import { renderImageB64 } from './images.mjs';
import { DEFAULT_TODAY, SHUT_DOWN, findModel } from './models.mjs';
import { validatorFor } from './openapi-schema.mjs';
import { sleep } from './generate.mjs';
import { sendJson } from './handlers.mjs';
import { errorEvent } from './scenarios.mjs';
import { resolveSize } from './sizes.mjs';
import { usageFor } from './usage.mjs';

/** Image models the Responses tool accepts (developers.openai.com tools-image-generation, 2026-11). */
export const TOOL_MODELS = [
  'gpt-image-2.5-sunburst',
  'gpt-image-2.5-sunburst-2026-09-08',
  'gpt-image-2.5-flare',
  'gpt-image-2.5-flare-2026-09-08',
  'gpt-image-2',
  'gpt-image-2-2026-04-21',
  'gpt-image-1.5',
  'gpt-image-1.5-2025-12-16',
  'gpt-image-1-mini',
  'chatgpt-image-latest',
];

/** Top-level keys of CreateResponse this mock knows; anything else is an unknown parameter. */
const KNOWN = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'stream',
  'store',
  'previous_response_id',
  'background',
  'include',
  'max_output_tokens',
  'parallel_tool_calls',
  'metadata',
  'safety_identifier',
  'user',
  'temperature',
  'top_p',
  'truncation',
  'text',
  'reasoning',
  'service_tier',
  'stream_options',
]);

const TOOL_KEYS = new Set([
  'type',
  'model',
  'quality',
  'size',
  'output_format',
  'output_compression',
  'moderation',
  'background',
  'input_fidelity',
  'input_image_mask',
  'partial_images',
  'action',
]);

/** How many stored responses the mock keeps before the oldest expire. */
const MAX_STORED = 300;

/** Jobs and files live as long as the server (responses up to MAX_STORED). */
export function createConversationStore() {
  return {
    /** Stored (or background) responses by id. @type {Map<string, Job>} */
    responses: new Map(),
    /** Image-call items of stored responses by id: their image bytes. @type {Map<string, Buffer>} */
    items: new Map(),
    /** Uploaded files by id. @type {Map<string, { bytes: Buffer, filename: string, purpose: string, type: string | null }>} */
    files: new Map(),
  };
}
/** @typedef {ReturnType<typeof createConversationStore>} ConversationStore */

/**
 * @typedef {object} Job
 * @property {string} id
 * @property {Record<string, unknown>} response the Response object (mutated as the job runs)
 * @property {Record<string, unknown>[]} events every event sent so far
 * @property {boolean} done
 * @property {Buffer[]} context images in this response's context, its own output included (for later turns)
 * @property {AbortController} stop aborted on cancel (and when a foreground client leaves)
 * @property {Set<() => void>} waiters
 * @property {string} [written] the assistant's text so far (for the mainline model's usage)
 */

const hex = (n) => randomBytes(n).toString('hex');

/** The text of the last user message: what the scenario markers and the pictures are keyed on. @param {unknown} json */
export function responsesPrompt(json) {
  if (!json || typeof json !== 'object' || !('input' in json)) return null;
  const input = /** @type {{ input: unknown }} */ (json).input;
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return null;
  const texts = [];
  for (const item of input) {
    if (!item || typeof item !== 'object' || item.role !== 'user') continue;
    if (typeof item.content === 'string') texts.push(item.content);
    else if (Array.isArray(item.content))
      for (const c of item.content)
        if (c?.type === 'input_text' && typeof c.text === 'string') texts.push(c.text);
  }
  return texts.length ? texts.join('\n') : null;
}

/** "/input/0/content/1/detail" → "input[0].content[1].detail" @param {string} path */
function paramOf(path) {
  return path
    .split('/')
    .filter(Boolean)
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i ? `.${s}` : s))
    .join('');
}

/**
 * The API-style 400 for a body the schema rejects: the most specific Ajv error (an enum miss, else the deepest).
 * @param {unknown} body @param {import('ajv').ErrorObject[]} errors
 */
function schemaError(body, errors) {
  const depth = (e) => e.instancePath.split('/').length;
  // A union's other branches fail on their `type` discriminator; the interesting miss is elsewhere.
  const enums = errors.filter((e) => e.keyword === 'enum').sort((a, b) => depth(b) - depth(a));
  const pick =
    enums.find((e) => !e.instancePath.endsWith('/type')) ??
    enums[0] ??
    [...errors].sort((a, b) => depth(b) - depth(a))[0];
  if (!pick) return badRequest('Invalid request body.', null, 'invalid_value');
  const param = paramOf(pick.instancePath) || null;
  if (pick.keyword === 'enum')
    return badRequest(
      `Invalid value: '${String(valueAt(body, pick))}'. Supported values are: ${listValues(pick.params.allowedValues.filter((v) => v !== null))}.`,
      param,
      'invalid_value',
    );
  if (pick.keyword === 'required')
    return badRequest(
      `Missing required parameter: '${param ? `${param}.` : ''}${pick.params.missingProperty}'.`,
      `${param ? `${param}.` : ''}${pick.params.missingProperty}`,
      'missing_required_parameter',
    );
  if (pick.keyword === 'type')
    return badRequest(`Invalid type for '${param}': expected ${pick.params.type}.`, param, 'invalid_type');
  return badRequest(`Invalid '${param}': ${pick.message}.`, param, 'invalid_value');
}
/** The value at an Ajv error's instance path. @param {unknown} body @param {import('ajv').ErrorObject} e */
function valueAt(body, e) {
  let v = /** @type {any} */ (body);
  for (const s of e.instancePath.split('/').filter(Boolean)) v = v?.[s];
  return v;
}

const DATA_URL = /^data:([^;,]*);base64,/;

/** What the bytes are, by magic number. @param {Buffer} b */
function sniff(b) {
  if (b.length > 8 && b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG') return 'png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  if (b.length > 6 && b.toString('latin1', 0, 3) === 'GIF') return 'gif';
  return null;
}

/**
 * The bytes of an image reference ({image_url} data URL or {file_id}); throws RequestError.
 * @param {{ image_url?: string, file_id?: string }} ref @param {string} param @param {ConversationStore} store
 */
function imageBytes(ref, param, store) {
  if (ref.file_id !== undefined) {
    const f = store.files.get(ref.file_id);
    if (!f)
      throw new RequestError(
        apiError(404, `No such File object: ${ref.file_id}`, { param: `${param}.file_id` }),
      );
    return f.bytes;
  }
  const url = ref.image_url ?? '';
  const m = DATA_URL.exec(url);
  if (!m)
    throw new RequestError(
      badRequest(
        `Invalid '${param}.image_url': the mock server cannot fetch remote URLs; send a base64 data URL or a file_id.`,
        `${param}.image_url`,
        'invalid_image_url',
      ),
    );
  const bytes = Buffer.from(url.slice(m[0].length), 'base64');
  const kind = sniff(bytes);
  if (!kind || `image/${kind}` !== m[1])
    throw new RequestError(
      badRequest(
        `Invalid '${param}.image_url': the data is not a valid ${m[1] || 'image'} (expected PNG, JPEG, WebP or GIF bytes matching the declared type).`,
        `${param}.image_url`,
        'invalid_image_format',
      ),
    );
  return bytes;
}

/**
 * Checks a body and works out the conversation context. Throws RequestError.
 * @param {Record<string, unknown>} body @param {ConversationStore} store @param {string} today
 * @param {string[]} scenarios
 */
function prepare(body, store, today, scenarios) {
  const validate = validatorFor('CreateResponse');
  if (!validate(body)) throw new RequestError(schemaError(body, validate.errors ?? []));
  for (const key of Object.keys(body))
    if (!KNOWN.has(key))
      throw new RequestError(badRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter'));

  const model = String(body.model ?? '');
  if (!model)
    throw new RequestError(
      badRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter'),
    );
  const mainline = findModel(model, today);
  if (mainline?.kind === 'image' || Object.hasOwn(SHUT_DOWN, model))
    throw new RequestError(
      badRequest(
        `The model '${model}' is an image model and is not supported as the Responses model. Use a text model such as 'gpt-6.1-sol' and put the image model in the image_generation tool.`,
        'model',
        'model_not_supported',
      ),
    );
  if (!mainline) throw new RequestError(modelNotFound(model));

  const tools = Array.isArray(body.tools) ? body.tools : [];
  const toolIndex = tools.findIndex((t) => t?.type === 'image_generation');
  const tool = toolIndex >= 0 ? tools[toolIndex] : null;
  const tp = (k) => `tools[${toolIndex}].${k}`;
  if (tool) {
    for (const k of Object.keys(tool))
      if (!TOOL_KEYS.has(k))
        throw new RequestError(badRequest(`Unknown parameter: '${tp(k)}'.`, tp(k), 'unknown_parameter'));
    if (scenarios.includes('tool-unsupported'))
      throw new RequestError(
        badRequest(
          `Tool 'image_generation' is not supported with model '${model}'.`,
          `tools[${toolIndex}]`,
          'unsupported_tool',
        ),
      );
  }
  const imageModel = tool?.model ?? 'gpt-image-1';
  const entry = findModel(imageModel, today);
  if (tool && (!entry || !TOOL_MODELS.includes(imageModel)))
    throw new RequestError(
      badRequest(
        entry || Object.hasOwn(SHUT_DOWN, imageModel)
          ? `The model '${imageModel}' cannot be used with the image_generation tool. Supported values are: ${listValues(TOOL_MODELS.filter((m) => findModel(m, today)))}.`
          : `The model '${imageModel}' does not exist or you do not have access to it.`,
        tp('model'),
        entry || Object.hasOwn(SHUT_DOWN, imageModel) ? 'unsupported_model' : 'model_not_found',
      ),
    );
  const caps = entry?.caps;
  if (tool && caps) {
    if (tool.input_fidelity !== undefined && tool.input_fidelity !== null) {
      if (!caps.inputFidelity)
        throw new RequestError(
          badRequest(
            `Unknown parameter: '${tp('input_fidelity')}'.`,
            tp('input_fidelity'),
            'unknown_parameter',
          ),
        );
      if (!caps.inputFidelity.includes(tool.input_fidelity))
        throw new RequestError(
          badRequest(
            `Invalid value: '${tool.input_fidelity}'. Supported values are: ${listValues(caps.inputFidelity)}.`,
            tp('input_fidelity'),
            'invalid_value',
          ),
        );
    }
    if (tool.quality !== undefined && !caps.qualities.includes(tool.quality))
      throw new RequestError(
        badRequest(
          `Invalid value: '${tool.quality}'. Supported values are: ${listValues(caps.qualities)}.`,
          tp('quality'),
          'invalid_value',
        ),
      );
    const format = tool.output_format ?? 'png';
    if (tool.output_compression !== undefined && format === 'png')
      throw new RequestError(
        badRequest(
          `Unsupported parameter: 'output_compression' is only supported with output_format 'jpeg' or 'webp', but output_format is 'png'.`,
          tp('output_compression'),
          'unsupported_parameter',
        ),
      );
    if (tool.background === 'transparent' && format === 'jpeg')
      throw new RequestError(
        badRequest(
          `Invalid value: 'transparent'. A transparent background requires output_format 'png' or 'webp'.`,
          tp('background'),
          'invalid_value',
        ),
      );
  }
  let size = { width: 1024, height: 1024 };
  if (tool && caps) {
    try {
      size = resolveSize(tool.size, caps, imageModel, null);
    } catch (e) {
      if (e instanceof RequestError) e.error.body.error.param = tp('size');
      throw e;
    }
  }

  if (body.background === true && body.store === false)
    throw new RequestError(badRequest('Background mode requires store=true.', 'background', 'invalid_value'));

  // The context: the previous response's images, then this request's own inputs.
  /** @type {Buffer[]} */
  const context = [];
  const prevId = typeof body.previous_response_id === 'string' ? body.previous_response_id : null;
  if (prevId) {
    if (scenarios.includes('expired')) forget(store, prevId);
    const prev = store.responses.get(prevId);
    if (!prev || !prev.done)
      throw new RequestError(
        apiError(400, `Previous response with id '${prevId}' not found.`, {
          param: 'previous_response_id',
          code: 'previous_response_not_found',
        }),
      );
    context.push(...prev.context);
  }
  const input = typeof body.input === 'string' ? [] : Array.isArray(body.input) ? body.input : [];
  input.forEach((item, i) => {
    if (item?.type === 'item_reference' || item?.type === 'image_generation_call') {
      if (item.type === 'image_generation_call' && typeof item.result === 'string' && item.result) {
        context.push(Buffer.from(item.result, 'base64'));
        return;
      }
      const bytes = store.items.get(item.id);
      if (!bytes)
        throw new RequestError(
          apiError(404, `Item with id '${item.id}' not found.`, { param: `input[${i}]` }),
        );
      context.push(bytes);
    }
    if (Array.isArray(item?.content))
      item.content.forEach((c, j) => {
        if (c?.type === 'input_image') context.push(imageBytes(c, `input[${i}].content[${j}]`, store));
      });
  });
  /** @type {Buffer | null} */
  let mask = null;
  if (tool?.input_image_mask) mask = imageBytes(tool.input_image_mask, tp('input_image_mask'), store);

  const forced = tool?.action ?? 'auto';
  if (forced === 'edit' && context.length === 0)
    throw new RequestError(
      badRequest(
        "The image_generation tool was asked to edit (action 'edit'), but there is no image in the conversation to edit. Add an image or use action 'generate' or 'auto'.",
        tp('action'),
        'invalid_value',
      ),
    );
  if (mask && context.length === 0)
    throw new RequestError(
      badRequest(
        'input_image_mask needs an image in the conversation to apply to.',
        tp('input_image_mask'),
        'invalid_value',
      ),
    );

  return {
    model,
    tool,
    imageModel,
    size,
    context,
    mask,
    action: forced === 'auto' ? (context.length ? 'edit' : 'generate') : forced,
    prompt: (responsesPrompt(body) ?? '').replace(/\[\[mock:[^\]]*\]\]/g, '').trim(),
  };
}

/** Drops a stored response and its items (expiry). @param {ConversationStore} store @param {string} id */
function forget(store, id) {
  const job = store.responses.get(id);
  if (!job) return;
  store.responses.delete(id);
  for (const item of /** @type {any[]} */ (job.response.output)) store.items.delete(item.id);
}

/** @param {Job} job */
function notify(job) {
  for (const w of job.waiters) w();
  job.waiters.clear();
}

/** @param {Job} job @param {string} type @param {Record<string, unknown>} data */
function emit(job, type, data) {
  const ev = { type, ...data, sequence_number: job.events.length };
  job.events.push(ev);
  notify(job);
  return ev;
}

/** A snapshot of the Response object for created/in_progress/completed events. @param {Job} job */
const snapshot = (job) => structuredClone(job.response);

/**
 * Runs a job to the end, appending events `delayMs` apart.
 * @param {Job} job @param {ReturnType<typeof prepare>} p
 * @param {{ delayMs: number, scenarios: string[], stored: boolean }} o @param {ConversationStore} store
 */
async function run(job, p, o, store) {
  const signal = job.stop.signal;
  const wait = () => sleep(o.delayMs, signal);
  const r = job.response;
  const tool = p.tool ?? {};
  const format = tool.output_format ?? 'png';
  const quality = tool.quality && tool.quality !== 'auto' ? tool.quality : 'medium';
  const background = tool.background === 'transparent' ? 'transparent' : 'opaque';
  const partialCount = tool.partial_images ?? 0;
  const width = p.size.width;
  const height = p.size.height;
  const params = { prompt: p.prompt, quality, width, height, frames: 1, n: 1, inputImageTokens: 0 };
  const renderOpts = {
    width,
    height,
    format,
    prompt: `${p.prompt}\u0000${job.id}`,
    background,
    compression: tool.output_compression ?? null,
  };
  const source = p.action === 'edit' ? p.context[p.context.length - 1] : null;
  const draw = (/** @type {number | undefined} */ partialIndex) =>
    source
      ? renderEdit({ ...renderOpts, partialIndex, partialCount }, { first: source, mask: p.mask }).then((b) =>
          b.toString('base64'),
        )
      : renderImageB64({ ...renderOpts, partialIndex, partialCount });
  const finalImage = draw(undefined);
  finalImage.catch(() => {});

  const step = async (/** @type {string} */ type, /** @type {Record<string, unknown>} */ data) => {
    await wait();
    if (signal.aborted) throw new Error('stopped');
    return emit(job, type, data);
  };
  try {
    emit(job, 'response.created', { response: snapshot(job) });
    if (r.background) await step('response.queued', { response: snapshot(job) });
    r.status = 'in_progress';
    await step('response.in_progress', { response: snapshot(job) });
    if (!p.tool) {
      await finishText(
        job,
        step,
        0,
        `There is no image tool in this request, so here is only text about “${p.prompt}”.`,
      );
    } else {
      const itemId = `ig_${hex(16)}`;
      const item = { id: itemId, type: 'image_generation_call', status: 'in_progress', result: null };
      /** @type {any[]} */ (r.output).push(item);
      await step('response.output_item.added', {
        output_index: 0,
        item: { id: itemId, type: 'image_generation_call', status: 'in_progress', result: null },
      });
      await step('response.image_generation_call.in_progress', { output_index: 0, item_id: itemId });
      if (o.scenarios.includes('policy')) {
        item.status = 'failed';
        r.status = 'failed';
        r.error = {
          code: 'image_content_policy_violation',
          message:
            'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
        };
        await step('response.failed', { response: snapshot(job) });
        return;
      }
      item.status = 'generating';
      await step('response.image_generation_call.generating', { output_index: 0, item_id: itemId });
      for (let i = 0; i < partialCount; i++) {
        const b64 = await draw(i);
        await step('response.image_generation_call.partial_image', {
          output_index: 0,
          item_id: itemId,
          partial_image_index: i,
          partial_image_b64: b64,
          size: `${width}x${height}`,
          quality,
          background,
          output_format: format,
        });
      }
      const b64 = await finalImage;
      Object.assign(item, {
        status: 'completed',
        result: b64,
        revised_prompt: `${p.action === 'edit' ? 'Edit of the earlier image' : 'A new image'}: ${p.prompt || 'untitled'}, rendered with soft gradients and drifting discs.`,
        action: p.action,
        background,
        output_format: format,
        quality,
        size: `${width}x${height}`,
      });
      const done = () =>
        step('response.output_item.done', {
          output_index: 0,
          item: { ...item, status: o.scenarios.includes('status-generating') ? 'generating' : 'completed' },
        });
      const completed = () =>
        step('response.image_generation_call.completed', { output_index: 0, item_id: itemId });
      if (o.scenarios.includes('item-done-first')) {
        await done();
        await completed();
      } else {
        await completed();
        await done();
      }
      await finishText(
        job,
        step,
        1,
        p.action === 'edit' ? 'Here is the edited image.' : 'Here is the new image.',
      );
      job.context = [...p.context, Buffer.from(b64, 'base64')];
      if (o.stored) store.items.set(itemId, Buffer.from(b64, 'base64'));
      // The image tool's tokens are reported apart from the mainline model's (`tool_usage.image_gen`).
      r.tool_usage = { image_gen: usageFor(params, { images: 1, partials: partialCount }) };
    }
    // The mainline model read the message and wrote the reply (and, when it called the tool, the tool's prompt).
    r.usage = mainlineUsage(p.prompt, (job.written ?? '') + (p.tool ? p.prompt : ''));
    if (o.scenarios.includes('incomplete')) {
      r.status = 'incomplete';
      r.incomplete_details = { reason: 'max_output_tokens' };
      await step('response.incomplete', { response: snapshot(job) });
    } else {
      r.status = 'completed';
      await step('response.completed', { response: snapshot(job) });
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  } finally {
    job.done = true;
    notify(job);
  }
}

/** The assistant's message item, streamed as text deltas. */
async function finishText(job, step, index, text) {
  const id = `msg_${hex(16)}`;
  const msg = { id, type: 'message', role: 'assistant', status: 'in_progress', content: [] };
  /** @type {any[]} */ (job.response.output).push(msg);
  await step('response.output_item.added', { output_index: index, item: { ...msg, content: [] } });
  await step('response.content_part.added', {
    item_id: id,
    output_index: index,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
  });
  job.written = (job.written ?? '') + text;
  const words = text.split(/(?<= )/);
  const half = Math.ceil(words.length / 2);
  for (const delta of [words.slice(0, half).join(''), words.slice(half).join('')].filter(Boolean))
    await step('response.output_text.delta', {
      item_id: id,
      output_index: index,
      content_index: 0,
      delta,
      logprobs: [],
    });
  await step('response.output_text.done', {
    item_id: id,
    output_index: index,
    content_index: 0,
    text,
    logprobs: [],
  });
  const part = { type: 'output_text', text, annotations: [], logprobs: [] };
  await step('response.content_part.done', { item_id: id, output_index: index, content_index: 0, part });
  Object.assign(msg, { status: 'completed', content: [part] });
  await step('response.output_item.done', { output_index: index, item: msg });
}

/** The mainline model's ResponseUsage: the message it read (≈ 4 characters a token) and the text it wrote. */
/** @param {string} prompt @param {string} written */
function mainlineUsage(prompt, written) {
  const input = 40 + Math.ceil(prompt.length / 4);
  const output = Math.ceil(written.length / 4);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/**
 * Streams a job's events after `after`, then live ones until it ends. With `cutAfterPartial`, the connection
 * is dropped in the middle of the event after the first partial image.
 * @param {Job} job @param {import('node:http').ServerResponse} res @param {number} after
 * @param {{ signal: AbortSignal, crlf?: boolean, cut?: boolean, errorEvent?: 'nested' | 'flat' | null }} o
 */
async function pipe(job, res, after, o) {
  const nl = o.crlf ? '\r\n' : '\n';
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  let next = after + 1;
  let partials = 0;
  /** @type {(v?: unknown) => void} */
  let wake = () => {};
  const onAbort = () => wake();
  o.signal.addEventListener('abort', onAbort, { once: true });
  for (;;) {
    while (next < job.events.length) {
      if (o.signal.aborted) return;
      const ev = /** @type {Record<string, unknown>} */ (job.events[next++]);
      const text = `event: ${ev.type}${nl}data: ${JSON.stringify(ev)}${nl}${nl}`;
      // Faults strike after the first partial image, or before the final image when there are no partials.
      if ((o.cut || o.errorEvent) && (partials > 0 || ev.type === 'response.output_item.done')) {
        if (o.errorEvent) {
          const data = errorEvent(o.errorEvent === 'flat');
          res.write(
            `event: error${nl}data: ${JSON.stringify({ ...data, sequence_number: ev.sequence_number })}${nl}${nl}`,
          );
          return void res.end();
        }
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        return;
      }
      res.write(text);
      if (ev.type === 'response.image_generation_call.partial_image') partials++;
    }
    if (job.done || o.signal.aborted) break;
    await new Promise((resolve) => {
      wake = resolve;
      job.waiters.add(resolve);
    });
  }
  o.signal.removeEventListener('abort', onAbort);
  res.end();
}

/**
 * POST /v1/responses.
 * @param {import('./handlers.mjs').RequestContext} c @param {ConversationStore} store
 */
export async function handleCreateResponse(c, store) {
  const { res } = c;
  const send = (
    /** @type {number} */ status,
    /** @type {unknown} */ body,
    /** @type {Record<string, string> | undefined} */ headers,
  ) => sendJson(res, status, body, headers);
  if (c.jsonError || c.json === null || typeof c.json !== 'object')
    return send(400, badRequest('We could not parse the JSON body of your request.', null, null).body);
  const body = /** @type {Record<string, unknown>} */ (c.json);
  let p;
  try {
    p = prepare(body, store, c.today ?? DEFAULT_TODAY, c.scenarios);
  } catch (e) {
    if (e instanceof RequestError) return send(e.error.status, e.error.body, e.error.headers);
    throw e;
  }
  const stored = body.store !== false;
  const isBackground = body.background === true;
  const id = `resp_${hex(24)}`;
  /** @type {Job} */
  const job = {
    id,
    response: {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: isBackground ? 'queued' : 'in_progress',
      background: isBackground,
      error: null,
      incomplete_details: null,
      instructions: null,
      model: p.model,
      output: [],
      parallel_tool_calls: true,
      previous_response_id: body.previous_response_id ?? null,
      store: stored,
      temperature: 1,
      text: { format: { type: 'text' } },
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      top_p: 1,
      truncation: 'disabled',
      metadata: {},
    },
    events: [],
    done: false,
    context: [],
    stop: new AbortController(),
    waiters: new Set(),
  };
  if (stored) {
    store.responses.set(id, job);
    // Keep memory bounded in long demo sessions: the oldest stored responses expire first.
    for (const old of store.responses.keys()) {
      if (store.responses.size <= MAX_STORED) break;
      forget(store, old);
    }
  }
  const delayMs = c.scenarios.includes('slowish') ? 400 : c.delayMs;
  // A foreground job ends with its connection; a background one keeps going.
  if (!isBackground) c.signal.addEventListener('abort', () => job.stop.abort(), { once: true });
  const running = run(job, p, { delayMs, scenarios: c.scenarios, stored }, store);
  running.catch((e) => console.error('mock-openai: response job failed', e));

  if (body.stream === true)
    return pipe(job, res, -1, {
      signal: c.signal,
      crlf: c.scenarios.includes('crlf'),
      cut: c.scenarios.includes('cut'),
      errorEvent: c.scenarios.includes('error-event')
        ? 'nested'
        : c.scenarios.includes('error-event-flat')
          ? 'flat'
          : null,
    });
  if (isBackground) return send(200, snapshot(job));
  if (c.scenarios.includes('cut')) return void c.req.socket.destroy();
  await running;
  if (!c.signal.aborted) send(200, snapshot(job));
}

/**
 * GET /v1/responses/{id} (`?stream=true&starting_after=N` replays and continues) and POST …/cancel.
 * @param {import('./handlers.mjs').RequestContext} c @param {ConversationStore} store
 * @param {string} id @param {boolean} cancel @param {URLSearchParams} query
 */
export async function handleResponseById(c, store, id, cancel, query) {
  const job = store.responses.get(id);
  if (!job) return sendJson(c.res, 404, apiError(404, `Response with id '${id}' not found.`).body);
  if (cancel) {
    if (!job.response.background)
      return sendJson(
        c.res,
        400,
        badRequest('Only responses created with background=true can be cancelled.', null, null).body,
      );
    if (!job.done) {
      job.response.status = 'cancelled';
      job.stop.abort();
    }
    return sendJson(c.res, 200, snapshot(job));
  }
  if (query.get('stream') === 'true') {
    const after = Number(query.get('starting_after') ?? -1);
    if (!Number.isInteger(after) || after < -1)
      return sendJson(
        c.res,
        400,
        badRequest(`Invalid 'starting_after': expected an integer.`, 'starting_after', 'invalid_type').body,
      );
    return pipe(job, c.res, after, { signal: c.signal });
  }
  return sendJson(c.res, 200, snapshot(job));
}

const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];

/**
 * POST /v1/files (multipart: file, purpose, optional expires_after[anchor|seconds]).
 * @param {import('./handlers.mjs').RequestContext} c @param {ConversationStore} store
 * @param {import('./multipart.mjs').FormPart[] | string | null} form
 */
export function handleFileUpload(c, store, form) {
  const send = (/** @type {import('./errors.mjs').ApiError} */ e) =>
    sendJson(c.res, e.status, e.body, e.headers);
  if (!Array.isArray(form))
    return send(
      badRequest(typeof form === 'string' ? form : 'Expected a multipart/form-data body.', null, null),
    );
  const text = (/** @type {string} */ name) =>
    form.find((p) => p.name === name && p.filename === null)?.data.toString('utf8');
  const file = form.find((p) => p.name === 'file' && p.filename !== null);
  const purpose = text('purpose');
  if (!file)
    return send(badRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter'));
  if (purpose === undefined)
    return send(
      badRequest("Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter'),
    );
  if (!FILE_PURPOSES.includes(purpose))
    return send(
      badRequest(
        `Invalid value: '${purpose}'. Supported values are: ${listValues(FILE_PURPOSES)}.`,
        'purpose',
        'invalid_value',
      ),
    );
  if (purpose === 'vision' && (c.scenarios.includes('upload-fail') || !sniff(file.data)))
    return send(
      badRequest(
        "Invalid file format for purpose 'vision'. Supported formats: png, jpeg, webp, gif.",
        'file',
        'invalid_file_format',
      ),
    );
  const seconds = Number(text('expires_after[seconds]'));
  const created = Math.floor(Date.now() / 1000);
  const id = `file-${hex(12)}`;
  store.files.set(id, { bytes: file.data, filename: file.filename ?? 'upload', purpose, type: file.type });
  return sendJson(c.res, 200, {
    id,
    object: 'file',
    bytes: file.data.length,
    created_at: created,
    ...(Number.isInteger(seconds) && seconds > 0 ? { expires_at: created + seconds } : {}),
    filename: file.filename,
    purpose,
    status: 'processed',
  });
}
