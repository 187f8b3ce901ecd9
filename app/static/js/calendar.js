// Copy buttons for the personal calendar address on /me (no inline JS: CSP).
(function () {
  "use strict";

  function announce(key) {
    var status = document.getElementById("calendar-copy-status");
    if (status) {
      status.textContent = status.dataset[key] || "";
    }
  }

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) {
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { announce("copied"); },
        function () { announce(fallbackCopy(input) ? "copied" : "failed"); }
      );
    } else {
      announce(fallbackCopy(input) ? "copied" : "failed");
    }
  });
})();
