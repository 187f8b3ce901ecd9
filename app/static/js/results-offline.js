/* Trip results on the spot, without a connection: the counts are kept in IndexedDB with a key
   (PraktikaQueue) and sent when the connection is back. The same key sent again is one update; per
   service the latest entry stands, and the page then says who wrote each count last. */
(function () {
  "use strict";
  var form = document.getElementById("results-form");
  var dataNode = document.getElementById("results-offline-data");
  var box = document.getElementById("offline-results");
  var queue = window.PraktikaQueue;
  if (!form || !dataNode || !box || !queue || !queue.user) {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var scope = "trip-" + data.event_id;

  function render() {
    queue.all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.kind === "results" && e.scope === scope; });
      box.textContent = "";
      mine.forEach(function (entry) {
        var line = document.createElement("p");
        line.className = "mb-1 results-entry";
        line.dataset.state = entry.state;
        line.textContent = entry.state === "waiting" ? box.dataset.kept : box.dataset.refused + " " + entry.message;
        box.appendChild(line);
      });
      box.hidden = mine.length === 0;
    });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) {
      return;
    }
    event.preventDefault();
    var counts = {};
    data.services.forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (field && field.value.trim() !== "") {
        counts[name] = /^\d+$/.test(field.value.trim()) ? parseInt(field.value.trim(), 10) : field.value.trim();
      }
    });
    var notes = form.querySelector("[name=notes]");
    var body = { client_key: queue.uuid(), recorded_at: new Date().toISOString(), counts: counts,
                 notes: notes ? notes.value : "" };
    queue.add({ kind: "results", url: data.sync_url, body: body, scope: scope, label: "" }).then(render);
  });

  document.addEventListener("praktika-queue", function (event) {
    var sent = (event.detail && event.detail.sent) || [];
    if (sent.some(function (r) { return r.outcome === "sent"; }) && navigator.onLine && !box.dataset.reloaded) {
      box.dataset.reloaded = "1";
      window.location.reload();  // the counts that stand now, with who wrote each last
      return;
    }
    render();
  });
  render();
}());
