import { describe, expect, it } from 'vitest';
import { buildEditForm, describeEditRequest, editImages, type EditImage } from '../../../src/lib/api/edits';
import type { GenerationEvent } from '../../../src/lib/api/images';
import { maxImageBytes, needsPngCopy, validateEdit } from '../../../src/lib/models/edits';
import { resolveModel } from '../../../src/lib/models/resolve';
import { options } from '../factories';
import { validateSchema } from '../schema';

const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const bytes = (n: number) => new Uint8Array(n);

const img = (name: string, type = 'image/png', size = 100, w = 64, h = 64): EditImage => ({
  blob: new Blob([bytes(size)], { type }),
  name,
  width: w,
  height: h,
});

const build = (
  patch: Parameters<typeof options>[0],
  images: EditImage[],
  mask?: EditImage,
  fidelity?: string,
) => {
  const o = options(patch);
  return buildEditForm(resolveModel(o.model), o, images, mask, { inputFidelity: fidelity });
};

/** FormData → the object the schema describes: repeated image[] become the `image` array, numbers typed. */
function asSchemaObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    if (key === 'image[]') (out.image = (out.image as unknown[] | undefined) ?? []).push(value);
    else if (typeof value !== 'string') out[key] = value;
    else if (/^\d+$/.test(value) && ['n', 'output_compression', 'partial_images'].includes(key))
      out[key] = Number(value);
    else if (key === 'stream') out[key] = value === 'true';
    else out[key] = value;
  }
  return out;
}

describe('buildEditForm', () => {
  it('sends several images as image[] parts in order, each a File with its real MIME type', () => {
    const r = build({ size: '1024x1024' }, [
      img('cat.png'),
      img('Room Photo.JPG', 'image/jpeg'),
      img('c.webp', 'image/webp'),
    ]);
    const parts = r.form.getAll('image[]') as File[];
    expect(parts.map((f) => [f.name, f.type])).toEqual([
      ['cat.png', 'image/png'],
      ['Room-Photo.jpg', 'image/jpeg'],
      ['c.webp', 'image/webp'],
    ]);
    expect(parts.every((f) => f instanceof File)).toBe(true);
    expect(r.form.has('image')).toBe(false);
    expect(validateSchema('CreateImageEditRequest', asSchemaObject(r.form))).toEqual({
      ok: true,
      errors: [],
    });
  });

  it('sends one image as a single part named image, with the mask', () => {
    const r = build({}, [img('a.png')], img('mask.png'));
    expect(r.form.getAll('image')).toHaveLength(1);
    expect(r.form.has('image[]')).toBe(false);
    expect((r.form.get('mask') as File).type).toBe('image/png');
    expect(r.files.map((f) => f.field)).toEqual(['image', 'mask']);
    expect(validateSchema('CreateImageEditRequest', asSchemaObject(r.form)).ok).toBe(true);
  });

  it('never sends moderation, even from the extra fields', () => {
    const r = build({ moderation: 'low', extraJson: '{"moderation":"low","user":"u1"}' }, [img('a.png')]);
    expect(r.form.has('moderation')).toBe(false);
    expect(r.form.get('user')).toBe('u1');
    expect(r.notes.join(' ')).toMatch(/moderation.*not accepted on multipart edits/);
  });

  it('streams like generations: stream and partial_images as text', () => {
    const r = build({ stream: true, partialImages: 2 }, [img('a.png')]);
    expect([r.form.get('stream'), r.form.get('partial_images'), r.stream]).toEqual(['true', '2', true]);
    const many = build({ stream: true, n: 3 }, [img('a.png')]);
    expect([many.form.has('stream'), many.stream, many.form.get('n')]).toEqual([false, false, '3']);
  });

  it('sends input_fidelity only where the registry allows it', () => {
    expect(
      build({ model: 'gpt-image-1.5', size: '1024x1024' }, [img('a.png')], undefined, 'high').form.get(
        'input_fidelity',
      ),
    ).toBe('high');
    expect(
      build({ model: 'gpt-image-2' }, [img('a.png')], undefined, 'high').form.has('input_fidelity'),
    ).toBe(false);
    expect(
      build({ model: 'gpt-image-1-mini', size: '1024x1024' }, [img('a.png')], undefined, 'high').form.has(
        'input_fidelity',
      ),
    ).toBe(false);
  });

  it.each([
    ['complexity outside 2.6', { model: 'gpt-image-2', complexity: 'low' }, 'complexity'],
    ['compression with png', { format: 'png' as const, compression: 40 }, 'output_compression'],
    ['response_format to GPT image', {}, 'response_format'],
    ['style', {}, 'style'],
  ])('never sends %s', (_n, patch, field) => {
    expect(build(patch, [img('a.png')]).form.has(field)).toBe(false);
  });

  it('sends every scalar as text and always the model', () => {
    const r = build({ model: ' gpt-image-2.6-sunburst ', format: 'webp', compression: 70, quality: 'high' }, [
      img('a.png'),
    ]);
    expect(Object.fromEntries(r.fields)).toMatchObject({
      model: 'gpt-image-2.6-sunburst',
      output_format: 'webp',
      output_compression: '70',
      quality: 'high',
    });
    expect(r.fields[0]![0]).toBe('model');
  });

  it('refuses an image without an image type rather than send application/octet-stream', () => {
    expect(() => build({}, [img('a.bin', '')])).toThrow(/has no PNG, JPEG or WebP type/);
  });

  it('describes the request for the preview and the run details', () => {
    const r = build(
      { size: '1024x1024' },
      [img('a.png', 'image/png', 2048), img('b.jpg', 'image/jpeg')],
      img('mask.png'),
    );
    const text = describeEditRequest(r);
    expect(text).toContain('image[]: a.png — image/png, 64 × 64, 2.0 KB');
    expect(text).toContain('mask: mask.png — image/png');
    expect(text).not.toContain('moderation');
    expect(r.body['image[]']).toEqual([
      'a.png (image/png, 64×64, 2.0 KB)',
      'b.jpg (image/jpeg, 64×64, 100 bytes)',
    ]);
  });
});

