/* Every page: register the service worker (the app works offline), show "Offline — waiting to send: N"
   while there is no connection or entries wait, and forget the kept pages when the user logs out. */
(function () {
  "use strict";
  var indicator = document.getElementById("offline-indicator");
  var queue = window.PraktikaQueue;

  function forgetPages() {
    if (window.caches) {
      window.caches.delete("praktika-pages");
    }
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return null; });
  }
  if (indicator && !indicator.dataset.user) {
    forgetPages();  // signed out (or never in): nobody's pages stay on this device
  }
  document.querySelectorAll("form[action$='/auth/logout']").forEach(function (form) {
    form.addEventListener("submit", forgetPages);
  });

  function show() {
    if (!indicator || !queue) {
      return;
    }
    queue.all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; }).length;
      var refused = entries.filter(function (e) { return e.state === "refused" || e.state === "flagged"; }).length;
      var parts = [];
      if (!navigator.onLine) {
        parts.push(indicator.dataset.offline);
      }
      if (waiting) {
        parts.push(indicator.dataset.waiting.replace("{count}", waiting));
      }
      if (refused) {
        parts.push(indicator.dataset.refused.replace("{count}", refused));
      }
      indicator.textContent = parts.join(" — ");
      indicator.hidden = parts.length === 0;
    });
  }

  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  document.addEventListener("praktika-queue", show);
  show();
}());
