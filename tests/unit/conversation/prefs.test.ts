import { describe, expect, it } from 'vitest';
import {
  PREFS_KEY,
  readPrefs,
  writePrefs,
  type ConversationPrefs,
} from '../../../src/lib/conversation/prefs';
import { DEFAULT_TOOL_OPTIONS } from '../../../src/lib/conversation/request';

const memory = (init: Record<string, string> = {}) => {
  const m = new Map(Object.entries(init));
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    m,
  };
};

const PREFS: ConversationPrefs = {
  mainline: 'gpt-6.1-sol',
  tool: { ...DEFAULT_TOOL_OPTIONS, model: 'gpt-image-2' },
  referenceMode: 'item',
  store: false,
  background: true,
  useFiles: true,
  detail: 'high',
  open: true,
};

describe('conversation prefs', () => {
  it('round-trips every option', () => {
    const s = memory();
    writePrefs(s, PREFS);
    expect(readPrefs(s)).toEqual(PREFS);
  });

  it.each([
    ['nothing stored', null],
    ['not JSON', '{'],
    ['not an object', '42'],
  ])('%s gives no options (the defaults stay)', (_, raw) => {
    expect(readPrefs(memory(raw === null ? {} : { [PREFS_KEY]: raw }))).toEqual({});
  });

  it('leaves out ill-typed fields and keeps the rest', () => {
    const raw = JSON.stringify({
      mainline: 7,
      tool: { quality: 'high' },
      referenceMode: 'sideways',
      store: 'yes',
      background: false,
      detail: 'ultra',
      open: true,
    });
    expect(readPrefs(memory({ [PREFS_KEY]: raw }))).toEqual({ background: false, open: true });
  });

  it('a storage that refuses writes does not throw', () => {
    const full = {
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(() => writePrefs(full, PREFS)).not.toThrow();
  });
});
