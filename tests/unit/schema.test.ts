import { describe, expect, test } from 'vitest';
import {
  isAdditionalPropertiesAllowed,
  openapiExtract,
  schemaEnum,
  schemaNames,
  validateSchema,
} from './schema';

const ROOTS = [
  'CreateImageRequest',
  'CreateImageEditRequest',
  'EditImageBodyJsonParam',
  'CreateImageVariationRequest',
  'ImagesResponse',
  'ImageGenStreamEvent',
  'ImageEditStreamEvent',
  'CreateResponse',
  'ImageGenTool',
  'CreateFileRequest',
  'Error',
  'ErrorResponse',
  'Model',
  'ListModelsResponse',
];

const validGeneration = {
  model: 'gpt-image-2',
  prompt: 'a cat',
  size: '1024x1024',
  quality: 'high',
  output_format: 'webp',
  output_compression: 80,
  n: 2,
};

const usage = {
  total_tokens: 100,
  input_tokens: 50,
  output_tokens: 50,
  input_tokens_details: { text_tokens: 10, image_tokens: 40 },
};

const streamEventBase = {
  b64_json: 'iVBORw0KGgo=',
  created_at: 1_750_000_000,
  size: '1024x1024',
  quality: 'high',
  background: 'opaque',
  output_format: 'png',
};

/** Asserts validity, showing Ajv's errors in the failure message. */
function expectValid(name: string, value: unknown): void {
  const result = validateSchema(name, value);
  expect(result.errors, `${name} should accept ${JSON.stringify(value)}`).toEqual([]);
  expect(result.ok).toBe(true);
}

function expectInvalid(name: string, value: unknown): void {
  const result = validateSchema(name, value);
  expect(result.ok, `${name} should reject ${JSON.stringify(value)}`).toBe(false);
  expect(result.errors.length).toBeGreaterThan(0);
}

