/* Bulk issuance page: poll the job's JSON and move the progress bar until the job is done
   (no inline script: CSP). Without JavaScript the page shows the state at load time. */
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) {
    return;
  }
  var bar = document.getElementById("job-bar");
  var fill = box.querySelector(".job-progress-bar");
  var state = document.getElementById("job-state");
  var counts = document.getElementById("job-counts");
  var left = document.getElementById("job-time-left");
  var errors = document.getElementById("job-errors");

  function show(data) {
    fill.style.width = data.percent + "%";
    fill.textContent = data.percent + "%";
    bar.setAttribute("aria-valuenow", String(data.done + data.failed));
    bar.setAttribute("aria-valuemax", String(data.total));
    state.textContent = data.state_label;
    counts.textContent = data.summary;
    left.textContent = data.time_left;
    if (data.errors.length) {
      errors.textContent = "";
      data.errors.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = (item.name ? item.name + ": " : "") + item.reason;
        errors.appendChild(li);
      });
    }
    box.dataset.state = data.state;
  }

  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.state === box.dataset.doneState) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  fill.style.width = (fill.dataset.percent || "0") + "%";
  if (box.dataset.initialState !== box.dataset.doneState) {
    window.setTimeout(poll, 500);
  }
}());
