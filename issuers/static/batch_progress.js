// Live progress of a cohort batch: a progressive enhancement of /console/batches/<id>.
// Without JavaScript the page has a "Refresh" link; with it, the counts update in place from
// progress.json, and the page reloads (server-rendered, in the page's language) when the batch's
// state changes, e.g. when it completes.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var root = document.querySelector("[data-progress-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-progress-url");
  var shownState = root.getAttribute("data-state");
  var bar = root.querySelector("progress");

  function show(progress) {
    ["done", "pending", "failed", "issued", "existing"].forEach(function (name) {
      var cell = root.querySelector('[data-count="' + name + '"]');
      if (cell) {
        cell.textContent = String(progress[name]);
      }
    });
    if (bar) {
      bar.max = progress.total;
      bar.value = progress.done;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress unavailable: " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (progress.state !== shownState) {
          window.location.reload();
          return;
        }
        if (!progress.finished) {
          window.setTimeout(poll, POLL_MS);
        }
      })
      .catch(function () {
        // The "Refresh" link still works; try again a little later.
        window.setTimeout(poll, POLL_MS * 5);
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