describe('vendored OpenAPI extract', () => {
  test('records its provenance', () => {
    expect(openapiExtract.$comment).toContain('f85dbe223d40e1a31cba812ab2d755c7e98a92a3');
    expect(openapiExtract.$comment).toContain('cc54f3a8e4c6737bd945051cd6654e0a20913743');
    expect(openapiExtract.source.commit).toBe('f85dbe223d40e1a31cba812ab2d755c7e98a92a3');
  });

  test.each(ROOTS)('contains root schema %s', (name) => {
    expect(schemaNames()).toContain(name);
  });

  test('every $ref resolves inside the extract', () => {
    const names = new Set(schemaNames());
    const unresolved: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') {
            const name = value.replace('#/components/schemas/', '');
            if (!names.has(name)) unresolved.push(value);
          } else walk(value);
        }
      }
    };
    walk(openapiExtract.schemas);
    expect(unresolved).toEqual([]);
  });

  test('every schema in the extract compiles', () => {
    const failures: string[] = [];
    for (const name of schemaNames()) {
      try {
        validateSchema(name, {});
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('unknown schema names throw', () => {
    expect(() => validateSchema('NoSuchSchema', {})).toThrow(/NoSuchSchema/);
    expect(() => schemaEnum('NoSuchSchema', 'x')).toThrow(/NoSuchSchema/);
  });
});

describe('CreateImageRequest', () => {
  test('accepts a valid generation body', () => {
    expectValid('CreateImageRequest', validGeneration);
  });

  test('accepts null for nullable fields and free-form sizes', () => {
    expectValid('CreateImageRequest', { prompt: 'a cat', quality: null, model: null, n: null });
    expectValid('CreateImageRequest', { prompt: 'a cat', model: 'gpt-image-2', size: '1536x864' });
  });

  test.each([
    ['n: 11', { n: 11 }],
    ['n: 0', { n: 0 }],
    ['quality: ultra', { quality: 'ultra' }],
    ['output_format: gif', { output_format: 'gif' }],
    ['background: clear', { background: 'clear' }],
    ['moderation: high', { moderation: 'high' }],
    ['n as string', { n: '2' }],
    ['stream as string', { stream: 'true' }],
  ])('rejects %s', (_label, patch) => {
    expectInvalid('CreateImageRequest', { ...validGeneration, ...patch });
  });

  test('rejects a body without a prompt', () => {
    const { prompt: _prompt, ...withoutPrompt } = validGeneration;
    const result = validateSchema('CreateImageRequest', withoutPrompt);
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/required property 'prompt'/);
  });

  test('spec oddity: output_compression is unbounded here (bounded 0-100 elsewhere)', () => {
    // CreateImageRequest and CreateImageEditRequest give no minimum/maximum;
    // the app must enforce 0-100 itself.
    expectValid('CreateImageRequest', { ...validGeneration, output_compression: 101 });
    expectInvalid('EditImageBodyJsonParam', {
      prompt: 'x',
      images: [{ file_id: 'file-1' }],
      output_compression: 101,
    });
    expectInvalid('ImageGenTool', { type: 'image_generation', output_compression: 101 });
  });

  test('allows additional properties (unknown params are not caught by the schema)', () => {
    expect(isAdditionalPropertiesAllowed('CreateImageRequest')).toBe(true);
    expectValid('CreateImageRequest', { ...validGeneration, not_a_param: true });
  });

  test('schemaEnum lists the enum literals', () => {
    expect(schemaEnum('CreateImageRequest', 'quality')).toEqual([
      'standard',
      'hd',
      'low',
      'medium',
      'high',
      'auto',
    ]);
    expect(schemaEnum('CreateImageRequest', 'output_format')).toEqual(['png', 'jpeg', 'webp']);
    expect(schemaEnum('CreateImageRequest', 'model')).toContain('gpt-image-2');
    expect(schemaEnum('CreateImageRequest', 'size')).toEqual(
      expect.arrayContaining(['auto', '1024x1024', '1536x1024']),
    );
    expect(schemaEnum('CreateImageRequest', 'prompt')).toEqual([]);
    expect(() => schemaEnum('CreateImageRequest', 'no_such_property')).toThrow(/no_such_property/);
  });
});

describe('image edits and other multipart bodies', () => {
  test('CreateImageEditRequest accepts Blobs or placeholders for binary parts', () => {
    expectValid('CreateImageEditRequest', {
      prompt: 'add a hat',
      image: [new Blob(['png']), 'binary'],
      mask: new Blob(['mask']),
      model: 'gpt-image-2',
      input_fidelity: 'high',
      quality: 'high',
    });
    expectValid('CreateImageEditRequest', { prompt: 'add a hat', image: 'binary' });
  });

  test('CreateImageEditRequest requires an image and rejects bad enums', () => {
    expectInvalid('CreateImageEditRequest', { prompt: 'add a hat' });
    expectInvalid('CreateImageEditRequest', { prompt: 'add a hat', image: 'binary', input_fidelity: 'max' });
  });

  test('EditImageBodyJsonParam wants exactly one of image_url / file_id per image', () => {
    expectValid('EditImageBodyJsonParam', {
      prompt: 'add a hat',
      images: [{ image_url: 'data:image/png;base64,iVBORw0KGgo=' }, { file_id: 'file-abc' }],
      mask: { file_id: 'file-mask' },
      model: 'gpt-image-2',
    });
    expectInvalid('EditImageBodyJsonParam', {
      prompt: 'add a hat',
      images: [{ image_url: 'data:image/png;base64,iVBORw0KGgo=', file_id: 'file-abc' }],
    });
    expectInvalid('EditImageBodyJsonParam', { prompt: 'add a hat', images: [] });
  });

  test('CreateFileRequest forbids additional properties', () => {
    expect(isAdditionalPropertiesAllowed('CreateFileRequest')).toBe(false);
    expectValid('CreateFileRequest', { file: new Blob(['png']), purpose: 'vision' });
    expectInvalid('CreateFileRequest', { file: new Blob(['png']), purpose: 'vision', extra: 1 });
    expectInvalid('CreateFileRequest', { file: new Blob(['png']), purpose: 'pictures' });
  });

  test('CreateImageVariationRequest only knows dall-e-2 sizes', () => {
    expectValid('CreateImageVariationRequest', { image: 'binary', size: '512x512' });
    expectInvalid('CreateImageVariationRequest', { image: 'binary', size: '1536x1024' });
  });
});

describe('responses from the Images API', () => {
  test('ImagesResponse accepts a GPT image result', () => {
    expectValid('ImagesResponse', {
      created: 1_750_000_000,
      data: [{ b64_json: 'iVBORw0KGgo=' }],
      background: 'opaque',
      output_format: 'png',
      size: '1024x1024',
      quality: 'high',
      usage,
    });
    expectInvalid('ImagesResponse', { data: [] });
  });

  test('spec oddity: ImagesResponse.size only lists the three standard sizes', () => {
    expect(schemaEnum('ImagesResponse', 'size')).toEqual(['1024x1024', '1024x1536', '1536x1024']);
    expectInvalid('ImagesResponse', { created: 1, data: [], size: '1536x864' });
  });

  test('ImageGenStreamEvent accepts partial and completed events', () => {
    expectValid('ImageGenStreamEvent', {
      type: 'image_generation.partial_image',
      ...streamEventBase,
      partial_image_index: 0,
    });
    expectValid('ImageGenStreamEvent', { type: 'image_generation.completed', ...streamEventBase, usage });
    expectInvalid('ImageGenStreamEvent', { type: 'image_generation.completed', ...streamEventBase });
    expectInvalid('ImageGenStreamEvent', {
      type: 'image_generation.finished',
      ...streamEventBase,
      partial_image_index: 0,
    });
  });

  test('ImageEditStreamEvent accepts partial and completed events', () => {
    expectValid('ImageEditStreamEvent', {
      type: 'image_edit.partial_image',
      ...streamEventBase,
      partial_image_index: 1,
    });
    expectValid('ImageEditStreamEvent', { type: 'image_edit.completed', ...streamEventBase, usage });
    expectInvalid('ImageEditStreamEvent', { type: 'image_generation.completed', ...streamEventBase, usage });
  });

  test('Error and ErrorResponse bodies validate', () => {
    const error = {
      message: 'Invalid value for quality.',
      type: 'invalid_request_error',
      param: 'quality',
      code: 'invalid_value',
    };
    expectValid('Error', error);
    expectValid('ErrorResponse', { error });
    expectValid('ErrorResponse', { error: { ...error, param: null, code: null } });
    expectInvalid('ErrorResponse', { error: { message: 'x', type: 'server_error' } });
    expectInvalid('ErrorResponse', { message: 'x' });
  });

  test('Model and ListModelsResponse validate', () => {
    const model = { id: 'gpt-image-2', object: 'model', created: 1_750_000_000, owned_by: 'system' };
    expectValid('Model', model);
    expectValid('ListModelsResponse', { object: 'list', data: [model] });
    expectInvalid('ListModelsResponse', { object: 'list', data: [{ ...model, object: 'engine' }] });
  });
});

describe('Responses API image_generation tool', () => {
  const tool = { type: 'image_generation', model: 'gpt-image-2', action: 'edit', partial_images: 2 };

  test('CreateResponse accepts an image_generation tool', () => {
    expectValid('CreateResponse', { model: 'gpt-5', input: 'draw a cat', tools: [tool], stream: true });
    expectValid('ImageGenTool', tool);
  });

  test.each([
    ['action: paint', { action: 'paint' }],
    ['partial_images: 4', { partial_images: 4 }],
    ['quality: ultra', { quality: 'ultra' }],
    ['input_image_mask with unknown key', { input_image_mask: { image_url: 'x', bogus: 1 } }],
  ])('CreateResponse rejects %s', (_label, patch) => {
    expectInvalid('CreateResponse', { model: 'gpt-5', input: 'draw a cat', tools: [{ ...tool, ...patch }] });
    expectInvalid('ImageGenTool', { ...tool, ...patch });
  });

  test('CreateResponse accepts multi-turn input with images and item references', () => {
    expectValid('CreateResponse', {
      model: 'gpt-5',
      previous_response_id: 'resp_123',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'make it blue' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_image', file_id: 'file-abc', detail: 'high' },
          ],
        },
        { type: 'item_reference', id: 'ig_123' },
      ],
      tools: [{ ...tool, input_image_mask: { file_id: 'file-mask' } }],
      tool_choice: { type: 'image_generation' },
    });
    expectInvalid('CreateResponse', {
      model: 'gpt-5',
      input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f', detail: 'huge' }] }],
    });
  });

  test('spec oddity: input_image content requires `detail`', () => {
    expect(schemaEnum('InputImageContent', 'detail')).toEqual(['low', 'high', 'auto', 'original']);
    expectValid('InputImageContent', { type: 'input_image', file_id: 'file-abc', detail: 'auto' });
    expectInvalid('InputImageContent', { type: 'input_image', file_id: 'file-abc' });
  });

  test('schemaEnum follows $ref, unions and array items', () => {
    expect(schemaEnum('ImageGenTool', 'action')).toEqual(['generate', 'edit', 'auto']);
    expect(schemaEnum('CreateResponse', 'tools.action')).toEqual(['generate', 'edit', 'auto']);
    expect(schemaEnum('CreateResponse', 'tools.type')).toContain('image_generation');
    expect(schemaEnum('ImageGenTool', 'input_fidelity')).toEqual(['high', 'low']);
    expect(schemaEnum('ImageGenTool', 'model')).toContain('gpt-image-2');
  });
});

test('recursive filters ($recursiveRef) resolve to the enclosing schema', () => {
  const leaf = { type: 'eq', key: 'k', value: 'v' };
  expectValid('CompoundFilter', { type: 'and', filters: [leaf, { type: 'or', filters: [leaf] }] });
  expectInvalid('CompoundFilter', { type: 'and', filters: [leaf, { type: 'xor', filters: [leaf] }] });
});
