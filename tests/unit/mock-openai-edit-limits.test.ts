/** The mock's per-model limits on /v1/images/edits: image counts from its table, and dall-e-2's own rules. */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxInputImages } from '../mock-openai/edits.mjs';
import { startMockServer } from '../mock-openai/server.mjs';

type Mock = Awaited<ReturnType<typeof startMockServer>>;
let mock: Mock;
const KEY = 'sk-test-edit-limits-0123456789';

beforeAll(async () => {
  mock = await startMockServer({ port: 0, delayMs: 5 });
});
afterAll(async () => {
  await mock.close();
});

async function png(w: number, h: number, opts: { alpha?: 'hole'; noise?: boolean } = {}) {
  const channels = opts.alpha ? 4 : 3;
  const raw = opts.noise ? randomBytes(w * h * channels) : Buffer.alloc(w * h * channels, 90);
  if (opts.alpha)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[(y * w + x) * 4 + 3] = x < w / 2 ? 0 : 255;
  return sharp(raw, { raw: { width: w, height: h, channels } })
    .png()
    .toBuffer();
}
const jpeg = (w: number, h: number) =>
  sharp(Buffer.alloc(w * h * 3, 200), { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toBuffer();
const file = (bytes: Buffer, name: string, type = 'image/png') =>
  new File([new Uint8Array(bytes)], name, { type });

type Part = [string, string | File];
function form(parts: Part[]): FormData {
  const f = new FormData();
  for (const [k, v] of parts) f.append(k, v);
  return f;
}

async function edit(parts: Part[]) {
  return fetch(`${mock.url}/images/edits`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}` },
    body: form(parts),
  });
}

async function expectError(res: Response, param: string | null, code: string | null) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
  expect(body.error).toMatchObject({ type: 'invalid_request_error', param, code });
  return body.error.message;
}

const dalle2 = (extra: Part[]): Part[] => [['model', 'dall-e-2'], ['prompt', 'a red boat'], ...extra];

describe('input image limits per model', () => {
  it('come from the mock’s own model table', () => {
    expect(maxInputImages('gpt-image-2.6-flare')).toBe(16);
    expect(maxInputImages('gpt-image-1-mini')).toBe(16);
    expect(maxInputImages('dall-e-2')).toBe(1);
    expect(maxInputImages('no-such-model')).toBe(16); // refused by the model check afterwards
  });

  it('refuse a second image for dall-e-2 with the real envelope', async () => {
    const res = await edit(
      dalle2([
        ['image[]', file(await png(64, 64), 'a.png')],
        ['image[]', file(await png(64, 64), 'b.png')],
      ]),
    );
    expect(await expectError(res, 'image', 'array_above_max_length')).toBe(
      "Invalid 'image': array too long. Expected an array with maximum length 1, but got an array with length 2 instead.",
    );
  });
});

describe('dall-e-2 edits (a compatible server)', () => {
  it('accept one square PNG with a same-size mask, and answer n images of the size asked', async () => {
    const res = await edit(
      dalle2([
        ['image', file(await png(64, 64), 'a.png')],
        ['mask', file(await png(64, 64, { alpha: 'hole' }), 'mask.png')],
        ['n', '2'],
        ['size', '256x256'],
        ['response_format', 'b64_json'],
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { b64_json: string }[] };
    expect(body.data).toHaveLength(2);
    const meta = await sharp(Buffer.from(body.data[0]!.b64_json, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);
  });

  it('answer url (a data URL) by default', async () => {
    const res = await edit(dalle2([['image', file(await png(32, 32), 'a.png')]]));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { url: string }[] };
    expect(body.data[0]!.url).toMatch(/^data:image\/png;base64,/);
  });

  it.each<[string, () => Promise<Part[]>, string, string]>([
    [
      'a JPEG',
      async () => dalle2([['image', file(await jpeg(64, 64), 'a.jpg', 'image/jpeg')]]),
      'image',
      'invalid_image_format',
    ],
    [
      'a non-square PNG',
      async () => dalle2([['image', file(await png(64, 48), 'a.png')]]),
      'image',
      'invalid_image_shape',
    ],
    [
      'a PNG of 4 MB or more',
      async () => dalle2([['image', file(await png(1200, 1200, { noise: true }), 'a.png')]]),
      'image',
      'file_too_large',
    ],
    [
      'a mask of another size',
      async () =>
        dalle2([
          ['image', file(await png(64, 64), 'a.png')],
          ['mask', file(await png(32, 32, { alpha: 'hole' }), 'm.png')],
        ]),
      'mask',
      'invalid_mask_image',
    ],
    [
      'a mask without alpha',
      async () =>
        dalle2([
          ['image', file(await png(64, 64), 'a.png')],
          ['mask', file(await png(64, 64), 'm.png')],
        ]),
      'mask',
      'invalid_mask_image',
    ],
    [
      'a GPT image option',
      async () =>
        dalle2([
          ['image', file(await png(64, 64), 'a.png')],
          ['output_format', 'webp'],
        ]),
      'output_format',
      'unknown_parameter',
    ],
    [
      'a size of the GPT image models',
      async () =>
        dalle2([
          ['image', file(await png(64, 64), 'a.png')],
          ['size', '1536x1024'],
        ]),
      'size',
      'invalid_value',
    ],
    [
      'a quality other than standard',
      async () =>
        dalle2([
          ['image', file(await png(64, 64), 'a.png')],
          ['quality', 'high'],
        ]),
      'quality',
      'invalid_value',
    ],
    [
      'a prompt over 1000 characters',
      async () => [
        ['model', 'dall-e-2'],
        ['prompt', 'x'.repeat(1001)],
        ['image', file(await png(16, 16), 'a.png')],
      ],
      'prompt',
      'string_above_max_length',
    ],
  ])('refuse %s with the real envelope', async (_name, parts, param, code) => {
    await expectError(await edit(await parts()), param, code);
  });

  it('still log what arrived', async () => {
    const res = await edit(dalle2([['image', file(await png(64, 48), 'wide.png')]]));
    const id = res.headers.get('x-request-id');
    await res.body?.cancel();
    const all = (await (await fetch(`${mock.origin}/__mock/requests`)).json()) as {
      id: string;
      files?: { field: string; width: number; height: number }[];
    }[];
    expect(all.find((r) => r.id === id)?.files).toMatchObject([{ field: 'image', width: 64, height: 48 }]);
  });
});