describe('validateEdit', () => {
  const p = resolveModel('gpt-image-2');
  const src = (name = 'a.png', mime = 'image/png', w = 64, h = 64, b = 1000) => ({
    name,
    mime,
    width: w,
    height: h,
    bytes: b,
  });

  it.each([
    ['no images', p, [], null, { images: 'Add at least one image to edit.' }],
    [
      'too many images',
      p,
      Array.from({ length: 17 }, () => src()),
      null,
      { images: 'gpt-image-2 takes at most 16 images; remove 1.' },
    ],
    [
      'a model that cannot edit',
      resolveModel('dall-e-3'),
      [src()],
      null,
      { model: 'dall-e-3 cannot edit images; choose a GPT image model.' },
    ],
    [
      'a mask of another size',
      p,
      [src()],
      { width: 32, height: 32, bytes: 10, editFraction: 0.5 },
      { mask: expect.stringMatching(/32 × 32 but “a.png” is 64 × 64/) },
    ],
    [
      'a mask of 4 MB',
      p,
      [src()],
      { width: 64, height: 64, bytes: 4 * 1024 * 1024, editFraction: 0.5 },
      { mask: expect.stringMatching(/under 4 MB/) },
    ],
    [
      'a non-square DALL·E 2 input',
      resolveModel('dall-e-2'),
      [src('a.png', 'image/png', 64, 32)],
      null,
      { images: expect.stringMatching(/square PNG/) },
    ],
  ] as const)('refuses %s', (_n, profile, sources, mask, errors) => {
    const v = validateEdit(profile, { format: 'png' }, sources, mask);
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual(errors);
  });

  it('warns about an empty or full mask', () => {
    const mask = (f: number) => ({ width: 64, height: 64, bytes: 10, editFraction: f });
    expect(validateEdit(p, { format: 'png' }, [src()], mask(0)).warnings.mask).toMatch(/nothing to edit/);
    expect(validateEdit(p, { format: 'png' }, [src()], mask(1)).warnings.mask).toMatch(/whole image/);
    expect(validateEdit(p, { format: 'gif' }, [src()], mask(0.3)).errors.mask).toMatch(/GIF/);
  });

  describe('the PNG copy a mask needs', () => {
    const mask = { width: 64, height: 64, bytes: 10, editFraction: 0.3 };
    const jpeg = src('a.jpg', 'image/jpeg');
    const MB = 1024 * 1024;

    it('is needed for a JPEG or WebP, and for any file stored turned, not for an upright PNG', () => {
      expect(needsPngCopy({ mime: 'image/jpeg' })).toBe(true);
      expect(needsPngCopy({ mime: 'image/webp', oriented: false })).toBe(true);
      expect(needsPngCopy({ mime: 'image/png', oriented: true })).toBe(true);
      expect(needsPngCopy({ mime: 'image/png', oriented: false })).toBe(false);
    });

    it('says, even with an empty-mask warning, that the file goes as PNG, with the copy’s size once made', () => {
      const v = validateEdit(p, { format: 'png' }, [jpeg], mask);
      expect(v.ok).toBe(true);
      expect(v.warnings.images).toBe(
        '“a.jpg” will be sent as a 64 × 64 PNG, converted in your browser: a mask and its image must have the same format. Your file is unchanged.',
      );
      const empty = validateEdit(p, { format: 'png' }, [jpeg], { ...mask, editFraction: 0 });
      expect(empty.warnings.mask).toMatch(/nothing to edit/);
      expect(empty.warnings.images).toMatch(/sent as a 64 × 64 PNG/);
      expect(validateEdit(p, { format: 'png' }, [jpeg], mask, { bytes: 3 * MB }).warnings.images).toMatch(
        /sent as a 64 × 64 PNG, 3.0 MB, converted/,
      );
      const turned = { ...src('phone.jpg', 'image/jpeg', 48, 64), oriented: true };
      expect(validateEdit(p, { format: 'png' }, [turned], { ...mask, width: 48 }).warnings.images).toMatch(
        /“phone.jpg” will be sent as an upright 48 × 64 PNG.*stored turned \(EXIF orientation\)/,
      );
    });

    it('is not mentioned without a mask, for an upright PNG, or for a model without masks', () => {
      expect(validateEdit(p, { format: 'png' }, [jpeg], null).warnings.images).toBeUndefined();
      expect(validateEdit(p, { format: 'png' }, [src()], mask).warnings.images).toBeUndefined();
    });

    it('refuses a copy at or over the model’s per-file limit, and a copy that failed, saying what to do', () => {
      const big = validateEdit(p, { format: 'png' }, [jpeg], mask, { bytes: 50 * MB });
      expect(big.ok).toBe(false);
      expect(big.errors.mask).toBe(
        'As a PNG (which a mask needs), “a.jpg” is 50.0 MB; gpt-image-2 takes images under 50.0 MB. Scale it down and add it again, or remove the mask to send the file as it is.',
      );
      expect(validateEdit(p, { format: 'png' }, [jpeg], mask, { bytes: 50 * MB - 1 }).ok).toBe(true);
      const failed = validateEdit(p, { format: 'png' }, [jpeg], mask, { error: 'decode failed' });
      expect(failed.errors.mask).toMatch(/could not be converted to PNG for the mask \(decode failed\)/);
    });

    it('uses DALL·E 2’s 4 MB limit there', () => {
      expect(maxImageBytes(resolveModel('dall-e-2'))).toBe(4 * MB);
      expect(maxImageBytes(p)).toBe(50 * MB);
    });
  });
});

