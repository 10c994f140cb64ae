/** Factories for test data: options built from the app's defaults, overridden per test. */
import { DEFAULT_OPTIONS, type GenerateOptions } from '../../src/lib/models/options';

export function options(patch: Partial<GenerateOptions> = {}): GenerateOptions {
  return { ...DEFAULT_OPTIONS, model: 'gpt-image-2.6-flare', prompt: 'A lighthouse at dusk', ...patch };
}
