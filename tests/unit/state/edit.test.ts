import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { squarePlan } from '../../../src/lib/images/square';
import { EditState } from '../../../src/lib/state/edit.svelte';
import type { RunState } from '../../../src/lib/state/run.svelte';
import { StudioState } from '../../../src/lib/state/studio.svelte';

const CONN = { apiKey: 'sk-test-edit-00000', baseUrl: 'http://127.0.0.1:1/v1' };
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const png = async (w: number, h: number) =>
  new Blob(
    [
      new Uint8Array(
        await sharp({ create: { width: w, height: h, channels: 3, background: '#456' } })
          .png()
          .toBuffer(),
      ),
    ],
    {
      type: 'image/png',
    },
  );

/** A studio whose fetch records each request's FormData and answers with `status`. */
function setup(status: () => number) {
  const forms: FormData[] = [];
  const urls: string[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    urls.push(url);
    forms.push(init.body as FormData);
    const s = status();
    return s === 200
      ? new Response(JSON.stringify({ created: 1, data: [{ b64_json: PNG_1PX }], output_format: 'png' }), {
          headers: { 'content-type': 'application/json' },
        })
      : new Response(
          JSON.stringify({ error: { message: 'boom', type: 'server_error', param: null, code: null } }),
          {
            status: s,
            headers: { 'content-type': 'application/json' },
          },
        );
  }) as unknown as typeof fetch;
  const studio = new StudioState({ fetchImpl, now: () => 1000 });
  studio.options = { ...studio.options, model: 'gpt-image-2', prompt: 'add a kite', stream: false };
  const edit = new EditState(studio, { decode: async () => ({ width: 64, height: 48 }) });
  return { studio, edit, forms, urls };
}

async function settle(run: RunState | null) {
  for (let i = 0; i < 400 && run?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 5));
  return run!;
}

describe('EditState', () => {
  it('adds checked images, refuses others by name, and reorders', async () => {
    const { edit } = setup(() => 200);
    await edit.add([
      { blob: await png(64, 48), name: 'a.png' },
      { blob: new Blob(['hello']), name: 'notes.txt' },
      { blob: await png(64, 48), name: 'b.png' },
    ]);
    expect(edit.sources.map((s) => s.name)).toEqual(['a.png', 'b.png']);
    expect(edit.refusals.map((r) => r.name)).toEqual(['notes.txt']);
    edit.move(edit.sources[1]!.id, -1);
    expect(edit.sources.map((s) => s.name)).toEqual(['b.png', 'a.png']);
    edit.editMask(edit.sources[1]!.id);
    expect(edit.sources[0]!.name).toBe('a.png');
    expect(edit.notice).toMatch(/Moved “a.png” to first/);
    expect(edit.maskEditorOpen).toBe(true);
  });

  it('sends the mask only while its image is first', async () => {
    const { edit } = setup(() => 200);
    await edit.add([
      { blob: await png(64, 48), name: 'a.png' },
      { blob: await png(64, 48), name: 'b.png' },
    ]);
    const [a, b] = edit.sources;
    edit.setMask({ sourceId: a!.id, blob: await png(64, 48), width: 64, height: 48, editFraction: 0.3 });
    expect(edit.request?.form.has('mask')).toBe(true);
    edit.move(b!.id, -1);
    expect(edit.activeMask).toBeNull();
    expect(edit.request?.form.has('mask')).toBe(false);
    edit.remove(a!.id);
    expect(edit.mask).toBeNull();
  });

  it('runs an edit in the studio run list, and Retry sends the same edit again', async () => {
    let status = 500;
    const { studio, edit, forms } = setup(() => status);
    await edit.add([{ blob: await png(64, 48), name: 'a.png' }]);
    const failed = await settle(await edit.send(CONN));
    expect(studio.runs[0]).toBe(failed);
    expect(failed.status).toBe('failed');
    const sent = forms.length;
    expect((forms[0]!.get('image') as File).type).toBe('image/png');
    expect(forms[0]!.has('moderation')).toBe(false);

    status = 200;
    const again = await settle(studio.retry(CONN, failed));
    expect(forms.length).toBe(sent + 1);
    expect(forms.at(-1)!.get('prompt')).toBe('add a kite');
    expect(again.status).toBe('complete');
    expect(again.images).toHaveLength(1);
    expect(studio.runs.slice(0, 2)).toEqual([again, failed]);
  });

  it('sends nothing without a source image', async () => {
    const { edit, forms } = setup(() => 200);
    expect(await edit.send(CONN)).toBeNull();
    expect(edit.validation.errors.images).toBe('Add at least one image to edit.');
    expect(forms).toHaveLength(0);
  });
});

