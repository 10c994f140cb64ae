import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  SPEND_DB,
  SPEND_STORE,
  asSpendEntry,
  describeSpendError,
  idbSpendLedger,
  mergeSpendEntries,
  type SpendEntry,
} from '../../../src/lib/history/spend';

function entry(id: string, time: number, patch: Partial<SpendEntry> = {}): SpendEntry {
  return {
    id,
    time,
    session: 's1',
    model: 'gpt-image-2.6-flare',
    endpoint: 'generations',
    usage: { input_tokens: 10, output_tokens: 1056, total_tokens: 1066 },
    cost: 0.0317,
    estimate: { low: 0.02, point: 0.032, high: 0.057 },
    ...patch,
  };
}

describe('the IndexedDB spend ledger (atelier-spend-v1 / entries)', () => {
  const ledger = idbSpendLedger();
  beforeEach(() => ledger.clear());

  it('stores entries and lists them oldest first', async () => {
    await ledger.add(entry('b', 2000));
    await ledger.add(entry('a', 1000));
    await ledger.add(entry('c', 3000, { cost: null, usage: null }));
    const listed = await ledger.list();
    expect(listed.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(listed[0]).toEqual(entry('a', 1000));
    expect(listed[2]!.cost).toBeNull();
  });

  it('survives a new ledger object (another page load)', async () => {
    await ledger.add(entry('x', 5));
    expect((await idbSpendLedger().list()).map((e) => e.id)).toEqual(['x']);
  });

  it('drops records that are not entries instead of failing', async () => {
    const raw = createStore(SPEND_DB, SPEND_STORE);
    await set('junk-1', 'hello', raw);
    await set('junk-2', { id: 3, time: 'yesterday' }, raw);
    await set('half', { id: 'half', time: 7, cost: -2, estimate: { low: 'x' } }, raw);
    await ledger.add(entry('ok', 9));
    const listed = await ledger.list();
    expect(listed.map((e) => e.id)).toEqual(['half', 'ok']);
    expect(listed[0]).toMatchObject({ cost: null, estimate: null, endpoint: 'generations' });
  });
});

describe('asSpendEntry and mergeSpendEntries', () => {
  it.each([
    { v: null, ok: false },
    { v: 42, ok: false },
    { v: { id: 'a' }, ok: false },
    { v: { id: 'a', time: 1 }, ok: true },
    { v: entry('a', 1), ok: true },
  ])('$v', ({ v, ok }) => {
    expect(asSpendEntry(v) !== null).toBe(ok);
  });

  it('keeps what this page recorded but could not save', () => {
    const merged = mergeSpendEntries([entry('a', 1), entry('c', 3)], [entry('b', 2), entry('c', 3)]);
    expect(merged.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('describeSpendError', () => {
  it.each([
    { e: new DOMException('full', 'QuotaExceededError'), says: 'storage for this site is full' },
    { e: new Error('blocked'), says: 'could not be read or saved (blocked)' },
  ])('$says', ({ e, says }) => {
    expect(describeSpendError(e)).toContain(says);
  });
});
