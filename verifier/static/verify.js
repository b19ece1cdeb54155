// Progressive enhancement of the verification page: the plain form works without any of this.
// Drag-and-drop a file, scan a QR code where the browser has BarcodeDetector, print the report.
"use strict";

(function () {
  const form = document.getElementById("verify-form");
  const dropzone = document.getElementById("dropzone");
  const fileInput = document.getElementById("file");

  if (dropzone && fileInput) {
    dropzone.querySelector(".drop-hint").hidden = false;
    ["dragenter", "dragover"].forEach(function (name) {
      dropzone.addEventListener(name, function (event) {
        event.preventDefault();
        dropzone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      dropzone.addEventListener(name, function () { dropzone.classList.remove("dragging"); });
    });
    dropzone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length > 0) {
        fileInput.files = event.dataTransfer.files;
      }
    });
  }

  const scan = document.getElementById("scan");
  if (scan && form && "BarcodeDetector" in window && navigator.mediaDevices) {
    scan.hidden = false;
    const video = document.getElementById("scan-video");
    const status = document.getElementById("scan-status");
    document.getElementById("scan-start").addEventListener("click", async function () {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (error) {
        status.textContent = error.message;
        return;
      }
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const timer = window.setInterval(async function () {
        const codes = await detector.detect(video).catch(function () { return []; });
        if (codes.length === 0) {
          return;
        }
        window.clearInterval(timer);
        stream.getTracks().forEach(function (track) { track.stop(); });
        const value = codes[0].rawValue.trim();
        if (/^https?:\/\//i.test(value)) {
          document.getElementById("url").value = value;
        } else {
          document.getElementById("credential").value = value;
        }
        form.submit();
      }, 250);
    });
  }

  const print = document.getElementById("print-report");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
