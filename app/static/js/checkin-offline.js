/* The check-in page without a connection. The page carries the session's list (names, ticket codes,
   who is checked in); ticks and scans made offline are kept in IndexedDB with a key (PraktikaQueue),
   shown as "not yet sent", and sent when the connection is back. A second tick or scan of the same
   person says when and by whom the first was made. What the server answers is shown here: "merged"
   (someone else had checked the person in: one check-in) and "flagged" (no longer confirmed: nobody is
   checked in, the organiser decides). With a connection the forms post as always. */
(function () {
  "use strict";
  var dataNode = document.getElementById("check-in-data");
  var box = document.getElementById("offline-check-in");
  var status = document.getElementById("offline-check-in-status");
  var queue = window.PraktikaQueue;
  if (!dataNode || !box || !queue || !queue.user) {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var scope = "session-" + data.session_id;
  var byId = {};
  var byTicket = {};
  data.rows.forEach(function (row) {
    byId[row.id] = row;
    byTicket[row.ticket] = row;
  });
  var list = box.querySelector(".checkin-waiting");
  box.querySelector(".checkin-waiting-label").textContent = box.dataset.waiting;

  function say(message) {
    status.textContent = message;
    status.classList.remove("visually-hidden");
    status.className = "alert alert-info";
  }

  function already(row, time, by) {
    return box.dataset.already.replace("{name}", row.name).replace("{time}", time).replace("{by}", by);
  }

  function clock(iso) {
    var moment = new Date(iso);
    return ("0" + moment.getHours()).slice(-2) + ":" + ("0" + moment.getMinutes()).slice(-2);
  }

  function markRow(registrationId, text) {
    var row = document.getElementById("participant-" + registrationId);
    if (!row) {
      return;
    }
    var cell = row.querySelector("td.text-end");
    cell.textContent = "";
    var badge = document.createElement("span");
    badge.className = "badge text-bg-warning not-yet-sent";
    badge.textContent = text;
    cell.appendChild(badge);
  }

  function tick(row, token) {
    return queue.all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.kind === "checkin" && e.scope === scope; });
      if (row && row.checked_in_at) {
        say(already(row, row.time, row.by));
        return;
      }
      var queued = row && mine.filter(function (e) { return e.registration_id === row.id; })[0];
      if (queued) {
        say(already(row, clock(queued.body.at), box.dataset.byThisPhone));
        return;
      }
      var body = { client_key: queue.uuid(), at: new Date().toISOString() };
      if (row) {
        body.registration_id = row.id;
      } else {
        body.token = token;
      }
      return queue.add({ kind: "checkin", url: data.sync_url, body: body, scope: scope,
                         registration_id: row ? row.id : null, label: row ? row.name : box.dataset.unknown })
        .then(function () {
          if (row) {
            markRow(row.id, box.dataset.notSent);
            say(box.dataset.saved.replace("{name}", row.name));
          } else {
            say(box.dataset.unknown);
          }
        });
    });
  }

  document.querySelectorAll("form.check-in-tick").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        return;
      }
      event.preventDefault();
      tick(byId[form.querySelector("[name=registration_id]").value], null);
    });
  });
  var ticketForm = document.getElementById("ticket-form");
  if (ticketForm) {
    ticketForm.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        return;
      }
      event.preventDefault();
      var field = ticketForm.querySelector("[name=token]");
      var token = (field.value || "").trim();
      if (token) {
        tick(byTicket[token] || null, token);
      }
      field.value = "";
    });
  }

  function render() {
    queue.all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.kind === "checkin" && e.scope === scope; });
      list.textContent = "";
      mine.forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "checkin-entry";
        item.dataset.state = entry.state;
        item.dataset.key = entry.key;
        var name = document.createElement("strong");
        name.textContent = entry.label;
        item.appendChild(name);
        var note = document.createElement("span");
        if (entry.state === "waiting") {
          note.textContent = " — " + box.dataset.notSent;
          if (entry.registration_id) {
            markRow(entry.registration_id, box.dataset.notSent);
          }
        } else {
          note.textContent = " — " + (entry.state === "flagged" ? box.dataset.flagged + ": " : "") + entry.message;
        }
        item.appendChild(note);
        if (entry.state !== "waiting") {
          var dismiss = document.createElement("button");
          dismiss.type = "button";
          dismiss.className = "btn btn-link btn-sm";
          dismiss.textContent = box.dataset.dismiss;
          dismiss.addEventListener("click", function () { queue.remove(entry.key); });
          item.appendChild(dismiss);
        }
        list.appendChild(item);
      });
      box.hidden = mine.length === 0;
    });
  }

  document.addEventListener("praktika-queue", function (event) {
    var sent = (event.detail && event.detail.sent) || [];
    var done = sent.some(function (result) { return result.outcome === "sent"; });
    if (done && navigator.onLine && !box.dataset.reloaded) {
      box.dataset.reloaded = "1";
      window.location.reload();  // the list from the server: who is checked in now
      return;
    }
    render();
  });
  render();
}());
