import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMultipart } from '../mock-openai/multipart.mjs';
import { startMockServer } from '../mock-openai/server.mjs';

type Mock = Awaited<ReturnType<typeof startMockServer>>;
let mock: Mock;
const KEY = 'sk-test-edits-0123456789';

beforeAll(async () => {
  mock = await startMockServer({ port: 0, delayMs: 5 });
});
afterAll(async () => {
  await mock.close();
});

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface FileInfo {
  field: string;
  filename: string | null;
  type: string | null;
  bytes: number;
  format: string | null;
  width: number | null;
  height: number | null;
  hasAlpha: boolean | null;
  alpha?: { pixels: number; transparent: number; opaque: number; partial: number };
}

interface Logged {
  id: string;
  path: string;
  body: Record<string, unknown>;
  files?: FileInfo[];
  parts?: { name: string; filename: string | null; type: string | null; bytes: number }[];
}

async function png(w: number, h: number, opts: { alpha?: 'rgba' | 'hole'; color?: number } = {}) {
  const channels = opts.alpha ? 4 : 3;
  const raw = Buffer.alloc(w * h * channels, opts.color ?? 90);
  if (opts.alpha)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        // "hole": the left half is transparent (the area to edit).
        raw[(y * w + x) * 4 + 3] = opts.alpha === 'hole' && x < w / 2 ? 0 : 255;
      }
  return sharp(raw, { raw: { width: w, height: h, channels } })
    .png()
    .toBuffer();
}
const jpeg = async (w: number, h: number) =>
  sharp(Buffer.alloc(w * h * 3, 200), { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toBuffer();

const file = (bytes: Buffer, name: string, type?: string) =>
  new File([new Uint8Array(bytes)], name, type === undefined ? { type: 'image/png' } : { type });

type Part = [string, string | File];

function form(parts: Part[]): FormData {
  const f = new FormData();
  for (const [k, v] of parts) f.append(k, v);
  return f;
}

const base = (extra: Part[] = []): Part[] => [
  ['model', 'gpt-image-2.6-flare'],
  ['prompt', 'add a red balloon'],
  ...extra,
];

async function send(path: string, body: FormData | object, headers: Record<string, string> = {}) {
  const init: RequestInit = { method: 'POST', headers: { authorization: `Bearer ${KEY}`, ...headers } };
  if (body instanceof FormData) init.body = body;
  else {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${mock.url}${path}`, init);
  const requestId = res.headers.get('x-request-id');
  return { res, requestId };
}

async function logged(requestId: string | null): Promise<Logged> {
  const all = (await (await fetch(`${mock.origin}/__mock/requests`)).json()) as Logged[];
  const entry = all.find((r) => r.id === requestId);
  if (!entry) throw new Error(`no log entry for ${requestId}`);
  return entry;
}

async function expectError(res: Response, status: number, param: string | null, code: string | null) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect({ param: body.error.param, code: body.error.code }).toEqual({ param, code });
  return body.error;
}

describe('multipart parser', () => {
  it('reads fields and files in order, with their types', async () => {
    const f = form([
      ['prompt', 'hi "there"'],
      ['image[]', file(await png(2, 2), 'a b.png')],
      ['image[]', file(Buffer.from('xx'), 'x.bin', '')],
    ]);
    const req = new Request('http://x/', { method: 'POST', body: f });
    const parts = parseMultipart(Buffer.from(await req.arrayBuffer()), req.headers.get('content-type')!);
    expect(parts.map((p) => [p.name, p.filename, p.type])).toEqual([
      ['prompt', null, null],
      ['image[]', 'a b.png', 'image/png'],
      ['image[]', 'x.bin', 'application/octet-stream'],
    ]);
    expect(parts[0]!.data.toString()).toBe('hi "there"');
  });
});

describe('POST /v1/images/edits (multipart)', () => {
  it('accepts two image[] parts and a mask, and logs what arrived', async () => {
    const f = form(
      base([
        ['image[]', file(await png(64, 48), 'first.png')],
        ['image[]', file(await jpeg(30, 30), 'second.jpg', 'image/jpeg')],
        ['mask', file(await png(64, 48, { alpha: 'hole' }), 'mask.png')],
        ['size', '1024x1024'],
      ]),
    );
    const { res, requestId } = await send('/images/edits', f);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: { b64_json: string }[]; usage: Record<string, unknown> };
    expect(json.data).toHaveLength(1);
    expect(json.usage).toMatchObject({ input_tokens_details: { image_tokens: expect.any(Number) } });
    const meta = await sharp(Buffer.from(json.data[0]!.b64_json, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1024, 1024]);

    const entry = await logged(requestId);
    expect(entry.body).toEqual({
      model: 'gpt-image-2.6-flare',
      prompt: 'add a red balloon',
      size: '1024x1024',
    });
    expect(entry.parts!.map((p) => p.name)).toEqual([
      'model',
      'prompt',
      'image[]',
      'image[]',
      'mask',
      'size',
    ]);
    expect(entry.files!.map((x) => [x.field, x.filename, x.type, x.format, x.width, x.height])).toEqual([
      ['image[]', 'first.png', 'image/png', 'png', 64, 48],
      ['image[]', 'second.jpg', 'image/jpeg', 'jpeg', 30, 30],
      ['mask', 'mask.png', 'image/png', 'png', 64, 48],
    ]);
    expect(entry.files![2]!.alpha).toEqual({
      pixels: 64 * 48,
      transparent: 32 * 48,
      opaque: 32 * 48,
      partial: 0,
    });
  });

  it('keeps the first image outside the mask and paints inside it', async () => {
    const f = form(
      base([
        ['image', file(await png(64, 64, { color: 10 }), 'dark.png')],
        ['mask', file(await png(64, 64, { alpha: 'hole' }), 'mask.png')],
        ['size', '1024x1024'],
        ['output_format', 'png'],
      ]),
    );
    const { res } = await send('/images/edits', f);
    const json = (await res.json()) as { data: { b64_json: string }[] };
    const { data, info } = await sharp(Buffer.from(json.data[0]!.b64_json, 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    // Kept (outside the transparent half): the original, give or take the mock's drift of 2 levels.
    for (const x of [600, 700, 900, 1000]) expect(Math.abs(px(x, 500) - 10)).toBeLessThanOrEqual(2);
    expect(new Set([600, 601, 602, 603, 604].map((x) => px(x, 500))).size).toBeGreaterThan(1);
    expect(Math.abs(px(100, 500) - 10)).toBeGreaterThan(10); // edited
  });

  it('answers `auto` with the standard size closest to the first image', async () => {
    const { res } = await send(
      '/images/edits',
      form(base([['image', file(await png(300, 200), 'wide.png')]])),
    );
    expect(((await res.json()) as { size: string }).size).toBe('1536x1024');
  });

  it('streams image_edit.partial_image and image_edit.completed events', async () => {
    const f = form(
      base([
        ['image', file(await png(32, 32), 'a.png')],
        ['stream', 'true'],
        ['partial_images', '2'],
        ['size', '1024x1024'],
        ['quality', 'low'],
      ]),
    );
    const { res } = await send('/images/edits', f);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = [...(await res.text()).matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['image_edit.partial_image', 'image_edit.partial_image', 'image_edit.completed']);
  });

  it.each([
    ['application/octet-stream', 0, 'image[0]'],
    ['', 0, 'image[0]'],
    ['text/plain', 1, 'image[1]'],
  ])('refuses a part typed %j with the real unsupported_file_mimetype error', async (type, at, param) => {
    const images: Part[] = [
      ['image[]', file(await png(16, 16), 'a.png')],
      ['image[]', file(await png(16, 16), 'b.png')],
    ];
    images[at] = ['image[]', file(await png(16, 16), 'x.png', type)];
    const { res } = await send('/images/edits', form(base(images)));
    const e = await expectError(res, 400, param, 'unsupported_file_mimetype');
    expect(e.message).toBe(
      `Invalid file '${param}': unsupported mimetype ('${type || 'application/octet-stream'}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
    );
  });

  it.each<[string, () => Promise<Part[]>, number, string | null, string]>([
    [
      'moderation (absent from the multipart schema)',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['moderation', 'low'],
        ]),
      400,
      'moderation',
      'unknown_parameter',
    ],
    [
      'both image and image[]',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['image[]', file(await png(8, 8), 'b.png')],
        ]),
      400,
      'image',
      'invalid_value',
    ],
    [
      'two parts named image',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['image', file(await png(8, 8), 'b.png')],
        ]),
      400,
      'image',
      'duplicate_parameter',
    ],
    ['no image', async () => base(), 400, 'image', 'missing_required_parameter'],
    [
      '17 images',
      async () =>
        base(
          await Promise.all(
            Array.from({ length: 17 }, async (_, i): Promise<Part> => [
              'image[]',
              file(await png(8, 8), `${i}.png`),
            ]),
          ),
        ),
      400,
      'image',
      'array_above_max_length',
    ],
    [
      'a JPEG sent as image/png',
      async () => base([['image', file(await jpeg(8, 8), 'a.png', 'image/png')]]),
      400,
      'image[0]',
      'invalid_image_file',
    ],
    [
      'text sent as image/png',
      async () => base([['image', file(Buffer.from('hello'), 'a.png')]]),
      400,
      'image[0]',
      'invalid_image_file',
    ],
    [
      'a mask of another size',
      async () =>
        base([
          ['image', file(await png(64, 64), 'a.png')],
          ['mask', file(await png(32, 32, { alpha: 'hole' }), 'm.png')],
        ]),
      400,
      'mask',
      'invalid_mask_image',
    ],
    [
      'a mask without alpha',
      async () =>
        base([
          ['image', file(await png(64, 64), 'a.png')],
          ['mask', file(await png(64, 64), 'm.png')],
        ]),
      400,
      'mask',
      'invalid_mask_image',
    ],
    [
      'a JPEG mask',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['mask', file(await jpeg(8, 8), 'm.jpg', 'image/jpeg')],
        ]),
      400,
      'mask',
      'unsupported_file_mimetype',
    ],
    [
      'a mask over a JPEG image',
      async () =>
        base([
          ['image', file(await jpeg(8, 8), 'a.jpg', 'image/jpeg')],
          ['mask', file(await png(8, 8, { alpha: 'hole' }), 'm.png')],
        ]),
      400,
      'mask',
      'invalid_mask_image',
    ],
    [
      'input_fidelity on 2.x',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['input_fidelity', 'high'],
        ]),
      400,
      'input_fidelity',
      'unknown_parameter',
    ],
    [
      'a non-integer n',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['n', 'two'],
        ]),
      400,
      'n',
      'invalid_type',
    ],
    [
      'a bad size for 2.x',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['size', '1000x1000'],
        ]),
      400,
      'size',
      'invalid_value',
    ],
    [
      'response_format on GPT image',
      async () =>
        base([
          ['image', file(await png(8, 8), 'a.png')],
          ['response_format', 'b64_json'],
        ]),
      400,
      'response_format',
      'unknown_parameter',
    ],
  ])('refuses %s', async (_name, parts, status, param, code) => {
    const { res } = await send('/images/edits', form(await parts()));
    await expectError(res, status, param, code);
  });

  it('takes input_fidelity where the model allows it', async () => {
    const img: Part = ['image', file(await png(8, 8), 'a.png')];
    const ok = await send(
      '/images/edits',
      form([['model', 'gpt-image-1.5'], ['prompt', 'p'], img, ['input_fidelity', 'high']]),
    );
    expect(ok.res.status).toBe(200);
    const mini = await send(
      '/images/edits',
      form([['model', 'gpt-image-1-mini'], ['prompt', 'p'], img, ['input_fidelity', 'high']]),
    );
    await expectError(mini.res, 400, 'input_fidelity', 'invalid_value');
  });

  it('applies scenarios written in a multipart prompt', async () => {
    const f = form([
      ['model', 'gpt-image-2'],
      ['prompt', 'x [[mock:moderation]]'],
      ['image', file(await png(8, 8), 'a.png')],
    ]);
    await expectError((await send('/images/edits', f)).res, 400, null, 'moderation_blocked');
  });
});

