/**
 * One conversation turn → the exact body of `POST /v1/responses` with the `image_generation` tool. Pure: the
 * image model's registry profile decides which tool fields are sent, so a model only receives what it takes.
 */
import { checkSize } from '../models/sizes';
import type { Background, ModelProfile, OutputFormat } from '../models/types';
import { isImageModelId } from '../models/resolve';
import { usableInTool } from '../models/mainline';

/** An image as the Responses API takes it: a (data) URL or an uploaded file's id. */
export type ImageRef = { kind: 'url'; url: string } | { kind: 'file'; fileId: string };

export type ImageAction = 'auto' | 'generate' | 'edit';
export type ImageDetail = 'auto' | 'low' | 'high' | 'original';

export interface ToolOptions {
  /** The image model inside the tool (`tools[0].model`, always sent). */
  model: string;
  quality: string;
  size: string;
  format: OutputFormat;
  /** 0–100, jpeg/webp only. */
  compression: number;
  background: Background;
  moderation: 'auto' | 'low';
  /** 0–3; sent only with streaming. */
  partialImages: number;
  /** '' leaves it unsent; sent only to models that take it. */
  inputFidelity: string;
  action: ImageAction;
}

export const DEFAULT_TOOL_OPTIONS: Omit<ToolOptions, 'model'> = {
  quality: 'auto',
  size: 'auto',
  format: 'png',
  compression: 100,
  background: 'auto',
  moderation: 'auto',
  partialImages: 2,
  inputFidelity: '',
  action: 'auto',
};

/** The tool options a retried turn is sent with: the composer's, with the turn's own image model and action. */
export const resentTool = (
  current: ToolOptions,
  turn: { toolModel: string; requestedAction: ImageAction },
): ToolOptions => ({
  ...current,
  model: turn.toolModel,
  action: turn.requestedAction,
});

/** How a turn refers to the turn it continues. */
export type TurnContext =
  | { kind: 'none' }
  /** `previous_response_id`: the whole earlier conversation, kept on the server. */
  | { kind: 'previous'; responseId: string }
  /** An `item_reference` to the earlier `image_generation_call`: only its image. */
  | { kind: 'item'; itemId: string }
  /** The earlier image itself, sent again as an `input_image` (when the server no longer has it). */
  | { kind: 'image'; image: ImageRef };

export interface TurnRequestInput {
  /** The top-level (mainline, text) model. */
  mainline: string;
  text: string;
  images: ImageRef[];
  /** Sent as `tools[0].input_image_mask`. */
  mask: ImageRef | null;
  detail: ImageDetail;
  tool: ToolOptions;
  context: TurnContext;
  store: boolean;
  background: boolean;
  stream: boolean;
  safetyIdentifier?: string | null;
}

export interface ResponsesRequest {
  body: Record<string, unknown>;
  notes: string[];
}

const imagePart = (ref: ImageRef, detail: ImageDetail) =>
  ref.kind === 'url'
    ? { type: 'input_image', image_url: ref.url, detail }
    : { type: 'input_image', file_id: ref.fileId, detail };

const maskParam = (ref: ImageRef) => (ref.kind === 'url' ? { image_url: ref.url } : { file_id: ref.fileId });

/** The `image_generation` tool object: only fields the profile allows, `model` and `action` always. */
export function buildImageTool(
  p: ModelProfile,
  o: ToolOptions,
  opts: { stream: boolean; mask: ImageRef | null },
) {
  const tool: Record<string, unknown> = { type: 'image_generation', model: o.model.trim() };
  if (p.qualities.length) tool.quality = o.quality;
  const size = checkSize(p.sizes, o.size);
  tool.size = size.value ?? o.size.trim();
  const format = o.format === 'gif' ? 'png' : o.format;
  tool.output_format = format;
  if (p.compression && (format === 'jpeg' || format === 'webp')) tool.output_compression = o.compression;
  if (p.backgrounds.length) tool.background = o.background;
  if (p.moderation) tool.moderation = o.moderation;
  if (o.inputFidelity && p.inputFidelity?.includes(o.inputFidelity)) tool.input_fidelity = o.inputFidelity;
  if (opts.mask && p.mask) tool.input_image_mask = maskParam(opts.mask);
  if (opts.stream && p.maxPartialImages > 0)
    tool.partial_images = Math.max(0, Math.min(o.partialImages, p.maxPartialImages, 3));
  tool.action = o.action;
  return tool;
}

