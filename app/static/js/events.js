// Event pages: "Add a day" clones the last session row in the browser (the server-side
// button still works without JavaScript). Destructive buttons ask on a confirmation page (app.routing.confirmation).
(function () {
  "use strict";

  function nextDay(value) {
    if (!value) { return ""; }
    var parts = value.split("-").map(Number);
    var date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + 1));
    return date.toISOString().slice(0, 10);
  }

  function renumber(row, index) {
    var pattern = /sessions-\d+-/g;
    var replacement = "sessions-" + index + "-";
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(pattern, replacement)); }
      });
    });
  }

  function addSession(event) {
    var container = document.querySelector("[data-session-rows]");
    if (!container) { return; }
    var rows = container.querySelectorAll("[data-session-row]");
    var last = rows[rows.length - 1];
    if (!last) { return; }
    event.preventDefault();
    var highest = -1;
    container.querySelectorAll("[name^='sessions-']").forEach(function (el) {
      var match = /^sessions-(\d+)-/.exec(el.getAttribute("name"));
      if (match) { highest = Math.max(highest, Number(match[1])); }
    });
    var index = highest + 1;
    var clone = last.cloneNode(true);
    renumber(clone, index);
    clone.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    clone.querySelectorAll(".is-invalid").forEach(function (el) {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    var day = clone.querySelector("[name='sessions-" + index + "-day']");
    if (day) { day.value = nextDay(day.value); }
    var id = clone.querySelector("[name='sessions-" + index + "-id']");
    if (id) { id.value = ""; }
    var title = clone.querySelector("[name='sessions-" + index + "-title']");
    if (title) { title.value = ""; }
    var legend = clone.querySelector("legend");
    var number = rows.length + 1;
    if (legend) { legend.textContent = legend.textContent.replace(/\d+/, String(number)); }
    var remove = clone.querySelector("[data-remove-session]");
    if (remove) { remove.remove(); }
    container.appendChild(clone);
    if (day) { day.focus(); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-add-session]");
    if (target) { addSession(event); }
  });
}());
