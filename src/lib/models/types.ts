/** What the model registry knows about one image model. Data only: rules derived from it live in rules.ts. */

export type Lifecycle =
  { state: 'active' } | { state: 'deprecated'; shutdown: string } | { state: 'shutdown'; since: string };

export type Endpoint = 'generations' | 'edits' | 'variations' | 'responses-tool';
export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'gif';
export type Background = 'auto' | 'opaque' | 'transparent';

export interface FlexibleSizeRule {
  kind: 'flexible';
  /** Both sides must be a multiple of this. */
  multiple: number;
  /** Long side / short side must not exceed this. */
  maxAspect: number;
  maxEdge: number;
  /**
   * The short side's limit, where a model's largest size is a rectangle rather than a pixel count (gpt-image-2:
   * "the maximum supported resolution is 3840x2160", so 2880x2880 is refused although its pixel count fits).
   */
  maxShortEdge?: number;
  minPixels: number;
  maxPixels: number;
  /** Sizes with more pixels than this are labelled experimental. */
  experimentalAbovePixels?: number;
  presets: string[];
  auto: boolean;
}

export interface FixedSizeRule {
  kind: 'fixed';
  values: string[];
}

/** A generic profile: accept any well-formed WxH, leave the real check to the server. */
export interface AnySizeRule {
  kind: 'any';
  presets: string[];
}

export type SizeRule = FlexibleSizeRule | FixedSizeRule | AnySizeRule;

export interface GifRule {
  frameCount: { min: number; max: number; default: number };
  frameDurationMs: { min: number; default: number; step: number; maxTotal: number };
  /** Largest square frame edge by frame count (reseller-measured; a hint, not a hard limit). */
  maxFrameEdge: { upToFrames: number; edge: number }[];
}

/** USD per 1M tokens. */
export interface Prices {
  textIn: number;
  textInCached?: number;
  imageIn: number;
  imageInCached?: number;
  imageOut: number;
  textOut?: number;
  source: string;
  asOf: string;
}

/**
 * Image output tokens for one image, by quality, at the three standard sizes ("1024x1024" …). `published`: the
 * guide's table (exact); `derived`: back-computed from rounded per-image prices (approximate).
 */
export interface OutputTokenTable {
  basis: 'published' | 'derived';
  perImage: Record<string, Record<string, number>>;
  source: string;
}

export interface ModelProfile {
  id: string;
  label: string;
  /** Dated snapshots and aliases that share this profile. */
  aliases: string[];
  /** A short line shown under the picker. */
  blurb: string;
  lifecycle: Lifecycle;
  replacement?: string;
  endpoints: Endpoint[];
  sizes: SizeRule;
  qualities: string[];
  formats: OutputFormat[];
  compression: boolean;
  backgrounds: Background[];
  /** Formats that can carry transparency. */
  transparentFormats: OutputFormat[];
  moderation: boolean;
  n: { min: number; max: number };
  inputFidelity: string[] | null;
  complexity: string[] | null;
  streaming: boolean;
  maxPartialImages: number;
  gif: GifRule | null;
  maxInputImages: number;
  mask: boolean;
  promptMax: number;
  /** DALL·E only: response_format url|b64_json. */
  responseFormat: boolean;
  /** dall-e-3 only. */
  styles: string[] | null;
  prices: Prices | null;
  /** Output tokens per image for fixed-size models; absent: estimated from pixel area (flexible sizes). */
  outputTokens?: OutputTokenTable;
  /** Where the entry came from when the app had to guess. */
  origin: 'registry' | 'family' | 'generic';
}
