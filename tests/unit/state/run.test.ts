import { afterEach, describe, expect, it, vi } from 'vitest';
import { kiteRun as newRun } from '../factories';

describe('a run’s final image URL (run.svelte.ts)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is made on first use, not when the image arrives, and revoked with the run', () => {
    const made = vi.spyOn(URL, 'createObjectURL');
    const revoked = vi.spyOn(URL, 'revokeObjectURL');
    const run = newRun();
    const blob = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' });
    run.apply({ kind: 'image', index: 0, image: blob, echoed: {} });
    expect(made).not.toHaveBeenCalled();
    const url = run.images[0]!.url;
    expect(url).toMatch(/^blob:/);
    expect(run.images[0]!.url).toBe(url); // one URL, however often it is read
    expect(made).toHaveBeenCalledTimes(1);
    run.dispose();
    expect(revoked).toHaveBeenCalledWith(url);
  });

  it('an image whose URL was never used is not given one just to revoke it', () => {
    const made = vi.spyOn(URL, 'createObjectURL');
    const run = newRun();
    run.apply({ kind: 'image', index: 0, image: new Blob([new Uint8Array([1])]), echoed: {} });
    run.dispose();
    expect(made).not.toHaveBeenCalled();
  });
});

describe('a final image shown before its event (run.svelte.ts arriving)', () => {
  /** A decoded picture whose close() is counted. */
  function picture() {
    const closed = { n: 0 };
    const d = {
      picture: { width: 4, height: 4, close: () => void closed.n++ } as unknown as ImageBitmap,
      width: 4,
      height: 4,
    };
    return { d, closed };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('gets its card as soon as it starts arriving, and the image event fills the same slot', async () => {
    const run = newRun();
    const { d } = picture();
    const decoded = Promise.resolve(d);
    run.arriving(0, decoded);
    expect(run.slots).toEqual([{ index: 0, decoded }]);
    expect(run.phase).toBe('Final image arriving…');
    const blob = new Blob([new Uint8Array([1])], { type: 'image/png' });
    run.apply({ kind: 'image', index: 0, image: blob, echoed: {}, decoded });
    expect(run.slots).toHaveLength(1);
    expect(run.slots[0]).toMatchObject({ index: 0, decoded, image: { blob, index: 0 } });
  });

  it('lets the event wait for the card’s paint only when the picture was announced', async () => {
    const run = newRun();
    let shown = false;
    void run.whenShown(0).then(() => (shown = true));
    await settle();
    expect(shown).toBe(true); // nothing announced: no waiting
    const other = newRun();
    other.arriving(0, Promise.resolve(picture().d));
    let painted = false;
    void other.whenShown(0).then(() => (painted = true));
    await settle();
    expect(painted).toBe(false);
    other.finalShown(0);
    await settle();
    expect(painted).toBe(true);
  });

  it('a picture that does not come releases the wait, and its empty card goes if the run then fails', async () => {
    const run = newRun();
    run.arriving(0, Promise.resolve(null));
    let released = false;
    void run.whenShown(0).then(() => (released = true));
    await settle();
    expect(released).toBe(true);
    expect(run.slots).toHaveLength(1); // the image event may still come, shown by its <img>
    run.finish('incomplete', 1);
    expect(run.slots).toEqual([]);
  });

  it('a card that already shows the final pixels stays when the run fails, and its picture is freed with the run', async () => {
    const run = newRun();
    const { d, closed } = picture();
    run.arriving(0, Promise.resolve(d));
    await settle();
    run.finish('incomplete', 1);
    expect(run.slots).toHaveLength(1);
    run.dispose();
    await settle();
    expect(closed.n).toBe(1);
  });

  it('after the run ended, an announcement only frees the picture', async () => {
    const run = newRun();
    run.finish('cancelled', 1);
    const { d, closed } = picture();
    run.arriving(0, Promise.resolve(d));
    await settle();
    expect(run.slots).toEqual([]);
    expect(closed.n).toBe(1);
  });

  it('the partial under the card goes once the final picture is shown', () => {
    const made = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:partial');
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const run = newRun();
    run.apply({ kind: 'partial', partialIndex: 0, image: new Blob([new Uint8Array([1])]), echoed: {} });
    run.finalShown(0);
    expect(run.partial).not.toBeNull(); // no final image yet: the partial stays
    run.arriving(0, Promise.resolve(picture().d));
    run.finalShown(0);
    expect(run.partial).toBeNull();
    expect(revoked).toHaveBeenCalledWith('blob:partial');
    made.mockRestore();
  });
});