/** The body of `POST /v1/responses` for one turn. Call validateTurn first; this assumes valid input. */
export function buildResponsesRequest(p: ModelProfile, t: TurnRequestInput): ResponsesRequest {
  const notes: string[] = [];
  const content: Record<string, unknown>[] = [];
  if (t.text.trim()) content.push({ type: 'input_text', text: t.text });
  if (t.context.kind === 'image') content.push(imagePart(t.context.image, t.detail));
  for (const img of t.images) content.push(imagePart(img, t.detail));
  const input: Record<string, unknown>[] = [];
  if (t.context.kind === 'item') input.push({ type: 'item_reference', id: t.context.itemId });
  input.push({ role: 'user', content });

  const body: Record<string, unknown> = { model: t.mainline.trim(), input };
  if (t.context.kind === 'previous') body.previous_response_id = t.context.responseId;
  body.tools = [buildImageTool(p, t.tool, { stream: t.stream, mask: t.mask })];
  body.store = t.store;
  if (t.background) body.background = true;
  body.stream = t.stream;
  if (t.safetyIdentifier) body.safety_identifier = t.safetyIdentifier;
  if (t.mask && !p.mask) notes.push(`${p.id} takes no mask, so the mask is not sent.`);
  if (t.tool.inputFidelity && !p.inputFidelity?.includes(t.tool.inputFidelity))
    notes.push(`${p.id} decides input fidelity itself, so input_fidelity is not sent.`);
  return { body, notes };
}

export type TurnField =
  | 'text'
  | 'mainline'
  | 'toolModel'
  | 'action'
  | 'size'
  | 'quality'
  | 'compression'
  | 'background'
  | 'partialImages'
  | 'mask';
export interface TurnValidation {
  ok: boolean;
  errors: Partial<Record<TurnField, string>>;
}

/**
 * Everything that would make the turn fail, checked before sending. `imageInContext`: the turn carries images,
 * or continues a turn whose conversation holds one (needed by a forced edit and by a mask).
 */
export function validateTurn(
  p: ModelProfile,
  t: Pick<TurnRequestInput, 'mainline' | 'text' | 'images' | 'mask' | 'tool' | 'store' | 'background'>,
  imageInContext: boolean,
): TurnValidation {
  const errors: TurnValidation['errors'] = {};
  if (!t.text.trim() && !t.images.length) errors.text = 'Write a message first.';
  const mainline = t.mainline.trim();
  if (!mainline) errors.mainline = 'Choose a mainline model or type its id.';
  else if (isImageModelId(mainline))
    errors.mainline = `${mainline} is an image model; the mainline model must be a text model such as gpt-6.1-sol. Put the image model under “Image model”.`;
  if (!t.tool.model.trim()) errors.toolModel = 'Choose the image model the tool uses.';
  else if (!usableInTool(p))
    errors.toolModel = `${p.id} cannot be used in the Responses image tool. Choose gpt-image-2.5-flare, gpt-image-2.5-sunburst or gpt-image-2.`;
  if (t.tool.action === 'edit' && !imageInContext)
    errors.action =
      '“Edit” needs an image in the conversation: attach one, continue from a turn with an image, or choose Auto or Generate.';
  if (t.mask && !imageInContext && !t.images.length)
    errors.mask = 'A mask needs an image to apply to: attach one or continue from a turn with an image.';
  const size = checkSize(p.sizes, t.tool.size);
  if (!size.ok) errors.size = size.error;
  if (p.qualities.length && !p.qualities.includes(t.tool.quality))
    errors.quality = `${p.id} accepts quality ${p.qualities.join(', ')}.`;
  const c = t.tool.compression;
  if ((t.tool.format === 'jpeg' || t.tool.format === 'webp') && (!Number.isInteger(c) || c < 0 || c > 100))
    errors.compression = 'Compression must be a whole number from 0 to 100.';
  if (t.tool.background === 'transparent' && !p.transparentFormats.includes(t.tool.format))
    errors.background = `A transparent background needs ${p.transparentFormats.join(' or ')}.`;
  const n = t.tool.partialImages;
  if (!Number.isInteger(n) || n < 0 || n > 3) errors.partialImages = 'Partial images must be from 0 to 3.';
  if (t.background && !t.store)
    errors.text =
      'Background mode keeps the response on the server, so it cannot be combined with “Don’t store conversations on the server”. Turn one of them off.';
  return { ok: Object.keys(errors).length === 0, errors };
}
