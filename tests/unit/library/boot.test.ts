import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BOOT_LAYOUT_KEY,
  BOOT_PICTURE_ID,
  bootLayout,
  removeBootPicture,
  saveBootLayout,
} from '../../../src/lib/library/boot';
import { RECENT_KEY, RECENT_THUMB_PREFIX } from '../../../src/lib/library/names';

const root = join(__dirname, '../../..');

describe('the library first-screen picture (boot.ts, public/library-boot.js)', () => {
  it('the early script reads the keys the app writes, and index.html loads it before the app', () => {
    const script = readFileSync(join(root, 'public/library-boot.js'), 'utf8');
    for (const name of [BOOT_LAYOUT_KEY, RECENT_KEY, RECENT_THUMB_PREFIX, BOOT_PICTURE_ID])
      expect(script).toContain(`'${name}'`);
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const early = html.indexOf('<script src="/library-boot.js"></script>');
    expect(early).toBeGreaterThan(html.indexOf('<div id="app">'));
    expect(early).toBeLessThan(html.indexOf('<script type="module"'));
  });

  it('records each cell in page coordinates with the window size', () => {
    const cell = (left: number, top: number) => ({
      getBoundingClientRect: () => ({ left, top, width: 168, height: 168 }),
    });
    const layout = bootLayout([cell(29, 260.44), cell(207.04, 260.44)], {
      w: 1280,
      h: 720,
      scrollX: 0,
      scrollY: 100,
    });
    expect(layout).toEqual({
      w: 1280,
      h: 720,
      cells: [
        [29, 360.4, 168, 168],
        [207, 360.4, 168, 168],
      ],
    });
  });

  it('writes the layout only when it changed, and a refusing storage costs nothing', () => {
    const stored = new Map<string, string>();
    let writes = 0;
    const storage = {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, v: string) => {
        writes++;
        stored.set(k, v);
      },
    };
    const layout = { w: 800, h: 600, cells: [[1, 2, 3, 4]] as [number, number, number, number][] };
    saveBootLayout(layout, storage);
    saveBootLayout(layout, storage);
    expect(writes).toBe(1);
    expect(JSON.parse(stored.get(BOOT_LAYOUT_KEY)!)).toEqual(layout);
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(() => saveBootLayout(layout, full)).not.toThrow();
  });

  it('removes the picture when it is there, saying which thumbnail was pressed on it, if one was', () => {
    let removed = 0;
    const doc = (present: boolean, pressed: string | null = null) => ({
      getElementById: (id: string) =>
        present && id === BOOT_PICTURE_ID
          ? ({ remove: () => removed++, getAttribute: () => pressed } as unknown as HTMLElement)
          : null,
    });
    expect(removeBootPicture(doc(false))).toBeNull();
    expect(removeBootPicture(doc(true))).toBeNull();
    expect(removeBootPicture(doc(true, '3'))).toBe(3);
    expect(removeBootPicture(doc(true, 'x'))).toBeNull();
    expect(removed).toBe(3);
  });
});
