/* Check-in page: scan a ticket's QR code with the device camera (jsQR, served locally),
   put the code into the ticket field and submit the ordinary form. Without a camera the
   field and the name list still work. */
(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  var start = document.getElementById("camera-start");
  var box = document.getElementById("camera");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var status = document.getElementById("camera-status");
  var field = form ? form.querySelector("[name=token]") : null;
  if (!form || !start || !field || !window.jsQR || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  start.hidden = false;
  var stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function scan() {
    if (!stream) {
      return;
    }
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        field.value = code.data;
        status.textContent = start.dataset.found || "";
        stop();
        if (form.requestSubmit) {
          form.requestSubmit();  // through the submit handlers: offline, the tick is kept on the phone
        } else {
          form.submit();
        }
        return;
      }
    }
    window.requestAnimationFrame(scan);
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        box.hidden = false;
        video.srcObject = media;
        video.play();
        window.requestAnimationFrame(scan);
      })
      .catch(function (error) {
        box.hidden = false;
        status.textContent = (start.dataset.error || "") + " " + error.name;
      });
  });
  window.addEventListener("pagehide", stop);
}());
