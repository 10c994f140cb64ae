import { describe, expect, it } from 'vitest';
import { consumeLaunchedFiles, type LaunchParamsLike } from '../../../src/lib/pwa/launch';
import { OPENABLE_TYPES, WEB_APP_MANIFEST } from '../../../src/lib/pwa/manifest';

describe('consumeLaunchedFiles', () => {
  it('says false where the browser has no launch queue', () => {
    expect(consumeLaunchedFiles(undefined, () => {})).toBe(false);
  });

  it('hands every launched file to the editor, in order, and ignores launches without files', async () => {
    let consumer: ((p: LaunchParamsLike) => void) | undefined;
    const opened: string[][] = [];
    const done = new Promise<void>((resolve) => {
      consumeLaunchedFiles({ setConsumer: (c) => (consumer = c) }, (files) => {
        opened.push(files.map((f) => f.name));
        resolve();
      });
    });
    consumer!({});
    consumer!({ files: [] });
    const file = (name: string) => ({ getFile: async () => new File([new Uint8Array([1])], name) });
    consumer!({ files: [file('a.png'), file('b.webp')] });
    await done;
    expect(opened).toEqual([['a.png', 'b.webp']]);
  });
});

describe('the web app manifest', () => {
  it('opens exactly the image types intake accepts, at the start URL', () => {
    expect(WEB_APP_MANIFEST.file_handlers).toEqual([{ action: '/', accept: OPENABLE_TYPES }]);
    expect(Object.keys(OPENABLE_TYPES).sort()).toEqual(['image/jpeg', 'image/png', 'image/webp']);
  });

  it('has any and maskable icons at 192 and 512 px', () => {
    const icons = WEB_APP_MANIFEST.icons.map((i) => `${i.sizes}/${i.purpose}`).sort();
    expect(icons).toEqual(['192x192/any', '192x192/maskable', '512x512/any', '512x512/maskable']);
  });
});
