/* The new-consultation form without a connection: the entry is checked on the device (what can be
   checked here: date inside the window and not in the future, format, duration, client, no e-mail or
   phone number in the note), kept in IndexedDB with a key (PraktikaQueue), listed as waiting, and sent
   when the connection is back. One the server refuses comes back here with its reasons.
   With a connection the form posts as always. Texts come from the page (translated by the server). */
(function () {
  "use strict";
  var form = document.getElementById("consultation-form");
  var dataNode = document.getElementById("consultation-offline-data");
  var section = document.getElementById("offline-consultations");
  var list = section ? section.querySelector(".offline-consultation-list") : null;
  var status = document.getElementById("offline-consultation-status");
  var queue = window.PraktikaQueue;
  if (!form || !dataNode || !queue || !queue.user) {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var text = data.messages;
  var EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
  var PHONE = /(?:\+?\d[\s()\-]*){7,}/;  // seven digits or more in a run (dates with dots are left to the server)

  function value(name) {
    var checked = form.querySelector("[name='" + name + "']:checked");
    if (checked) {
      return checked.value;
    }
    var field = form.querySelector("[name='" + name + "']");
    return field && field.type !== "radio" && field.type !== "checkbox" ? field.value : "";
  }

  /* The later of the phone's date and the server's when the page was opened: a phone's clock can be
     behind, and the server checks again anyway. */
  function localToday() {
    var now = new Date();
    var device = new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    return device > data.today ? device : data.today;
  }

  function check(entry) {
    var errors = {};
    if (!entry.date) {
      errors.held_on = text.date_required;
    } else if (entry.date > localToday()) {
      errors.held_on = text.date_future;
    } else if (entry.date < data.starts_on) {
      errors.held_on = text.date_before_window;
    } else if (entry.date > data.deadline) {
      errors.held_on = text.date_after_deadline;
    }
    if (!entry.format) {
      errors.format = text.required;
    }
    if (!(entry.duration_minutes >= 1 && entry.duration_minutes <= 600)) {
      errors.duration_minutes = text.duration;
    }
    if (!entry.client_type) {
      errors.client_type = text.required;
    }
    if (entry.note.length > 500) {
      errors.note = text.note_long;
    } else if (EMAIL.test(entry.note)) {
      errors.note = text.note_email;
    } else if (PHONE.test(entry.note)) {
      errors.note = text.note_phone;
    }
    return errors;
  }

  function clearErrors() {
    form.querySelectorAll(".offline-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (node) {
      node.classList.remove("is-invalid");
      node.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var inputs = form.querySelectorAll("[name='" + name + "']");
      if (!inputs.length) {
        return;
      }
      inputs.forEach(function (input) {
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
      });
      var message = document.createElement("div");
      message.className = "invalid-feedback d-block offline-error";
      message.id = name + "-offline-error";
      message.textContent = errors[name];
      var holder = inputs[0].closest("fieldset") || inputs[0].closest(".mb-3") || inputs[0].parentNode;
      holder.appendChild(message);
      inputs[0].setAttribute("aria-describedby", message.id);
      first = first || inputs[0];
    });
    if (first) {
      first.focus();
    }
  }

  function entryFromForm() {
    var duration = value("duration_minutes").trim();
    return {
      client_key: queue.uuid(),
      date: value("held_on"),
      format: value("format"),
      topic: value("topic") || null,
      duration_minutes: /^\d+$/.test(duration) ? parseInt(duration, 10) : null,
      client_type: value("client_type"),
      is_repeat: form.querySelector("[name='is_repeat']") ? form.querySelector("[name='is_repeat']").checked : false,
      note: value("note").trim()
    };
  }

  function label(body) {
    return body.date + " · " + body.format + " · " + body.duration_minutes + " " + text.minutes;
  }

  function render() {
    queue.all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.kind === "consultation" && e.scope === data.quota_id; });
      list.textContent = "";
      mine.forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "list-group-item offline-consultation";
        item.dataset.key = entry.key;
        item.dataset.state = entry.state;
        var title = document.createElement("span");
        title.textContent = entry.label + " — ";
        var state = document.createElement("strong");
        state.textContent = entry.state === "waiting" ? text.waiting : text.returned;
        item.appendChild(title);
        item.appendChild(state);
        if (entry.message) {
          var reason = document.createElement("div");
          reason.className = "text-danger small offline-reason";
          reason.textContent = entry.message;
          item.appendChild(reason);
        }
        if (entry.state !== "waiting") {
          var discard = document.createElement("button");
          discard.type = "button";
          discard.className = "btn btn-link btn-sm";
          discard.textContent = text.discard;
          discard.addEventListener("click", function () { queue.remove(entry.key); });
          item.appendChild(discard);
        }
        list.appendChild(item);
      });
      section.hidden = mine.length === 0;
    });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) {
      return;  // with a connection the form posts as always
    }
    event.preventDefault();
    clearErrors();
    var body = entryFromForm();
    var errors = check(body);
    if (Object.keys(errors).length) {
      showErrors(errors);
      return;
    }
    queue.add({ kind: "consultation", url: data.sync_url, body: body, label: label(body), scope: data.quota_id })
      .then(function () {
        var keptDate = body.date;
        form.reset();
        form.querySelector("[name='held_on']").value = keptDate;
        status.textContent = text.kept;
        status.hidden = false;
      });
  });

  document.addEventListener("praktika-queue", render);
  render();
}());
