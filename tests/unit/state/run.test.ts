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
