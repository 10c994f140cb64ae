/** The conversation tree, the context a new turn sends, the fallback, the Files cache and the job records. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/lib/api/errors';
import { FileCache, fileIdFor } from '../../../src/lib/conversation/files';
import { sha256Hex } from '../../../src/lib/library/hash';
import { JobStore } from '../../../src/lib/conversation/jobs';
import {
  branchInfo,
  childrenOf,
  fallbackAfterGone,
  isGoneError,
  leafOf,
  pathHasImage,
  pathTo,
  planContext,
  type TurnRecord,
} from '../../../src/lib/conversation/tree';
import { turnRecord } from '../factories';

let clock = 0;
const img = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' });
function t(id: string, parentId: string | null, patch: Partial<TurnRecord> = {}): TurnRecord {
  return turnRecord(id, parentId, { createdAt: ++clock, toolModel: 'gpt-image-2.5-flare', ...patch });
}

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

describe('tree', () => {
  const a = t('a', null);
  const b = t('b', 'a');
  const c = t('c', 'b');
  const b2 = t('b2', 'a'); // a branch from turn 1
  const turns = [a, b, c, b2];
  it('paths, children, leaves and branches', () => {
    expect(pathTo(turns, 'c').map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(pathTo(turns, 'b2').map((x) => x.id)).toEqual(['a', 'b2']);
    expect(childrenOf(turns, 'a').map((x) => x.id)).toEqual(['b', 'b2']);
    expect(leafOf(turns, 'b')).toBe('c');
    expect(leafOf(turns, 'a')).toBe('b2'); // the newest branch
    expect(branchInfo(turns, 'b2')).toEqual({ index: 2, count: 2, siblings: ['b', 'b2'] });
    expect(pathHasImage(turns, 'a')).toBe(true);
    expect(pathHasImage([t('x', null, { images: [] })], 'x')).toBe(false);
  });
  it('continuing uses previous_response_id by default, the image call id on request', () => {
    expect(planContext(null, 'previous')).toEqual({ kind: 'none' });
    expect(planContext(b, 'previous')).toEqual({ kind: 'previous', responseId: 'resp_b' });
    expect(planContext(b, 'item')).toEqual({ kind: 'item', itemId: 'ig_b' });
  });
  it('falls back to the earlier image when the server cannot have the response, and says why', () => {
    const unstored = planContext(t('s', null, { store: false }), 'previous');
    expect(unstored).toMatchObject({ kind: 'image', blob: img });
    expect(unstored.kind === 'image' && unstored.note).toMatch(/store: false/);
    const failed = planContext(t('f', null, { status: 'failed', images: [] }), 'previous');
    expect(failed).toEqual({ kind: 'none' });
    const gone = fallbackAfterGone(b);
    expect(gone.kind === 'image' && gone.note).toMatch(/no longer has the earlier response/);
  });
  it('recognises the API saying the earlier response or item is gone', () => {
    const prev = new ApiError("Previous response with id 'resp_x' not found.", {
      status: 400,
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
    const item = new ApiError("Item with id 'ig_x' not found.", { status: 404, param: 'input[0]' });
    const other = new ApiError('Invalid value', {
      status: 400,
      param: 'tools[0].size',
      code: 'invalid_value',
    });
    expect([prev, item, other, new Error('x')].map(isGoneError)).toEqual([true, true, false, false]);
  });
});

describe('FileCache and fileIdFor', () => {
  it('uploads once per content hash and server, then reuses the id until it expires', async () => {
    const storage = new MemoryStorage();
    let now = 1_000_000;
    const cache = new FileCache(storage, () => now);
    const uploads: string[] = [];
    const fetchImpl: typeof fetch = async (_url, init) => {
      const form = init!.body as FormData;
      expect(form.get('purpose')).toBe('vision');
      uploads.push((form.get('file') as File).name);
      return new Response(
        JSON.stringify({ id: `file-${uploads.length}`, expires_at: 1_000_000 / 1000 + 3600 }),
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    };
    const conn = { apiKey: 'sk-test-1234567890', baseUrl: 'http://127.0.0.1:1/v1' };
    const first = await fileIdFor(conn, cache, img, 'a.png', { fetchImpl });
    const again = await fileIdFor(
      conn,
      cache,
      new Blob([await img.arrayBuffer()], { type: 'image/png' }),
      'b.png',
      { fetchImpl },
    );
    expect(first).toEqual({ fileId: 'file-1', reused: false });
    expect(again).toEqual({ fileId: 'file-1', reused: true });
    expect(await sha256Hex(img)).toMatch(/^[0-9a-f]{64}$/);
    // Another server, or after expiry: a new upload.
    expect(
      (await fileIdFor({ ...conn, baseUrl: 'http://127.0.0.1:2/v1' }, cache, img, 'a.png', { fetchImpl }))
        .reused,
    ).toBe(false);
    now += 3600_000;
    expect(await fileIdFor(conn, cache, img, 'a.png', { fetchImpl })).toEqual({
      fileId: 'file-3',
      reused: false,
    });
    expect(uploads).toEqual(['a.png', 'a.png', 'a.png']);
  });
});

describe('JobStore', () => {
  it('records response id and last sequence number, never moving backwards, and survives a new instance', () => {
    const storage = new MemoryStorage();
    const jobs = new JobStore(storage);
    jobs.put({ turnId: 't1', responseId: 'resp_1', lastSeq: -1, baseUrl: 'u', startedAt: 1 });
    jobs.advance('t1', 5);
    jobs.advance('t1', 3);
    expect(new JobStore(storage).get('t1')).toMatchObject({ responseId: 'resp_1', lastSeq: 5 });
    jobs.remove('t1');
    expect(new JobStore(storage).all()).toEqual([]);
    storage.setItem('atelier.conversation.jobs.v1', '{not json');
    expect(new JobStore(storage).all()).toEqual([]);
  });
});
