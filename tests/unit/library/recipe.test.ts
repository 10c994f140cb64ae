import { describe, expect, it } from 'vitest';
import { buildGenerationRequest } from '../../../src/lib/api/builders';
import { optionsFromBody } from '../../../src/lib/library/recipe';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';

describe('optionsFromBody', () => {
  it.each([
    options({
      format: 'webp',
      compression: 60,
      quality: 'high',
      size: '1536x1024',
      n: 1,
      stream: true,
      partialImages: 3,
    }),
    options({
      model: 'gpt-image-1',
      format: 'jpeg',
      compression: 80,
      background: 'opaque',
      n: 2,
      stream: false,
    }),
    options({ extraJson: '{"seed_hint": 7}' }),
  ])('rebuilds options that send the same body (%#)', (o) => {
    const p = resolveModel(o.model);
    const body = buildGenerationRequest(p, o).body;
    const back = optionsFromBody(body, o.model);
    expect(buildGenerationRequest(p, back).body).toEqual(body);
  });

  it('leaves out what describes files or identity', () => {
    const o = optionsFromBody(
      {
        model: 'm',
        prompt: 'p',
        image: 'a.png (…)',
        mask: 'm.png',
        safety_identifier: 'x',
        response_format: 'b64_json',
      },
      'm',
    );
    expect(o.extraJson).toBe('');
    expect(o.prompt).toBe('p');
  });
});
