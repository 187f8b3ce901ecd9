// Copy buttons for the personal calendar address on /me (no inline JS: CSP). The button itself says
// "Copied ✓" for a moment and the status line below says it in words, so the copy is seen and heard.
(function () {
  "use strict";

  function announce(key) {
    var status = document.getElementById("calendar-copy-status");
    if (status) {
      status.textContent = status.dataset[key] || "";
    }
  }

  function showCopied(button) {
    var label = button.dataset.originalLabel || button.textContent;
    button.dataset.originalLabel = label;
    button.textContent = button.dataset.copiedLabel || label;
    button.classList.add("btn-success");
    button.classList.remove("btn-outline-secondary");
    window.setTimeout(function () {
      button.textContent = label;
      button.classList.remove("btn-success");
      button.classList.add("btn-outline-secondary");
    }, 2500);
  }

  function done(button, copied) {
    announce(copied ? "copied" : "failed");
    if (copied) {
      showCopied(button);
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
        function () { done(button, true); },
        function () { done(button, fallbackCopy(input)); }
      );
    } else {
      done(button, fallbackCopy(input));
    }
  });
})();
