/* Praktika's service worker (Workbox 7, served from /static/vendor/workbox/: no CDN).
   - The shell (styles, scripts, icons, the offline page) is kept on install.
   - The pages that work offline (my page with tickets, my quotas and the consultation form, check-in and
     trip results) are network-first: the fresh page when there is a connection, the last one kept when not.
   - Any other page without a connection shows /offline, which says what works.
   - Offline entries live in IndexedDB (the pages' own queues); a send that fails is also queued by
     Workbox background sync and replayed when the connection is back. The server dedupes by key.
   - Logging out empties the kept pages: another user never sees them. */
importScripts("/static/vendor/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/static/vendor/workbox/", debug: false });

var PAGES = "praktika-pages";
var OFFLINE_URL = "/offline";

workbox.core.setCacheNameDetails({ prefix: "praktika" });
self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute({{ precache|tojson }});

var OFFLINE_PAGES = [
  /^\/me$/,
  /^\/quotas$/,
  /^\/quotas\/\d+$/,
  /^\/quotas\/\d+\/consultations\/new$/,
  /^\/manage\/events\/\d+\/check-in$/,
  /^\/manage\/events\/\d+\/sessions\/\d+\/check-in$/,
  /^\/manage\/events\/\d+\/results$/,
  /^\/events\/\d+\/registrations\/\d+\/ticket$/
];

var pages = new workbox.strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: 5,
  plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })]
});

workbox.routing.registerRoute(function (options) {
  return options.request.mode === "navigate" && OFFLINE_PAGES.some(function (pattern) {
    return pattern.test(options.url.pathname);
  });
}, function (options) {
  return pages.handle(options).then(function (response) {
    return response || caches.match(OFFLINE_URL);
  }).catch(function () {
    return caches.match(options.request, { cacheName: PAGES, ignoreSearch: true }).then(function (kept) {
      return kept || workbox.precaching.matchPrecache(OFFLINE_URL);
    });
  });
});

workbox.routing.registerRoute(function (options) {
  return options.request.mode === "navigate";
}, new workbox.strategies.NetworkOnly());

workbox.routing.registerRoute(function (options) {
  return options.url.pathname.indexOf("/static/") === 0 || options.url.pathname.indexOf("/bootstrap/static/") === 0;
}, new workbox.strategies.StaleWhileRevalidate({ cacheName: "praktika-static" }));

/* Sends of offline entries: when one fails for want of a connection, Workbox keeps it and replays it
   on the next `sync` (where the browser supports Background Sync). The page's own queue stays until
   the server has answered it, so a replay and a later resend are one entry (the key). */
var replay = new workbox.backgroundSync.BackgroundSyncPlugin("praktika-sync", { maxRetentionTime: 7 * 24 * 60 });
workbox.routing.registerRoute(function (options) {
  return /\/sync$/.test(options.url.pathname);
}, new workbox.strategies.NetworkOnly({ plugins: [replay] }), "POST");

/* Logging out: forget the kept pages (another user may sign in on this phone next). */
workbox.routing.registerRoute(function (options) {
  return options.url.pathname === "/auth/logout";
}, function (options) {
  return caches.delete(PAGES).then(function () {
    return fetch(options.request);
  });
}, "POST");

workbox.routing.setCatchHandler(function (options) {
  if (options.request.destination === "document") {
    return workbox.precaching.matchPrecache(OFFLINE_URL);
  }
  return Response.error();
});

self.addEventListener("message", function (event) {
  if (event.data === "forget-pages") {
    event.waitUntil(caches.delete(PAGES));
  }
});