describe('editImages', () => {
  function sse(events: object[]): ReadableStream<Uint8Array> {
    const enc = new TextEncoder();
    return new ReadableStream({
      start(c) {
        for (const e of events)
          c.enqueue(enc.encode(`event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`));
        c.close();
      },
    });
  }

  it('posts the FormData without a Content-Type of its own and reads image_edit events', async () => {
    let seen: RequestInit | undefined;
    let url = '';
    const fetchImpl: typeof fetch = async (input, init) => {
      url = String(input);
      seen = init;
      return new Response(
        sse([
          {
            type: 'image_edit.partial_image',
            b64_json: PNG_1PX,
            partial_image_index: 0,
            output_format: 'png',
          },
          {
            type: 'image_edit.completed',
            b64_json: PNG_1PX,
            output_format: 'png',
            size: '1024x1024',
            usage: { total_tokens: 5 },
          },
        ]),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    };
    const req = build({ stream: true, partialImages: 1 }, [img('a.png')]);
    const events: GenerationEvent[] = [];
    for await (const ev of editImages(
      { apiKey: 'sk-test-12345678', baseUrl: 'https://api.example/v1' },
      req,
      { fetchImpl },
    ))
      events.push(ev);
    expect(url).toBe('https://api.example/v1/images/edits');
    expect(seen?.body).toBe(req.form);
    expect(new Headers(seen?.headers).has('content-type')).toBe(false);
    expect(new Headers(seen?.headers).get('accept')).toBe('text/event-stream');
    expect(events.map((e) => e.kind)).toEqual(['partial', 'image', 'done']);
    expect(events[2]).toMatchObject({ usage: { total_tokens: 5 }, echoed: { size: '1024x1024' } });
  });
});

describe('buildEditForm against the mock server', () => {
  it.each([
    ['gpt-image-2.6-flare', { stream: true, partialImages: 1 }, undefined, false],
    ['gpt-image-1.5', { size: '1024x1024', moderation: 'low' as const }, 'high', false],
    ['gpt-image-2', { format: 'webp' as const, compression: 60 }, undefined, true],
  ])('%s: the mock accepts what the builder sends', async (model, patch, fidelity, withMask) => {
    const sharp = (await import('sharp')).default;
    const { startMockServer } = await import('../../mock-openai/server.mjs');
    const mock = await startMockServer({ port: 0, delayMs: 0 });
    try {
      const png = async (alpha: boolean) =>
        new Blob(
          [
            new Uint8Array(
              await sharp(Buffer.alloc(48 * 32 * (alpha ? 4 : 3), 0), {
                raw: { width: 48, height: 32, channels: alpha ? 4 : 3 },
              })
                .png()
                .toBuffer(),
            ),
          ],
          { type: 'image/png' },
        );
      const images = [
        { blob: await png(false), name: 'first.png' },
        { blob: await png(false), name: 'second.png' },
      ];
      const mask = withMask ? { blob: await png(true), name: 'mask.png' } : undefined;
      const req = build({ model, ...patch }, images, mask, fidelity);
      const kinds: string[] = [];
      for await (const ev of editImages({ apiKey: 'sk-test-12345678', baseUrl: mock.url }, req))
        kinds.push(ev.kind);
      expect(kinds.at(-1)).toBe('done');
      expect(kinds).toContain('image');
    } finally {
      await mock.close();
    }
  });

  it('dall-e-2: the mock (a compatible server with its rules) accepts one square PNG and its mask', async () => {
    const sharp = (await import('sharp')).default;
    const { startMockServer } = await import('../../mock-openai/server.mjs');
    const mock = await startMockServer({ port: 0, delayMs: 0 });
    try {
      const png = async (alpha: boolean) =>
        new Blob(
          [
            new Uint8Array(
              await sharp(Buffer.alloc(40 * 40 * (alpha ? 4 : 3), 0), {
                raw: { width: 40, height: 40, channels: alpha ? 4 : 3 },
              })
                .png()
                .toBuffer(),
            ),
          ],
          { type: 'image/png' },
        );
      const req = build(
        { model: 'dall-e-2', size: '256x256', n: 2, stream: false, quality: 'standard' },
        [{ blob: await png(false), name: 'square.png' }],
        { blob: await png(true), name: 'mask.png' },
      );
      const images: Blob[] = [];
      for await (const ev of editImages({ apiKey: 'sk-test-12345678', baseUrl: mock.url }, req))
        if (ev.kind === 'image') images.push(ev.image);
      expect(images).toHaveLength(2);
    } finally {
      await mock.close();
    }
  });
});
