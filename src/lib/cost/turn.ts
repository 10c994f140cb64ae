/**
 * The actual cost of a conversation turn (Responses API), from what the response reported. Pure.
 *
 * A turn bills two models: the image model behind the `image_generation` tool, and the mainline (text) model
 * that talks and calls it. The response's `usage` (ResponseUsage) counts the mainline model's tokens; the image
 * tool's tokens come in `tool_usage.image_gen`, shaped like the Image API's `usage`, when the server reports it.
 * The image part is priced at the image model's prices; the mainline part at the mainline model's text prices,
 * which the registry does not carry (they are the user's to enter in Settings).
 */
import type { ImageUsage } from '../api/images';
import type { ToolOptions } from '../conversation/request';
import type { Prices } from '../models/types';
import { actualCost, type ActualCost } from './actual';
import type { PriceOverrides } from './prices';
import { canonicalModelId, defaultPrices } from './prices';

/** Text prices, USD per 1M tokens, for a mainline model. */
export interface TextPrices {
  textIn: number;
  textInCached?: number;
  textOut: number;
}

export interface MainlineCost {
  inputTokens: number;
  /** Of the input tokens, those served from the prompt cache. */
  cachedTokens: number;
  outputTokens: number;
  /** null when the mainline model has no text prices here. */
  usd: number | null;
}

export interface TurnCost {
  /** The image tool's part, from `tool_usage.image_gen`; null when the response did not report it. */
  image: ActualCost | null;
  /** The mainline model's part, from `usage`; null when the response had no usage. */
  mainline: MainlineCost | null;
  /**
   * What Atelier can state as billed: the image part's dollars plus the mainline part's when priced. null when
   * the image part is unknown (not reported, or the image model has no price): the turn then counts at its
   * estimate.
   */
  usd: number | null;
  /** The mainline part was reported but has no price, so `usd` leaves it out. */
  mainlineUnpriced: boolean;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** The image tool's usage in a Response's `tool_usage`, if it reported any tokens. */
export function imageToolUsage(toolUsage: unknown): ImageUsage | null {
  const gen = isRec(toolUsage) ? toolUsage.image_gen : null;
  if (!isRec(gen)) return null;
  const tokens = count(gen.input_tokens) + count(gen.output_tokens) + count(gen.total_tokens);
  return tokens > 0 ? (gen as ImageUsage) : null;
}

/** A mainline model's text prices: the user's, else the registry's when it has both text in and text out. */
export function textPrices(model: string, overrides: PriceOverrides): TextPrices | null {
  const id = canonicalModelId(model);
  const merged: Partial<Prices> = { ...(defaultPrices(id) ?? {}), ...(overrides[id]?.fields ?? {}) };
  if (typeof merged.textIn !== 'number' || typeof merged.textOut !== 'number') return null;
  return { textIn: merged.textIn, textInCached: merged.textInCached, textOut: merged.textOut };
}

export function mainlineCost(usage: unknown, prices: TextPrices | null): MainlineCost | null {
  if (!isRec(usage)) return null;
  const inputTokens = count(usage.input_tokens);
  const outputTokens = count(usage.output_tokens);
  const details = isRec(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const cachedTokens = Math.min(inputTokens, count(details.cached_tokens));
  if (inputTokens + outputTokens === 0) return null;
  const usd = prices
    ? ((inputTokens - cachedTokens) * prices.textIn +
        cachedTokens * (prices.textInCached ?? prices.textIn) +
        outputTokens * prices.textOut) /
      1e6
    : null;
  return { inputTokens, cachedTokens, outputTokens, usd };
}

export function turnCost(
  reported: { usage?: unknown; toolUsage?: unknown },
  imagePrices: Prices | null,
  mainlinePrices: TextPrices | null,
): TurnCost {
  const imageUsage = imageToolUsage(reported.toolUsage);
  const image = imageUsage ? actualCost(imageUsage, imagePrices) : null;
  const mainline = mainlineCost(reported.usage, mainlinePrices);
  const usd = image?.usd == null ? null : image.usd + (mainline?.usd ?? 0);
  return { image, mainline, usd, mainlineUnpriced: mainline !== null && mainline.usd === null };
}

/**
 * The body the estimate prices for a turn: the image tool's share, like one generation with the tool model
 * (the mainline model's text is extra and has no registry price). A turn is always streamed
 * (ConversationState.execute), so its partial images are billed: `stream: true` makes the estimate count them.
 */
export function toolEstimateBody(text: string, tool: ToolOptions): Record<string, unknown> {
  return {
    prompt: text,
    size: tool.size,
    quality: tool.quality,
    n: 1,
    stream: true,
    partial_images: tool.partialImages,
    ...(tool.inputFidelity ? { input_fidelity: tool.inputFidelity } : {}),
  };
}
