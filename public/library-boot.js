/*
 * Atelier: opening on the library (#library), its first screen's thumbnails are painted here, before the app's
 * code has loaded, from what localStorage holds: the recent record and the layout the gallery recorded (see
 * src/lib/library/boot.ts, which also says which keys; tests/unit/library/boot.test.ts checks they agree). A
 * file of its own rather than inline: the Content-Security-Policy allows only the site's own scripts.
 */
(function () {
  try {
    if (location.hash !== '#library') return;
    var s = localStorage;
    var layout = JSON.parse(s.getItem('atelier.library.boot.v1') || 'null');
    var recent = JSON.parse(s.getItem('atelier.library.recent.v2') || 'null');
    if (!layout || !recent || !recent.items || layout.w !== innerWidth || layout.h !== innerHeight) return;
    var box = document.createElement('div');
    box.id = 'library-boot';
    box.setAttribute('aria-hidden', 'true');
    box.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;z-index:5';
    var add = function (i, first) {
      var thumb = recent.items[i].thumb;
      var url = thumb && s.getItem('atelier.library.thumb.' + thumb.hash);
      if (!url) return;
      var c = layout.cells[i];
      var img = document.createElement('img');
      img.src = url;
      img.alt = '';
      img.setAttribute('elementtiming', 'gallery-thumb');
      if (first) img.setAttribute('data-first', '');
      // A thumbnail pressed before the gallery is there: the gallery opens that item when it takes over.
      img.addEventListener('click', function () {
        box.setAttribute('data-open', String(i));
      });
      img.style.cssText =
        'position:absolute;object-fit:cover;border-radius:8px;pointer-events:auto;cursor:pointer;left:' +
        c[0] +
        'px;top:' +
        c[1] +
        'px;width:' +
        c[2] +
        'px;height:' +
        c[3] +
        'px';
      box.appendChild(img);
    };
    var n = Math.min(layout.cells.length, recent.items.length);
    // The first row now, the rest a frame later: a frame waits for every thumbnail in it to be decoded.
    var i = 0;
    while (i < n && layout.cells[i][1] === layout.cells[0][1]) add(i++, true);
    requestAnimationFrame(function () {
      setTimeout(function () {
        box.setAttribute('data-shown', ''); // a frame with the first row has gone by
        for (var j = i; j < n; j++) add(j, false);
      }, 0);
    });
    document.body.appendChild(box);
    var gone = function () {
      box.remove();
    };
    addEventListener('hashchange', gone, { once: true });
    setTimeout(gone, 5000);
  } catch {
    // No picture: the gallery shows itself as usual.
  }
})();
