/** Output-token tables (data): how many image output tokens one image costs on the fixed-size models. */
import type { OutputTokenTable } from './types';

/**
 * Image output tokens per image (image generation guide, "Cost and latency", gpt-image-1 era). It matches the
 * per-image prices of gpt-image-1 ($40/M) and 1.5 ($32/M). Flexible-size models scale its 1024x1024 column.
 */
export const GPT_IMAGE_1_TOKENS: OutputTokenTable = {
  basis: 'published',
  perImage: {
    low: { '1024x1024': 272, '1024x1536': 408, '1536x1024': 400 },
    medium: { '1024x1024': 1056, '1024x1536': 1584, '1536x1024': 1568 },
    high: { '1024x1024': 4160, '1024x1536': 6240, '1536x1024': 6208 },
  },
  source: 'image generation guide, “Cost and latency” (gpt-image-1 era)',
};

/** gpt-image-1-mini does not follow that table: its published per-image prices ÷ $8 per 1M output tokens. */
export const MINI_TOKENS: OutputTokenTable = {
  basis: 'derived',
  perImage: {
    low: { '1024x1024': 625, '1024x1536': 750, '1536x1024': 750 },
    medium: { '1024x1024': 1375, '1024x1536': 1875, '1536x1024': 1875 },
    high: { '1024x1024': 4500, '1024x1536': 6500, '1536x1024': 6500 },
  },
  source: 'per-image prices on the gpt-image-1-mini model page ($0.005–$0.052) at $8 per 1M tokens',
};
