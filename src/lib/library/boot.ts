/**
 * The library's first screen, painted before the app's code has loaded.
 *
 * Opening the app on the library (a reload or bookmark of `#library`), the first row took ~550 ms on a 2-core
 * machine: the app's code runs (~100 ms after navigation), mounts, loads the library's chunk, renders the grid
 * and decodes its thumbnails. public/library-boot.js (a script of the app's own, loaded by index.html: the CSP
 * allows no inline one) paints the first screen's thumbnails during the HTML parse instead, from what localStorage already holds: the recent record (names.ts: the newest items
 * and each thumbnail as a data: URL) and the layout recorded here, the last time the gallery showed its first
 * screen in a window of the same size. The picture is only that (aria-hidden; a thumbnail pressed on it is
 * opened by the gallery when it takes over), and is removed as soon as the gallery has its own thumbnails
 * decoded, when the app leaves the library, or after 5 s.
 *
 * The script reads these keys by name: tests/unit/library/boot.test.ts checks they agree.
 */

/** Where the layout is kept (localStorage). */
export const BOOT_LAYOUT_KEY = 'atelier.library.boot.v1';
/** The id of the early picture (public/library-boot.js). */
export const BOOT_PICTURE_ID = 'library-boot';

/**
 * The window's size when the layout was recorded (the picture is only painted in a window of the same size) and,
 * for the first screen's cells in order, each one's box in page coordinates: [left, top, width, height].
 */
export interface BootLayout {
  w: number;
  h: number;
  cells: [number, number, number, number][];
}

/** The layout of `cells` (the gallery's first-screen cells, in order), the page scrolled by `scroll`. */
export function bootLayout(
  cells: readonly { getBoundingClientRect(): { left: number; top: number; width: number; height: number } }[],
  view: { w: number; h: number; scrollX: number; scrollY: number },
): BootLayout {
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    w: view.w,
    h: view.h,
    cells: cells.map((c) => {
      const r = c.getBoundingClientRect();
      return [round(r.left + view.scrollX), round(r.top + view.scrollY), round(r.width), round(r.height)];
    }),
  };
}

/** Stores `layout` unless it is what is stored already; storage that refuses it is left as it is. */
export function saveBootLayout(layout: BootLayout, storage: Pick<Storage, 'getItem' | 'setItem'>): void {
  const text = JSON.stringify(layout);
  try {
    if (storage.getItem(BOOT_LAYOUT_KEY) !== text) storage.setItem(BOOT_LAYOUT_KEY, text);
  } catch {
    // Full or disabled: the next visit simply starts without the picture.
  }
}

/**
 * Removes the early picture, if it is there, and says which of its thumbnails was pressed (its position in the
 * first screen, newest first), if one was: the gallery then opens that item, so the press is not lost.
 */
export function removeBootPicture(doc: Pick<Document, 'getElementById'> = document): number | null {
  const box = doc.getElementById(BOOT_PICTURE_ID);
  if (!box) return null;
  const pressed = box.getAttribute('data-open');
  box.remove();
  return pressed !== null && /^\d+$/.test(pressed) ? Number(pressed) : null;
}

/**
 * Resolves once the early picture's first row (what public/library-boot.js puts on the page at once; the other
 * rows follow a frame later) is decoded and a frame has gone by, so that the browser paints it before the app's
 * first long task rather than after; at once when there is no picture or that frame has gone by already (it
 * sets data-shown). Waits at most `maxMs`.
 */
export function bootPictureShown(doc: Pick<Document, 'getElementById'>, maxMs = 150): Promise<void> {
  const box = doc.getElementById(BOOT_PICTURE_ID);
  if (!box || box.hasAttribute('data-shown')) return Promise.resolve();
  const firstRow = [...box.querySelectorAll('img[data-first]')] as HTMLImageElement[];
  const decoded = Promise.all(firstRow.map((img) => img.decode().catch(() => {})));
  const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const limit = new Promise<void>((resolve) => setTimeout(resolve, maxMs));
  return Promise.race([decoded.then(frame), limit]);
}
