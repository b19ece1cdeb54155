// Progressive enhancement of the verification page: the plain form works without any of this.
// Drag-and-drop a file, scan a QR code with the camera (BarcodeDetector or jsQR), print the report.
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

  // Where the browser has no BarcodeDetector (Firefox, Safari, Chrome on Windows and Linux), the
  // vendored jsQR decoder (vendor/README.md) reads the camera's frames through a canvas instead.
  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      const script = document.createElement("script");
      script.src = "/static/verifier/vendor/jsQR.js";
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function makeDecoder(video) {
    if ("BarcodeDetector" in window) {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async function () {
        const codes = await detector.detect(video).catch(function () { return []; });
        return codes.length > 0 ? codes[0].rawValue : null;
      };
    }
    const decode = await loadJsQR();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async function () {
      if (!video.videoWidth) { return null; }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = decode(frame.data, frame.width, frame.height);
      return code ? code.data : null;
    };
  }

  function submitScanned(raw) {
    const value = raw.trim();
    if (/^https?:\/\//i.test(value)) {
      document.getElementById("url").value = value;
    } else {
      document.getElementById("credential").value = value;
    }
    form.submit();
  }

  const scan = document.getElementById("scan");
  if (scan && form && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scan.hidden = false;
    const video = document.getElementById("scan-video");
    const status = document.getElementById("scan-status");
    document.getElementById("scan-start").addEventListener("click", async function () {
      let stream;
      let decode;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        decode = await makeDecoder(video);
      } catch (error) {
        status.textContent = scan.dataset.failed;
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      status.textContent = scan.dataset.looking;
      await video.play();
      const timer = window.setInterval(async function () {
        const value = await decode();
        if (!value) {
          return;
        }
        window.clearInterval(timer);
        stream.getTracks().forEach(function (track) { track.stop(); });
        submitScanned(value);
      }, 250);
    });
  }

  const print = document.getElementById("print-report");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
