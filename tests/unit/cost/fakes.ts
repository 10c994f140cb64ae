/** In-memory storage, ledger and finished runs for CostState tests (time fixed at NOW, UTC). */
import type { ImageUsage } from '../../../src/lib/api/images';
import type { SpendEntry, SpendLedger } from '../../../src/lib/history/spend';
import { CostState } from '../../../src/lib/state/cost.svelte';
import { RunState } from '../../../src/lib/state/run.svelte';

export const NOW = Date.UTC(2026, 10, 24, 12, 0);

export function memoryStorage(init: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(init));
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

export function memoryLedger(initial: SpendEntry[] = [], opts: { failAdd?: boolean; hang?: boolean } = {}) {
  const saved = [...initial];
  const ledger: SpendLedger = {
    add: async (e) => {
      if (opts.failAdd) throw new DOMException('full', 'QuotaExceededError');
      saved.push(e);
    },
    list: () => (opts.hang ? new Promise(() => {}) : Promise.resolve([...saved])),
    clear: async () => void saved.splice(0),
  };
  return { ledger, saved };
}

export function costState(
  opts: { storage?: Storage; entries?: SpendEntry[]; failAdd?: boolean; hang?: boolean } = {},
) {
  const storage = opts.storage ?? memoryStorage();
  const { ledger, saved } = memoryLedger(opts.entries, opts);
  const cost = new CostState({ now: () => NOW, tz: () => 0, ledger, storage, session: 'tab-1' });
  return { cost, storage, saved };
}

export function finishedRun(
  model: string,
  body: Record<string, unknown>,
  usage: ImageUsage | null,
  partials = 0,
) {
  const run = new RunState({
    prompt: 'p',
    model,
    body,
    streamed: partials > 0,
    expected: 1,
    notes: [],
    now: NOW,
  });
  run.images = [{ url: 'blob:x', blob: new Blob([]), index: 0 }];
  run.partialsSeen = partials;
  run.echoed = { size: '1024x1024', quality: 'medium' };
  run.usage = usage;
  run.finish('complete', NOW);
  return run;
}
