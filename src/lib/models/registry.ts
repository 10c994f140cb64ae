/**
 * The model registry: what each image model accepts, as data.
 * Facts and sources: docs/models (models-2026-11 reference), checked 2026-11-24.
 * Everything the UI shows and every request builder decision derives from these entries.
 */
import { GPT_IMAGE_1_TOKENS, MINI_TOKENS } from './tokens';
import type { FixedSizeRule, FlexibleSizeRule, GifRule, ModelProfile, Prices } from './types';

const GPT_IMAGE_STANDARD_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536'];

/**
 * gpt-image-2.x flexible sizes (models-2026-11.md §2.2): multiples of 16, aspect up to 3:1, 655,360–8,294,400 px
 * inclusive, edges ≤ 3840, experimental above 2560x1440. gpt-image-2 adds a short-side limit (below).
 */
const FLEXIBLE_2X: FlexibleSizeRule = {
  kind: 'flexible',
  multiple: 16,
  maxAspect: 3,
  maxEdge: 3840,
  minPixels: 655_360,
  maxPixels: 8_294_400,
  experimentalAbovePixels: 2560 * 1440,
  presets: [
    'auto',
    '1024x1024',
    '1536x1024',
    '1024x1536',
    '2048x2048',
    '2048x1152',
    '1152x2048',
    '2560x1440',
    '3840x2160',
    '2160x3840',
  ],
  auto: true,
};

const FIXED_GPT_IMAGE: FixedSizeRule = { kind: 'fixed', values: GPT_IMAGE_STANDARD_SIZES };

/** Animated GIF output on 2.6 (needs GIF preview access for the org). */
const GIF_26: GifRule = {
  frameCount: { min: 2, max: 16, default: 9 },
  frameDurationMs: { min: 20, default: 200, step: 10, maxTotal: 655_350 },
  maxFrameEdge: [
    { upToFrames: 9, edge: 960 },
    { upToFrames: 12, edge: 816 },
    { upToFrames: 16, edge: 720 },
  ],
};

const PRICES_2X: Prices = {
  textIn: 5,
  textInCached: 1.25,
  imageIn: 8,
  imageInCached: 2,
  imageOut: 30,
  source: 'developers.openai.com model page (2.6-sunburst); other 2.x rates from third-party listings',
  asOf: '2026-11-24',
};

const BASE_GPT_IMAGE = {
  endpoints: ['generations', 'edits', 'responses-tool'],
  qualities: ['auto', 'low', 'medium', 'high'],
  formats: ['png', 'jpeg', 'webp'],
  compression: true,
  backgrounds: ['auto', 'opaque', 'transparent'],
  transparentFormats: ['png', 'webp'],
  moderation: true,
  n: { min: 1, max: 10 },
  inputFidelity: null,
  complexity: null,
  streaming: true,
  maxPartialImages: 3,
  gif: null,
  maxInputImages: 16,
  mask: true,
  promptMax: 32_000,
  responseFormat: false,
  styles: null,
  origin: 'registry',
} satisfies Partial<ModelProfile>;

function gpt26(id: string, label: string, blurb: string): ModelProfile {
  return {
    ...BASE_GPT_IMAGE,
    id,
    label,
    aliases: [],
    blurb,
    lifecycle: { state: 'active' },
    // 2.6 features (complexity, GIF, SVG, markup) are Image API features; the Responses tool does not list 2.6.
    endpoints: ['generations', 'edits'],
    sizes: FLEXIBLE_2X,
    formats: ['png', 'jpeg', 'webp', 'gif'],
    complexity: ['low', 'medium', 'high'],
    gif: GIF_26,
    prices: PRICES_2X,
  };
}

function gpt25(id: string, label: string, blurb: string): ModelProfile {
  return {
    ...BASE_GPT_IMAGE,
    id,
    label,
    aliases: [`${id}-2026-09-08`],
    blurb,
    lifecycle: { state: 'active' },
    sizes: FLEXIBLE_2X,
    qualities: ['auto', 'low', 'medium', 'high', 'xhigh', 'max'],
    prices: PRICES_2X,
  };
}

const PRICES_15: Prices = {
  textIn: 5,
  textInCached: 1.25,
  imageIn: 8,
  imageInCached: 2,
  imageOut: 32,
  textOut: 10,
  source: 'third-party listings of the official price page',
  asOf: '2026-11-24',
};

