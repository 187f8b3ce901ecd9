/* Entries made without a connection (consultations, check-ins, trip results), kept in IndexedDB
   (idb-keyval, vendored) per signed-in user until the server has answered them: never only in memory
   or in the HTTP cache, so closing the page or clearing the browser's cache loses nothing.
   Each entry has a client-made key (UUID); the server keeps it, so sending twice is one entry.
   window.PraktikaQueue: add, all, remove, flush; pages listen to the "praktika-queue" event. */
(function () {
  "use strict";
  var store = window.idbKeyval;
  var indicator = document.getElementById("offline-indicator");
  var user = indicator ? indicator.dataset.user : "";
  var csrf = indicator ? indicator.dataset.csrf : "";
  var QUEUE = "praktika-queue:" + user;
  var flushing = null;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function announce(detail) {
    document.dispatchEvent(new CustomEvent("praktika-queue", { detail: detail || {} }));
  }

  function all() {
    if (!store || !user) {
      return Promise.resolve([]);
    }
    return store.get(QUEUE).then(function (entries) { return entries || []; });
  }

  function change(fn) {
    return store.update(QUEUE, function (entries) { return fn(entries || []); });
  }

  /* entry: {kind, url, body (JSON, with client_key), label, scope}; kept as "waiting". */
  function add(entry) {
    entry.key = entry.body.client_key;
    entry.state = "waiting";
    entry.message = "";
    entry.created = new Date().toISOString();
    return change(function (entries) { return entries.concat([entry]); }).then(function () {
      announce({ added: entry });
      return entry;
    });
  }

  function remove(key) {
    return change(function (entries) { return entries.filter(function (e) { return e.key !== key; }); })
      .then(function () { announce({ removed: key }); });
  }

  function settle(key, state, message, answer) {
    return change(function (entries) {
      return entries.map(function (e) {
        if (e.key === key) {
          e.state = state;
          e.message = message;
          e.answer = answer || null;
        }
        return e;
      });
    });
  }

  function reasons(body) {
    var parts = [];
    if (body && body.fields) {
      Object.keys(body.fields).forEach(function (name) { parts = parts.concat(body.fields[name]); });
    }
    return parts.length ? parts.join(" ") : (body && body.error) || "";
  }

  /* One entry to the server. Resolves with {key, outcome, message, answer}; outcome is "sent" (the server
     has it: remove), "merged" (a check-in someone else had made: kept to be shown), "refused" or "flagged"
     (kept, with the reason, for the person to decide) or "waiting"
     (no connection, or the server could not answer: try again later). */
  function send(entry) {
    var body = entry.kind === "checkin" ? { entries: [entry.body] } : entry.body;
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (entry.kind === "checkin" && response.ok) {
          var result = (answer.results || [])[0] || {};
          if (result.state === "done") {
            return { key: entry.key, outcome: "sent", message: result.message, answer: result };
          }
          if (result.state === "merged") {  // kept to be shown: someone else had checked the person in
            return { key: entry.key, outcome: "merged", message: result.message, answer: result };
          }
          return { key: entry.key, outcome: result.state === "flagged" ? "flagged" : "refused",
                   message: result.message || reasons(answer), answer: result };
        }
        if (response.ok) {
          return { key: entry.key, outcome: "sent", message: "", answer: answer };
        }
        if (response.status === 422 || response.status === 404 || response.status === 409) {
          return { key: entry.key, outcome: "refused", message: reasons(answer), answer: answer };
        }
        return { key: entry.key, outcome: "waiting", message: "", answer: null };
      });
    }).catch(function () {
      return { key: entry.key, outcome: "waiting", message: "", answer: null };
    });
  }

  /* Send every waiting entry of this user, one after another; announce what became of each. */
  function flush() {
    if (flushing) {
      return flushing;
    }
    if (!navigator.onLine || !user || !csrf) {
      return Promise.resolve([]);
    }
    flushing = all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      var results = [];
      return waiting.reduce(function (chain, entry) {
        return chain.then(function () {
          return send(entry).then(function (result) {
            results.push(result);
            if (result.outcome === "sent") {
              return remove(entry.key);
            }
            if (result.outcome !== "waiting") {
              return settle(entry.key, result.outcome, result.message, result.answer);
            }
            return null;
          });
        });
      }, Promise.resolve()).then(function () {
        announce({ sent: results });
        return results;
      });
    }).finally(function () { flushing = null; });
    return flushing;
  }

  window.PraktikaQueue = { add: add, all: all, remove: remove, flush: flush, uuid: uuid, user: user };
  window.addEventListener("online", flush);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", flush);
  } else {
    flush();
  }
}());