describe('EditState variations', () => {
  it('is offered for dall-e-2 only, and sends the first square PNG to /images/variations as a run', async () => {
    const { studio, forms, urls } = setup(() => 200);
    const edit = new EditState(studio, { decode: async () => ({ width: 64, height: 64 }) });
    studio.setModel('dall-e-2');
    // The variation rules come with the edit engine, loaded when Edit mode opens.
    expect(edit.variations).toBe(false);
    await edit.load();
    studio.setModel('gpt-image-2');
    expect(edit.variations).toBe(false);
    studio.setModel('dall-e-2');
    studio.update({ n: 2, size: '256x256' });
    expect(edit.variations).toBe(true);
    expect(edit.variationProblem).toBe('Add one image to make variations of.');
    expect(edit.sendVariations(CONN)).toBeNull();
    await edit.add([{ blob: await png(64, 64), name: 'a.png' }]);
    expect(edit.refusals).toEqual([]);
    expect(edit.variationProblem).toBeNull();
    const run = await settle(edit.sendVariations(CONN));
    expect(urls).toEqual([`${CONN.baseUrl}/images/variations`]);
    expect(forms[0]!.get('n')).toBe('2');
    expect(forms[0]!.get('response_format')).toBe('b64_json');
    expect(run.status).toBe('complete');
    expect(run.prompt).toBe('Variations of “a.png”');
    expect(studio.runs[0]).toBe(run);
  });

  it('offers to square a non-square source and replaces it with the square PNG', async () => {
    const { studio } = setup(() => 200);
    const modes: string[] = [];
    const edit = new EditState(studio, {
      decode: async () => ({ width: 64, height: 48 }),
      toSquare: async (_b, max, mode) => {
        expect(max).toBe(4 * 1024 * 1024);
        modes.push(mode);
        return {
          blob: new Blob([new Uint8Array(8)], { type: 'image/png' }),
          width: 48,
          height: 48,
          plan: squarePlan(64, 48, mode),
        };
      },
    });
    studio.setModel('dall-e-2');
    await edit.add([{ blob: await png(64, 48), name: 'wide.png' }]);
    expect(edit.variationProblem).toMatch(/64 × 48; variations need a square image/);
    expect(edit.squarable).toBe(true);
    expect(edit.squareOffer).toBe(true);
    studio.setModel('gpt-image-2'); // takes any shape: no offer
    expect(edit.squareOffer).toBe(false);
    studio.setModel('dall-e-2');
    await edit.makeSquare();
    expect(modes).toEqual(['crop']);
    expect(edit.sources.map((s) => [s.name, s.width, s.height, s.mime])).toEqual([
      ['wide-square.png', 48, 48, 'image/png'],
    ]);
    expect(edit.notice).toMatch(/“wide.png” \(64 × 48\) is now “wide-square.png”.*Your file is unchanged/);
    expect(edit.squarable).toBe(false);
    expect(edit.squareOffer).toBe(false);
  });

  it('pads a DALL·E 2 edit source to a square and squares its mask with the same plan', async () => {
    const { studio } = setup(() => 200);
    const plans: unknown[] = [];
    const edit = new EditState(studio, {
      decode: async () => ({ width: 64, height: 48 }),
      toSquare: async (_b, _max, mode) => ({
        blob: new Blob([new Uint8Array(8)], { type: 'image/png' }),
        width: 64,
        height: 64,
        plan: squarePlan(64, 48, mode),
      }),
      squareMask: async (_m, plan) => {
        plans.push(plan);
        return { blob: await png(64, 64), width: 64, height: 64, editFraction: 0.2 };
      },
    });
    studio.setModel('dall-e-2');
    await edit.add([{ blob: await png(64, 48), name: 'wide.png' }]);
    expect(edit.validation.errors.images).toMatch(/one square PNG under 4 MB.*“Pad to square”/);
    edit.setMask({
      sourceId: edit.sources[0]!.id,
      blob: await png(64, 48),
      width: 64,
      height: 48,
      editFraction: 0.3,
    });
    await edit.makeSquare('pad');
    expect(plans).toEqual([squarePlan(64, 48, 'pad')]);
    const first = edit.sources[0]!;
    expect([first.name, first.width, first.height]).toEqual(['wide-padded.png', 64, 64]);
    expect(edit.activeMask).toMatchObject({ sourceId: first.id, width: 64, height: 64, editFraction: 0.2 });
    expect(edit.notice).toMatch(/The mask was padded the same way/);
    expect(edit.validation.ok).toBe(true);
  });
});