describe('POST /v1/images/edits (JSON)', () => {
  const dataUrl = (b: Buffer, type = 'image/png') => `data:${type};base64,${b.toString('base64')}`;

  it('accepts data-URL references and moderation', async () => {
    const { res, requestId } = await send('/images/edits', {
      model: 'gpt-image-2.5-flare',
      prompt: 'make it night',
      images: [
        { image_url: dataUrl(await png(20, 20)) },
        { image_url: dataUrl(await jpeg(10, 10), 'image/jpeg') },
      ],
      mask: { image_url: dataUrl(await png(20, 20, { alpha: 'hole' })) },
      moderation: 'low',
    });
    expect(res.status).toBe(200);
    const entry = await logged(requestId);
    expect(entry.files!.map((x) => [x.field, x.format])).toEqual([
      ['images[0]', 'png'],
      ['images[1]', 'jpeg'],
      ['mask', 'png'],
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['file ids', { images: [{ file_id: 'file-1' }] }, 'images[0].file_id', 'invalid_value'],
    [
      'remote URLs',
      { images: [{ image_url: 'https://example.com/a.png' }] },
      'images[0].image_url',
      'invalid_value',
    ],
    ['both keys', { images: [{ image_url: 'x', file_id: 'y' }] }, 'images[0]', 'invalid_value'],
    ['an empty list', { images: [] }, 'images', 'empty_array'],
  ])('refuses %s', async (_n, patch, param, code) => {
    const { res } = await send('/images/edits', { model: 'gpt-image-2', prompt: 'p', ...patch });
    await expectError(res, 400, param, code);
  });
});

describe('POST /v1/images/variations', () => {
  it('makes n square variations of a square PNG as b64_json', async () => {
    const f = form([
      ['model', 'dall-e-2'],
      ['image', file(await png(64, 64), 'sq.png')],
      ['n', '2'],
      ['size', '256x256'],
      ['response_format', 'b64_json'],
    ]);
    const { res } = await send('/images/variations', f);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: { b64_json: string }[] };
    expect(json.data).toHaveLength(2);
    const meta = await sharp(Buffer.from(json.data[1]!.b64_json, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
  });

  it('answers url with a data URL by default', async () => {
    const { res } = await send('/images/variations', form([['image', file(await png(16, 16), 'sq.png')]]));
    expect(((await res.json()) as { data: { url: string }[] }).data[0]!.url).toMatch(
      /^data:image\/png;base64,/,
    );
  });

  it.each<[string, () => Promise<Part[]>, string, string]>([
    [
      'a non-square image',
      async () => [['image', file(await png(20, 10), 'a.png')]],
      'image',
      'invalid_image_shape',
    ],
    [
      'a JPEG',
      async () => [['image', file(await jpeg(8, 8), 'a.jpg', 'image/jpeg')]],
      'image',
      'invalid_image_format',
    ],
    [
      'another model',
      async () => [
        ['model', 'gpt-image-2'],
        ['image', file(await png(8, 8), 'a.png')],
      ],
      'model',
      'invalid_value',
    ],
    [
      'an odd size',
      async () => [
        ['size', '300x300'],
        ['image', file(await png(8, 8), 'a.png')],
      ],
      'size',
      'invalid_value',
    ],
    [
      'a prompt',
      async () => [
        ['prompt', 'x'],
        ['image', file(await png(8, 8), 'a.png')],
      ],
      'prompt',
      'unknown_parameter',
    ],
  ])('refuses %s', async (_n, parts, param, code) => {
    const { res } = await send('/images/variations', form(await parts()));
    await expectError(res, 400, param, code);
  });
});
