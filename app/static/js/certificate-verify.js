/* Verify page: count one verification when a visitor (not the holder) sees the details.
   A POST with the page's CSRF token, so that opening the page (a GET) writes nothing. */
(function () {
  "use strict";
  var box = document.getElementById("verify-seen");
  if (!box || !window.fetch) {
    return;
  }
  var body = new URLSearchParams();
  body.set("csrf_token", box.dataset.csrf);
  body.set("c", box.dataset.code);
  fetch(box.dataset.url, {method: "POST", body: body, credentials: "same-origin",
                          headers: {"Accept": "application/json"}}).catch(function () {});
}());
