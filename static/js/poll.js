// Follows a background job on its own page (a list import, an impact preview) until it ends, then
// reloads the page to show the result. The box says where to ask and what to show:
// data-status-url (answers JSON), data-poll-state (the element for the progress text),
// data-poll-label / data-poll-done (the JSON keys of the label and of the count done so far),
// data-poll-every (milliseconds between asks). Kept out of the pages so the CSP allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("[data-status-url][data-poll-state]").forEach(function (box) {
    var every = parseInt(box.dataset.pollEvery || "1000", 10);
    function poll() {
      fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var progress = document.getElementById("progress");
          if (progress) { progress.value = data.percent; }
          var state = document.getElementById(box.dataset.pollState);
          var done = data[box.dataset.pollDone || "done"];
          state.textContent = data[box.dataset.pollLabel || "label"] + (data.total ? " · " + done + "/" + data.total : "");
          if (data.status === "done" || data.status === "failed") { window.location.reload(); } else { setTimeout(poll, every); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();
