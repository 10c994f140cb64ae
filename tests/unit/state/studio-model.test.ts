import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioState } from '../../../src/lib/state/studio.svelte';

const OPTIONS_KEY = 'atelier.studio.v1';
const NO_26 = [{ id: 'gpt-image-2.5-flare' }, { id: 'gpt-image-2' }];

/** A localStorage for Node: the studio saves its draft there. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

/** A studio as App.svelte makes one: the cached list first, then the saved draft. */
function opened(list: { id: string }[] | null): StudioState {
  const studio = new StudioState();
  studio.serverModels = list;
  studio.load();
  return studio;
}

beforeEach(() => {
  Object.defineProperty(globalThis, 'localStorage', { value: memoryStorage(), configurable: true });
});
afterEach(() => {
  delete (globalThis as { localStorage?: Storage }).localStorage;
});

describe('the studio’s model follows the key until the user chooses one', () => {
  it('a first visit (no key, no list) starts on the newest model, then follows the key’s list', () => {
    const studio = opened(null);
    expect(studio.options.model).toBe('gpt-image-2.6-flare');
    studio.persist();
    // The key's list arrives (Test connection + Save, or the refresh on load): 2.6 is not in it.
    studio.serverModels = NO_26;
    expect(studio.options.model).toBe('gpt-image-2.5-flare');
    expect(studio.visibleToKey).toBe(true);
    // A later list follows again.
    studio.serverModels = [{ id: 'gpt-image-2' }];
    expect(studio.options.model).toBe('gpt-image-2');
  });

  it('a draft saved before the key was known does not pin the first default', () => {
    opened(null).persist();
    expect(JSON.parse(localStorage.getItem(OPTIONS_KEY)!)).toMatchObject({ modelChosen: false });
    expect(opened(NO_26).options.model).toBe('gpt-image-2.5-flare');
  });

  it('a model picked by the user stays when the list changes, and is reported as not listed', () => {
    const studio = opened(null);
    studio.setModel('gpt-image-2.6-sunburst');
    studio.serverModels = NO_26;
    expect(studio.options.model).toBe('gpt-image-2.6-sunburst');
    expect(studio.visibleToKey).toBe(false);
    studio.persist();
    const again = opened(NO_26);
    expect(again.options.model).toBe('gpt-image-2.6-sunburst');
    expect(again.modelChosen).toBe(true);
  });

  it('"Use these settings" counts as the user’s choice', () => {
    const studio = opened(null);
    studio.replaceOptions({ ...studio.options, model: 'gpt-image-2', prompt: 'a kite' });
    studio.serverModels = NO_26.slice(0, 1);
    expect(studio.options.model).toBe('gpt-image-2');
  });

  it('keeps the other options when the default moves', () => {
    const studio = opened(null);
    studio.update({ prompt: 'a lighthouse', quality: 'high', size: '1536x1024' });
    studio.serverModels = NO_26;
    expect(studio.options).toMatchObject({
      model: 'gpt-image-2.5-flare',
      prompt: 'a lighthouse',
      quality: 'high',
      size: '1536x1024',
    });
  });

  it('reads drafts saved before the flag existed: the old default is not a choice, another model is', () => {
    localStorage.setItem(OPTIONS_KEY, JSON.stringify({ model: 'gpt-image-2.6-flare', prompt: 'old' }));
    expect(opened(NO_26).options).toMatchObject({ model: 'gpt-image-2.5-flare', prompt: 'old' });
    localStorage.setItem(OPTIONS_KEY, JSON.stringify({ model: 'gpt-image-2', prompt: 'old' }));
    const studio = opened([{ id: 'gpt-image-2.5-flare' }]);
    expect(studio.options.model).toBe('gpt-image-2');
    expect(studio.modelChosen).toBe(true);
  });

  it('counts a listed alias of the chosen model as visible to the key', () => {
    const studio = opened([{ id: 'gpt-image-2.5-sunburst-2026-09-08' }]);
    expect(studio.options.model).toBe('gpt-image-2.5-sunburst');
    expect(studio.visibleToKey).toBe(true);
    studio.setModel('gpt-image-2.5-flare');
    expect(studio.visibleToKey).toBe(false);
  });
});