describe('EditState: the PNG copy a mask needs', () => {
  const jpeg = async (w: number, h: number) =>
    new Blob(
      [
        new Uint8Array(
          await sharp({ create: { width: w, height: h, channels: 3, background: '#456' } })
            .jpeg()
            .toBuffer(),
        ),
      ],
      { type: 'image/jpeg' },
    );

  it('is made when the mask is set, announced with its size, and sent instead of the JPEG', async () => {
    const { edit, forms } = setup(() => 200);
    let copies = 0;
    const copy = await png(64, 48);
    const e2 = new EditState(edit.studio, {
      decode: async () => ({ width: 64, height: 48 }),
      toPng: async () => {
        copies++;
        return copy;
      },
    });
    await e2.add([{ blob: await jpeg(64, 48), name: 'boat.jpg' }]);
    expect(e2.validation.warnings.images).toBeUndefined(); // no mask, nothing converted
    e2.setMask({
      sourceId: e2.sources[0]!.id,
      blob: await png(64, 48),
      width: 64,
      height: 48,
      editFraction: 0.3,
    });
    expect(e2.validation.warnings.images).toMatch(/“boat.jpg” will be sent as a 64 × 48 PNG, converted/);
    await e2.preparePngCopy();
    expect(e2.validation.warnings.images).toMatch(/64 × 48 PNG, \d.* (KB|bytes), converted/);
    expect(e2.requestText).toMatch(/image: boat\.png — image\/png, 64 × 48/);
    await settle(await e2.send(CONN));
    expect(copies).toBe(1);
    const sent = forms.at(-1)!.get('image') as File;
    expect([sent.type, sent.size]).toEqual(['image/png', copy.size]);
    expect((forms.at(-1)!.get('mask') as File).type).toBe('image/png');
  });

  it('refuses to send a copy over the model’s per-file limit, saying so by the mask', async () => {
    const { edit, forms } = setup(() => 200);
    const e2 = new EditState(edit.studio, {
      decode: async () => ({ width: 64, height: 48 }),
      toPng: async () => new Blob([new Uint8Array(50 * 1024 * 1024)], { type: 'image/png' }),
    });
    await e2.add([{ blob: await jpeg(64, 48), name: 'huge.jpg' }]);
    e2.setMask({
      sourceId: e2.sources[0]!.id,
      blob: await png(64, 48),
      width: 64,
      height: 48,
      editFraction: 0.3,
    });
    expect(await e2.send(CONN)).toBeNull();
    expect(forms).toHaveLength(0);
    expect(e2.validation.errors.mask).toMatch(/As a PNG \(which a mask needs\), “huge.jpg” is 50.0 MB/);
  });

  it('is not made for an upright PNG, and is made for a PNG stored turned', async () => {
    const { edit } = setup(() => 200);
    let copies = 0;
    const e2 = new EditState(edit.studio, {
      decode: async () => ({ width: 64, height: 48 }),
      toPng: async (b) => {
        copies++;
        return b;
      },
    });
    await e2.add([{ blob: await png(64, 48), name: 'flat.png' }]);
    e2.setMask({
      sourceId: e2.sources[0]!.id,
      blob: await png(64, 48),
      width: 64,
      height: 48,
      editFraction: 0.3,
    });
    expect(await e2.preparePngCopy()).toBeNull();
    expect(copies).toBe(0);
    const turned = new Uint8Array(
      await sharp({ create: { width: 48, height: 64, channels: 3, background: '#456' } })
        .png()
        .withMetadata({ orientation: 6 })
        .toBuffer(),
    );
    await e2.add([{ blob: new Blob([turned]), name: 'turned.png' }]);
    e2.moveToFirst(e2.sources[1]!.id);
    e2.setMask({
      sourceId: e2.sources[0]!.id,
      blob: await png(64, 48),
      width: 64,
      height: 48,
      editFraction: 0.3,
    });
    expect(e2.sources[0]).toMatchObject({ orientation: 6, oriented: true, width: 64, height: 48 });
    await e2.preparePngCopy();
    expect(copies).toBe(1);
    expect(e2.validation.warnings.images).toMatch(/“turned.png” will be sent as an upright 64 × 48 PNG/);
  });
});
