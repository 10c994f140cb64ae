import { expect, test } from './support/fixtures';
import { naturalSize } from './support/studio';

/** What the page saw of a final image painted from bytes decoded while they streamed (see ResultCard). */
interface PaintLog {
  /** Result cards with a canvas that appeared for the run. */
  inserted: number;
  /** Whether the partial was seen under the card's canvas while the picture was still to come. */
  backdropWhileArriving?: boolean;
  /**
   * The box the canvas takes on the page, the picture on it (its pixel size, and its centre's colour drawn at
   * the box's size). The canvas is the decode worker's (transferControlToOffscreen), so its picture is read
   * through createImageBitmap, which gives what it shows.
   */
  painted: {
    box: { width: number; height: number };
    width: number;
    height: number;
    patch: number[];
    /** The page cannot draw on it: it was handed to the decode worker. */
    transferred: boolean;
  }[];
}

/** Mean RGB of the 9×9 pixels around the centre of a canvas. */
function centrePatch(canvas: HTMLCanvasElement | OffscreenCanvas): number[] {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { data } = ctx.getImageData(
    Math.floor(canvas.width / 2) - 4,
    Math.floor(canvas.height / 2) - 4,
    9,
    9,
  );
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
  return sum.map((s) => s / 81);
}

test.describe('Painting a streamed final image', () => {
  test('it is painted from the bytes decoded while they arrived, then the <img> of the same Blob takes over', async ({
    studio,
  }) => {
    // Its bytes come over time, as over a network: all at once over loopback, the picture can be decoded before
    // the card (mounted when they start) has handed over its canvas, and it is then drawn by the page instead.
    const prompt = studio.promptText('A kingfisher on a reed', 'paced');
    // The stream is read in a worker (api/offthread.ts), started on the first streamed run…
    const workers: string[] = [];
    studio.page.on('worker', (w) => workers.push(w.url()));
    await studio.page.evaluate(
      ([p, patchSrc]) => {
        const patch = new Function(`return ${patchSrc}`)() as (
          c: HTMLCanvasElement | OffscreenCanvas,
        ) => number[];
        const log: PaintLog = { inserted: 0, painted: [] };
        (window as unknown as { __paint: PaintLog }).__paint = log;
        // The <img> takes over once it has decoded: held back until the canvas has been read, so that the read
        // cannot miss it.
        let read = () => {};
        const canvasRead = new Promise<void>((r) => (read = r));
        const decode = HTMLImageElement.prototype.decode;
        HTMLImageElement.prototype.decode = function () {
          return canvasRead.then(() => decode.call(this));
        };
        const seen = new Set<Element>();
        const done = new Set<Element>();
        new MutationObserver(() => {
          const run = `article[aria-label="Run: ${p.slice(0, 60)}"]`;
          for (const el of document.querySelectorAll(`${run} .picture:has(canvas)`)) {
            if (!seen.has(el)) {
              seen.add(el);
              log.inserted++;
            }
            // The partial shows under the card's canvas while the picture is coming (the card may come a moment
            // before the partial: both can be announced by one chunk of the stream).
            if (!el.hasAttribute('data-painted') && el.parentElement?.querySelector('img.backdrop'))
              log.backdropWhileArriving = true;
            // Named once the picture is on it.
            if (el.getAttribute('role') !== 'img' || el.getAttribute('aria-label') !== p) continue;
            if (el.hasAttribute('data-painted') && !done.has(el)) {
              done.add(el);
              const canvas = el.querySelector('canvas')!;
              const rect = canvas.getBoundingClientRect();
              const box = { width: Math.round(rect.width), height: Math.round(rect.height) };
              let transferred = false;
              try {
                canvas.getContext('2d');
              } catch {
                transferred = true;
              }
              // Read once the worker's frame has reached this page too (its copy of a worker's canvas comes
              // apart from the screen's), a few frames at most.
              const readCanvas = (framesLeft: number) =>
                void createImageBitmap(canvas).then((shown) => {
                  if (shown.width === 300 && framesLeft > 0) {
                    // Still the blank 300 × 150 canvas this page made.
                    return requestAnimationFrame(() => readCanvas(framesLeft - 1));
                  }
                  const copy = new OffscreenCanvas(box.width, box.height);
                  copy.getContext('2d')!.drawImage(shown, 0, 0, box.width, box.height);
                  const { width, height } = shown;
                  log.painted.push({ box, width, height, patch: patch(copy), transferred });
                  read();
                }, read);
              readCanvas(60);
            }
          }
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      },
      [prompt, centrePatch.toString()] as const,
    );
    await studio.generate(prompt);

    const final = studio.finalImages(prompt);
    await expect(final).toHaveCount(1, { timeout: 20_000 });
    await expect(final).toHaveAttribute('alt', prompt);
    expect(await naturalSize(final)).toBe('1024x1024');
    await expect(studio.run(prompt).locator('canvas')).toHaveCount(0);
    await expect(studio.status(prompt, 'Done')).toBeVisible();

    expect(workers.filter((url) => /stream-worker/.test(url))).toHaveLength(1);
    // …which sends the final image's bytes to a decode worker of its own (images/decode-remote.ts).
    expect(workers.filter((url) => /decode-worker/.test(url))).toHaveLength(1);
    const log = await studio.page.evaluate(() => (window as unknown as { __paint: PaintLog }).__paint);
    expect(log.inserted).toBe(1);
    expect(log.backdropWhileArriving).toBe(true);
    expect(log.painted).toHaveLength(1);
    const painted = log.painted[0]!;
    // Drawn by the decode worker, on the canvas the card handed it while the bytes arrived.
    expect(painted.transferred).toBe(true);
    // Shown square, in the single-image column (at most 640 CSS px), and drawn at that size, not at 1024².
    expect(painted.box.width).toBeGreaterThan(100);
    expect(painted.box.width).toBeLessThanOrEqual(640);
    expect(painted.box.height).toBe(painted.box.width);
    expect(painted.width).toBe(painted.box.width);
    expect(painted.height).toBe(painted.width);
    // The same picture as the <img>: the centre of the <img>, drawn at the same size, has the same colour.
    const fromImg = await final.evaluate(
      (img: HTMLImageElement, [w, h, patchSrc]) => {
        const patch = new Function(`return ${patchSrc}`)() as (
          c: HTMLCanvasElement | OffscreenCanvas,
        ) => number[];
        const c = document.createElement('canvas');
        c.width = w;
        c.height = h;
        c.getContext('2d')!.drawImage(img, 0, 0, w, h);
        return patch(c);
      },
      [painted.box.width, painted.box.height, centrePatch.toString()] as const,
    );
    for (let c = 0; c < 3; c++) expect(Math.abs(painted.patch[c]! - fromImg[c]!)).toBeLessThan(6);
    // Download still points at the Blob of the exact bytes the API sent.
    const card = studio.run(prompt).locator('figure.card');
    await expect(card.getByRole('link', { name: 'Download' })).toHaveAttribute(
      'href',
      (await final.getAttribute('src'))!,
    );
  });

  test('without WebCodecs’ ImageDecoder the final image is shown by the <img> alone, as before', async ({
    studio,
  }) => {
    await studio.page.addInitScript(() => {
      delete (window as unknown as { ImageDecoder?: unknown }).ImageDecoder;
    });
    await studio.page.reload();
    expect(await studio.page.evaluate(() => 'ImageDecoder' in window)).toBe(false);
    const prompt = studio.promptText('A heron in the mist');
    await studio.page.evaluate(() => {
      const w = window as unknown as { __canvases: number };
      w.__canvases = 0;
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof Element && (n.matches('canvas') || n.querySelector('canvas'))) w.__canvases++;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await studio.generate(prompt);

    const final = studio.finalImages(prompt);
    await expect(final).toHaveCount(1, { timeout: 20_000 });
    await expect(final).toHaveAttribute('alt', prompt);
    expect(await naturalSize(final)).toBe('1024x1024');
    await expect(studio.status(prompt, 'Done')).toBeVisible();
    await expect(studio.run(prompt).getByRole('img', { name: /^Partial image/ })).toHaveCount(0);
    expect(await studio.page.evaluate(() => (window as unknown as { __canvases: number }).__canvases)).toBe(
      0,
    );
  });
});
