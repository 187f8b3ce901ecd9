/* Forms marked .keeps-scroll (the check-in list's ticks) bring the page back where it was after the
   round trip, so a long list on a phone does not jump. Without JavaScript the server's redirect to
   the row's #anchor does nearly the same; with it, the row comes back to the very spot it was
   clicked at, whatever the browser's own jump to the anchor did. */
(function () {
  "use strict";
  var key = "keep-scroll:" + window.location.pathname;
  var saved = window.sessionStorage.getItem(key);
  if (saved !== null) {
    window.sessionStorage.removeItem(key);
    var spot = JSON.parse(saved);
    var restore = function () {
      var row = spot.row ? document.getElementById(spot.row) : null;
      if (row) {
        window.scrollBy(0, row.getBoundingClientRect().top - spot.top);
      } else {
        window.scrollTo(0, spot.y);
      }
    };
    if (window.location.hash) {
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    restore();
    window.addEventListener("load", function () { window.setTimeout(restore, 0); });
  }
  document.querySelectorAll("form.keeps-scroll").forEach(function (form) {
    form.addEventListener("submit", function () {
      var row = form.closest("[id]");
      window.sessionStorage.setItem(key, JSON.stringify({
        y: window.scrollY,
        row: row ? row.id : null,
        top: row ? row.getBoundingClientRect().top : 0
      }));
    });
  });
})();
