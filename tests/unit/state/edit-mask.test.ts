/** EditState and the mask studio: a feathered mask's three parts, reopening, and a mask closed empty. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EditState } from '../../../src/lib/state/edit.svelte';
import { StudioState } from '../../../src/lib/state/studio.svelte';

const CONN = { apiKey: 'sk-test-edit-mask-0000', baseUrl: 'http://127.0.0.1:1/v1' };

const png = async (w: number, h: number, background = '#456') =>
  new Blob(
    [
      new Uint8Array(
        await sharp({ create: { width: w, height: h, channels: 4, background } })
          .png()
          .toBuffer(),
      ),
    ],
    { type: 'image/png' },
  );

/** An edit state with one 64×48 source; its fetch records the forms and answers only an abort. */
async function setup() {
  const forms: FormData[] = [];
  const fetchImpl = ((_url: string, init: RequestInit) => {
    forms.push(init.body as FormData);
    return new Promise<Response>((_, reject) =>
      init.signal?.addEventListener('abort', () => reject(new DOMException('Cancelled', 'AbortError'))),
    );
  }) as unknown as typeof fetch;
  const studio = new StudioState({ fetchImpl, now: () => 1000 });
  studio.options = { ...studio.options, model: 'gpt-image-2', prompt: 'add a kite', stream: false };
  const edit = new EditState(studio, { decode: async () => ({ width: 64, height: 48 }) });
  await edit.add([{ blob: await png(64, 48), name: 'a.png' }]);
  return { edit, forms, first: edit.sources[0]! };
}

describe('EditState with a feathered mask', () => {
  it('sends the binary mask, composites "keep outside" with the soft one, and reopens the mask as painted', async () => {
    const { edit, forms, first } = await setup();
    const api = await png(64, 48, '#00000000');
    const soft = await png(64, 48, '#80808080');
    const painted = await png(64, 48, '#ffffffff');
    edit.setMask({
      sourceId: first.id,
      blob: api,
      width: 64,
      height: 48,
      editFraction: 0.4,
      feathered: { radius: 12, soft, painted },
    });
    edit.keepOutside = true;
    const run = await edit.send(CONN);
    expect(run).not.toBeNull();
    // The API gets the binary mask (the heat map compares against it too); the composite blends by the soft one.
    expect(forms[0]!.get('mask')).toBeInstanceOf(File);
    expect(await (forms[0]!.get('mask') as File).arrayBuffer()).toEqual(await api.arrayBuffer());
    expect(run!.mask).toBe(api);
    expect(run!.keepMask).toBe(soft);
    // Reopening starts from what was painted, not from the widened or the soft mask.
    expect(edit.maskToReopen(first.id)).toBe(painted);
    run!.controller.abort();
  });

  it('without a feather, keep-outside and reopening use the mask itself', async () => {
    const { edit, first } = await setup();
    const api = await png(64, 48, '#00000000');
    edit.setMask({ sourceId: first.id, blob: api, width: 64, height: 48, editFraction: 0.4 });
    edit.keepOutside = true;
    const run = await edit.send(CONN);
    expect(run!.keepMask).toBe(api);
    expect(edit.maskToReopen(first.id)).toBe(api);
    expect(edit.maskToReopen(first.id + 1000)).toBeNull();
    run!.controller.abort();
  });
});

describe('EditState with a mask closed empty', () => {
  it('drops the mask and remembers for which image, until a mask is set again', async () => {
    const { edit, forms, first } = await setup();
    edit.setMask({ sourceId: first.id, blob: await png(64, 48), width: 64, height: 48, editFraction: 0.2 });
    edit.dropEmptyMask(first.id);
    expect(edit.mask).toBeNull();
    expect(edit.emptyMaskFor).toBe(first.id);
    const run = await edit.send(CONN);
    expect(forms[0]!.has('mask')).toBe(false);
    run!.controller.abort();
    edit.setMask({ sourceId: first.id, blob: await png(64, 48), width: 64, height: 48, editFraction: 0.2 });
    expect(edit.emptyMaskFor).toBeNull();
  });
});