/** Newest first: the default model is the first active entry the key can see. */
export const MODELS: readonly ModelProfile[] = [
  gpt26(
    'gpt-image-2.6-flare',
    'GPT Image 2.6 Flare',
    'Newest, speed-first. Complexity control, animated GIF.',
  ),
  gpt26(
    'gpt-image-2.6-sunburst',
    'GPT Image 2.6 Sunburst',
    'Newest, quality-first. Complexity control, animated GIF.',
  ),
  gpt25(
    'gpt-image-2.5-flare',
    'GPT Image 2.5 Flare',
    'Speed-first; up to 50% lower latency than gpt-image-2.',
  ),
  gpt25('gpt-image-2.5-sunburst', 'GPT Image 2.5 Sunburst', 'Quality and editing first.'),
  {
    ...BASE_GPT_IMAGE,
    id: 'gpt-image-2',
    label: 'GPT Image 2',
    aliases: ['gpt-image-2-2026-04-21'],
    blurb: 'Flexible sizes up to 3840×2160; transparency in preview.',
    lifecycle: { state: 'active' },
    // "The maximum supported resolution is 3840x2160" (SPEC CreateImageRequest.size): either way round, so the
    // short side stops at 2160 even where the pixel count would allow more (2880x2880).
    sizes: { ...FLEXIBLE_2X, maxShortEdge: 2160 },
    prices: PRICES_2X,
  },
  {
    ...BASE_GPT_IMAGE,
    id: 'gpt-image-1.5',
    label: 'GPT Image 1.5',
    aliases: ['gpt-image-1.5-2025-12-16'],
    blurb: 'Standard sizes only.',
    lifecycle: { state: 'deprecated', shutdown: '2026-12-01' },
    replacement: 'gpt-image-2.6-sunburst',
    sizes: FIXED_GPT_IMAGE,
    inputFidelity: ['low', 'high'],
    prices: PRICES_15,
    outputTokens: GPT_IMAGE_1_TOKENS,
  },
  {
    ...BASE_GPT_IMAGE,
    id: 'chatgpt-image-latest',
    label: 'ChatGPT Image (latest)',
    aliases: [],
    blurb: 'Alias of the image model used in ChatGPT.',
    lifecycle: { state: 'deprecated', shutdown: '2026-12-01' },
    replacement: 'gpt-image-2.6-sunburst',
    sizes: FIXED_GPT_IMAGE,
    inputFidelity: ['low', 'high'],
    prices: PRICES_15,
    outputTokens: GPT_IMAGE_1_TOKENS,
  },
  {
    ...BASE_GPT_IMAGE,
    id: 'gpt-image-1-mini',
    label: 'GPT Image 1 Mini',
    aliases: [],
    blurb: 'Cheapest; standard sizes only.',
    lifecycle: { state: 'deprecated', shutdown: '2026-12-01' },
    replacement: 'gpt-image-2.5-flare',
    sizes: FIXED_GPT_IMAGE,
    prices: {
      textIn: 2,
      textInCached: 0.2,
      imageIn: 2.5,
      imageInCached: 0.25,
      imageOut: 8,
      source: 'developers.openai.com model page (gpt-image-1-mini)',
      asOf: '2026-11-24',
    },
    outputTokens: MINI_TOKENS,
  },
  {
    ...BASE_GPT_IMAGE,
    id: 'gpt-image-1',
    label: 'GPT Image 1',
    aliases: [],
    blurb: 'Shut down on 2026-10-23.',
    lifecycle: { state: 'shutdown', since: '2026-10-23' },
    replacement: 'gpt-image-2.5-sunburst',
    sizes: FIXED_GPT_IMAGE,
    inputFidelity: ['low', 'high'],
    prices: {
      textIn: 5,
      textInCached: 1.25,
      imageIn: 10,
      imageInCached: 2.5,
      imageOut: 40,
      source: 'developers.openai.com model page (gpt-image-1)',
      asOf: '2026-11-24',
    },
    outputTokens: GPT_IMAGE_1_TOKENS,
  },
  {
    ...BASE_GPT_IMAGE,
    id: 'dall-e-3',
    label: 'DALL·E 3',
    aliases: [],
    blurb: 'Shut down on 2026-05-12.',
    lifecycle: { state: 'shutdown', since: '2026-05-12' },
    replacement: 'gpt-image-2.5-sunburst',
    endpoints: ['generations'],
    sizes: { kind: 'fixed', values: ['1024x1024', '1792x1024', '1024x1792'] },
    qualities: ['standard', 'hd'],
    formats: ['png'],
    compression: false,
    backgrounds: [],
    transparentFormats: [],
    moderation: false,
    n: { min: 1, max: 1 },
    streaming: false,
    maxPartialImages: 0,
    maxInputImages: 0,
    mask: false,
    promptMax: 4000,
    responseFormat: true,
    styles: ['vivid', 'natural'],
    prices: null,
  },
  {
    ...BASE_GPT_IMAGE,
    id: 'dall-e-2',
    label: 'DALL·E 2',
    aliases: [],
    blurb: 'Shut down on 2026-05-12. Variations only ever worked here.',
    lifecycle: { state: 'shutdown', since: '2026-05-12' },
    replacement: 'gpt-image-2.5-sunburst',
    endpoints: ['generations', 'edits', 'variations'],
    sizes: { kind: 'fixed', values: ['256x256', '512x512', '1024x1024'] },
    qualities: ['standard'],
    formats: ['png'],
    compression: false,
    backgrounds: [],
    transparentFormats: [],
    moderation: false,
    streaming: false,
    maxPartialImages: 0,
    maxInputImages: 1,
    promptMax: 1000,
    responseFormat: true,
    prices: null,
  },
];

/** The profile for a model id the registry has never heard of: permissive, the server has the last word. */
export function genericProfile(id: string): ModelProfile {
  return {
    ...BASE_GPT_IMAGE,
    id,
    label: id,
    aliases: [],
    blurb: 'Not in Atelier’s registry: every common option is offered and the server decides.',
    lifecycle: { state: 'active' },
    sizes: { kind: 'any', presets: FLEXIBLE_2X.presets },
    prices: null,
    origin: 'generic',
  };
}
