// A plausible `usage` object for a generation.

/** Output image tokens for one 1024x1024 image by quality (gpt-image-1-era table, extended). */
const TOKENS_1024 = /** @type {Record<string, number>} */ ({
  low: 272,
  medium: 1056,
  high: 4160,
  xhigh: 6240,
  max: 8320,
});

/**
 * A plausible `usage` object.
 * @param {import('./validate.mjs').GenerationParams & { inputImageTokens?: number }} p edits add the tokens of
 *   their input images
 * @param {{ images?: number, partials?: number }} [opts]
 */
export function usageFor(p, { images = p.n, partials = 0 } = {}) {
  const text = Math.ceil(p.prompt.length / 4);
  const imageIn = p.inputImageTokens ?? 0;
  const perImage = Math.round(
    ((TOKENS_1024[p.quality] ?? 1056) * p.width * p.height * p.frames) / (1024 * 1024),
  );
  const out = perImage * images + 100 * partials;
  return {
    input_tokens: text + imageIn,
    output_tokens: out,
    total_tokens: text + imageIn + out,
    input_tokens_details: { text_tokens: text, image_tokens: imageIn },
    output_tokens_details: { image_tokens: out, text_tokens: 0 },
  };
}
