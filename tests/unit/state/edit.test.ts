import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
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
  const fetchImpl = (async (_url: string, init: RequestInit) => {
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
  return { studio, edit, forms };
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
