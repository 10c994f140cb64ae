/**
 * The share target end to end without a browser: public/share-target.js (the service worker's handler) runs
 * against an in-memory CacheStorage, and src/lib/pwa/share.ts takes out what it kept.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENABLE_TYPES, WEB_APP_MANIFEST } from '../../../src/lib/pwa/manifest';
import { SHARED_CACHE, SHARE_FAILED, takeShared } from '../../../src/lib/pwa/share';

const ORIGIN = 'https://atelier.test';

/** A CacheStorage holding Responses in Maps, keyed by path (what the handler and share.ts use). */
function memoryCaches(failOpen = false) {
  const stores = new Map<string, Map<string, Response>>();
  const keyOf = (r: RequestInfo | URL) =>
    new URL(typeof r === 'string' ? r : 'url' in r ? r.url : r.href, ORIGIN).pathname;
  const open = async (name: string) => {
    if (failOpen) throw new DOMException('quota', 'QuotaExceededError');
    const m = stores.get(name) ?? new Map<string, Response>();
    stores.set(name, m);
    return {
      put: async (key: RequestInfo | URL, res: Response) => void m.set(keyOf(key), res),
      match: async (key: RequestInfo | URL) => m.get(keyOf(key))?.clone(),
      delete: async (key: RequestInfo | URL) => m.delete(keyOf(key)),
      keys: async () => [...m.keys()].map((k) => new Request(ORIGIN + k)),
    } as unknown as Cache;
  };
  return { stores, caches: { open } as unknown as CacheStorage };
}

/** Loads the service worker script with a fake `self`; returns its fetch handler. */
function serviceWorker(caches: CacheStorage) {
  let handler: ((e: { request: Request; respondWith(r: Promise<Response>): void }) => void) | null = null;
  const self = {
    location: { origin: ORIGIN },
    caches,
    crypto: globalThis.crypto,
    addEventListener: (type: string, fn: typeof handler) => {
      if (type === 'fetch') handler = fn;
    },
  };
  new Function('self', readFileSync('public/share-target.js', 'utf8'))(self);
  return async (request: Request): Promise<Response | null> => {
    let answer: Promise<Response> | null = null;
    handler!({ request, respondWith: (r) => (answer = r) });
    return answer;
  };
}

function share(fields: Record<string, string>, files: File[]): Request {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('images', f);
  return new Request(`${ORIGIN}/share-target`, { method: 'POST', body: form });
}

const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], 'Hafen am Abend.png', {
  type: 'image/png',
});
const webp = new File([new Uint8Array([0x52, 0x49, 0x46, 0x46, 9])], 'b.webp', { type: 'image/webp' });

describe('sharing images with the installed app (public/share-target.js + pwa/share.ts)', () => {
  it('keeps the shared files and text, opens the app on them, and hands them over once', async () => {
    const { stores, caches } = memoryCaches();
    const sw = serviceWorker(caches);
    const res = (await sw(share({ title: 'Harbour', text: 'make it dusk' }, [png, webp])))!;
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(`${ORIGIN}/`);
    const id = to.searchParams.get('shared')!;
    expect(id).toMatch(/^[\w-]+$/);

    const got = await takeShared(id, caches);
    if (!got.ok) throw new Error(got.message);
    expect(got.files.map((f) => [f.name, f.type])).toEqual([
      ['Hafen am Abend.png', 'image/png'],
      ['b.webp', 'image/webp'],
    ]);
    expect([...new Uint8Array(await got.files[0]!.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    expect(got.text).toBe('Harbour\nmake it dusk');
    // Taken once: the cache is empty, and opening the same link again says the share is gone.
    expect(stores.get(SHARED_CACHE)!.size).toBe(0);
    const again = await takeShared(id, caches);
    expect(again).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no longer here.*Share them again/),
    });
  });

  it('is what the manifest announces: a multipart POST of the editor’s image types to this handler', async () => {
    const target = WEB_APP_MANIFEST.share_target;
    expect(target).toMatchObject({ action: '/share-target', method: 'POST', enctype: 'multipart/form-data' });
    expect(target.params.files.map((f) => f.name)).toEqual(['images']);
    expect(target.params.files[0]!.accept).toEqual(
      expect.arrayContaining([...Object.keys(OPENABLE_TYPES), '.png', '.jpg', '.jpeg', '.webp']),
    );
    const sw = serviceWorker(memoryCaches().caches);
    const form = new FormData();
    form.append(target.params.files[0]!.name, png);
    const res = await sw(new Request(ORIGIN + target.action, { method: target.method, body: form }));
    expect(res?.status).toBe(303);
  });

  it('leaves every other request to the rest of the service worker', async () => {
    const sw = serviceWorker(memoryCaches().caches);
    expect(await sw(new Request(`${ORIGIN}/share-target`))).toBeNull();
    expect(await sw(new Request(`${ORIGIN}/v1/images`, { method: 'POST', body: 'x' }))).toBeNull();
    expect(
      await sw(new Request('https://elsewhere.test/share-target', { method: 'POST', body: 'x' })),
    ).toBeNull();
  });

  it('drops shares never opened for a day when the next one comes', async () => {
    const { stores, caches } = memoryCaches();
    const old = await caches.open(SHARED_CACHE);
    const dayAgo = String(Date.now() - 25 * 60 * 60 * 1000);
    await old.put('/__shared/old/0', new Response('x', { headers: { 'x-shared-at': dayAgo } }));
    await old.put(
      '/__shared/old/meta',
      new Response('{"files":1,"text":""}', { headers: { 'x-shared-at': dayAgo } }),
    );
    const sw = serviceWorker(caches);
    const id = new URL((await sw(share({}, [png])))!.headers.get('location')!).searchParams.get('shared')!;
    expect([...stores.get(SHARED_CACHE)!.keys()].sort()).toEqual([
      `/__shared/${id}/0`,
      `/__shared/${id}/meta`,
    ]);
  });

  it('says plainly when the files could not be kept, or the link is not a share', async () => {
    const sw = serviceWorker(memoryCaches(true).caches);
    const res = (await sw(share({}, [png])))!;
    expect(new URL(res.headers.get('location')!).searchParams.get('shared')).toBe(SHARE_FAILED);
    expect(await takeShared(SHARE_FAILED, memoryCaches().caches)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/could not keep the shared images.*share them again/),
    });
    expect(await takeShared('../../etc', memoryCaches().caches)).toMatchObject({ ok: false });
    expect(await takeShared('abc', undefined)).toMatchObject({ ok: false });
  });
});
