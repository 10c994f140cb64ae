/**
 * `POST /images/edits` as multipart: a pure builder from options and images to the exact FormData the API
 * receives (with a readable summary for the preview), and the call itself, which reads the answer exactly
 * like a generation (JSON or SSE, `image_edit.*` events).
 */
import { imageInputMime, type AcceptedMime } from '../images/header';
import { formatBytes, uploadName } from '../images/intake';
import type { GenerateOptions } from '../models/options';
import type { ModelProfile } from '../models/types';
import { buildGenerationRequest } from './builders';
import { apiFetch, type Connection } from './client';
import { readImageResponse, type GenerateCallOptions, type GenerationEvent } from './images';

export interface EditImage {
  blob: Blob;
  /** The user's file name; the part is named after it with the extension of its real type. */
  name: string;
  width?: number;
  height?: number;
}

export interface EditExtras {
  /** `input_fidelity`: sent only when the model lists the value. */
  inputFidelity?: string;
  safetyIdentifier?: string | null;
}

export interface EditFilePart {
  field: 'image' | 'image[]' | 'mask';
  filename: string;
  type: AcceptedMime;
  bytes: number;
  width?: number;
  height?: number;
}

export interface EditRequest {
  form: FormData;
  /** The text fields, in the order they are appended. */
  fields: [string, string][];
  files: EditFilePart[];
  stream: boolean;
  /** A JSON-like picture of the request for run details: fields with their types, files described. */
  body: Record<string, unknown>;
  overridden: string[];
  notes: string[];
}

/** Fields a multipart edit never carries: `moderation` is absent from its schema (the API rejects it). */
const NOT_ON_EDITS = ['moderation', 'style'];

/**
 * The multipart body of an edit. One image goes in a part named `image`, several in parts named `image[]` in
 * order; each is a File with its real MIME type (a part typed application/octet-stream is refused by the
 * API). The mask, if any, applies to the first image. Options follow the generation rules of the model's
 * registry entry, minus `moderation`, plus `input_fidelity` where the registry allows it.
 * Call validateEdit first; this throws only on programming errors (an image without an image type).
 */
export function buildEditForm(
  p: ModelProfile,
  o: GenerateOptions,
  images: readonly EditImage[],
  mask?: EditImage | null,
  extras: EditExtras = {},
): EditRequest {
  const gen = buildGenerationRequest(p, o, { safetyIdentifier: extras.safetyIdentifier });
  const notes = [...gen.notes];
  const values: Record<string, unknown> = { ...gen.body };
  for (const key of NOT_ON_EDITS) {
    if (!(key in values)) continue;
    if (key === 'moderation' && gen.overridden.includes(key))
      notes.push('“moderation” is not accepted on multipart edits, so the extra field is not sent.');
    delete values[key];
  }
  if (
    extras.inputFidelity &&
    p.inputFidelity?.includes(extras.inputFidelity) &&
    !('input_fidelity' in values)
  )
    values.input_fidelity = extras.inputFidelity;

  const form = new FormData();
  const fields: [string, string][] = [];
  const files: EditFilePart[] = [];
  const addField = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    form.append(key, text);
    fields.push([key, text]);
  };
  const addFile = (field: EditFilePart['field'], img: EditImage, fallback: string) => {
    const type = imageInputMime(img.blob.type);
    if (!type) throw new TypeError(`${img.name} has no PNG, JPEG or WebP type (${img.blob.type || 'none'})`);
    const filename = uploadName(img.name, type, fallback);
    form.append(field, new File([img.blob], filename, { type }));
    files.push({ field, filename, type, bytes: img.blob.size, width: img.width, height: img.height });
  };

  addField('model', values.model);
  addField('prompt', values.prompt);
  const field = images.length === 1 ? 'image' : 'image[]';
  images.forEach((img, i) => addFile(field, img, `image-${i + 1}`));
  if (mask) addFile('mask', mask, 'mask');
  for (const [key, value] of Object.entries(values))
    if (key !== 'model' && key !== 'prompt') addField(key, value);

  const describe = (f: EditFilePart) =>
    `${f.filename} (${f.type}, ${f.width && f.height ? `${f.width}×${f.height}, ` : ''}${formatBytes(f.bytes)})`;
  const imageParts = files.filter((f) => f.field !== 'mask').map(describe);
  const body: Record<string, unknown> = {
    model: values.model,
    prompt: values.prompt,
    [field]: field === 'image' ? imageParts[0] : imageParts,
  };
  const maskPart = files.find((f) => f.field === 'mask');
  if (maskPart) body.mask = describe(maskPart);
  for (const [key, value] of Object.entries(values)) if (!(key in body)) body[key] = value;

  return {
    form,
    fields,
    files,
    stream: gen.stream,
    body,
    overridden: gen.overridden.filter((k) => !NOT_ON_EDITS.includes(k)),
    notes,
  };
}

/** The request as text, for the preview: one line per part, files described. */
export function describeEditRequest(req: Pick<EditRequest, 'fields' | 'files'>): string {
  const lines = ['POST /images/edits (multipart/form-data)'];
  const [model, prompt, ...rest] = req.fields;
  const shown = (v: string) => (v.length > 120 ? `${v.slice(0, 117)}…` : v);
  for (const [k, v] of [model, prompt].filter(Boolean) as [string, string][]) lines.push(`${k}: ${shown(v)}`);
  for (const f of req.files)
    lines.push(
      `${f.field}: ${f.filename} — ${f.type}${f.width && f.height ? `, ${f.width} × ${f.height}` : ''}, ${formatBytes(f.bytes)}`,
    );
  for (const [k, v] of rest) lines.push(`${k}: ${shown(v)}`);
  return lines.join('\n');
}

/** Runs `POST /images/edits` and yields partial images, final images, then `done` (like generateImages). */
export async function* editImages(
  conn: Connection,
  req: Pick<EditRequest, 'form' | 'stream'>,
  opts: GenerateCallOptions = {},
): AsyncGenerator<GenerationEvent> {
  const res = await apiFetch(conn, '/images/edits', {
    method: 'POST',
    form: req.form,
    signal: opts.signal,
    accept: req.stream ? 'text/event-stream' : 'application/json',
    onRetry: opts.onRetry,
    fetchImpl: opts.fetchImpl,
  });
  yield* readImageResponse(res, opts);
}
