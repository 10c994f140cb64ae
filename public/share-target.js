/*
 * Atelier's share target, imported by the service worker (vite.config.ts: workbox.importScripts). An installed
 * Atelier appears in the system's Share sheet for images (the manifest's share_target, src/lib/pwa/manifest.ts);
 * the browser then POSTs the shared files to /share-target as a form. There is no server to receive it: this
 * handler keeps the files in a cache of their own and answers with a redirect to /?shared=ID, where the app
 * takes them out (src/lib/pwa/share.ts) and puts them in the editor's source images. The names below are the
 * app's too; tests/unit/pwa/share-target.test.ts runs this file against share.ts.
 */
(function () {
  var CACHE = 'atelier-shared-v1';
  var ACTION = '/share-target';
  var PREFIX = '/__shared/';
  /** Shares older than this that were never opened are dropped with the next one. */
  var STALE_MS = 24 * 60 * 60 * 1000;

  function newId() {
    var bytes = new Uint8Array(8);
    self.crypto.getRandomValues(bytes);
    var out = Date.now().toString(36) + '-';
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] + 256).toString(16).slice(1);
    return out;
  }

  function dropStale(cache) {
    return cache.keys().then(function (requests) {
      var now = Date.now();
      return Promise.all(
        requests.map(function (req) {
          return cache.match(req).then(function (res) {
            var at = Number(res && res.headers.get('x-shared-at'));
            if (!at || now - at > STALE_MS) return cache.delete(req);
          });
        }),
      );
    });
  }

  function keep(form) {
    var id = newId();
    var at = String(Date.now());
    var files = form.getAll('images').filter(function (f) {
      return typeof f === 'object' && f !== null && typeof f.arrayBuffer === 'function';
    });
    var text = ['title', 'text', 'url']
      .map(function (k) {
        var v = form.get(k);
        return typeof v === 'string' ? v.trim() : '';
      })
      .filter(Boolean)
      .join('\n');
    return self.caches.open(CACHE).then(function (cache) {
      return dropStale(cache)
        .then(function () {
          var writes = files.map(function (file, n) {
            return cache.put(
              PREFIX + id + '/' + n,
              new Response(file, {
                headers: {
                  'content-type': file.type || 'application/octet-stream',
                  'x-file-name': encodeURIComponent(file.name || 'shared image'),
                  'x-shared-at': at,
                },
              }),
            );
          });
          writes.push(
            cache.put(
              PREFIX + id + '/meta',
              new Response(JSON.stringify({ files: files.length, text: text }), {
                headers: { 'content-type': 'application/json', 'x-shared-at': at },
              }),
            ),
          );
          return Promise.all(writes);
        })
        .then(function () {
          return id;
        });
    });
  }

  self.addEventListener('fetch', function (event) {
    var req = event.request;
    var url = new URL(req.url);
    if (req.method !== 'POST' || url.origin !== self.location.origin || url.pathname !== ACTION) return;
    event.respondWith(
      req
        .formData()
        .then(keep)
        .then(
          function (id) {
            return Response.redirect(
              new URL('/?shared=' + encodeURIComponent(id), self.location.origin).href,
              303,
            );
          },
          function () {
            // Unreadable, or no room to keep the files: the app says so and that they can be shared again.
            return Response.redirect(new URL('/?shared=failed', self.location.origin).href, 303);
          },
        ),
    );
  });
})();
