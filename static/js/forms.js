// Form feedback: after a refused submission the error summary takes the focus, so a screen
// reader reads what to fix and a phone scrolls to it; a field with a limit (data-counter, and the
// maxlength Django renders) shows how much of it is used. Without JavaScript the summary is still
// at the top of the page and the browser still stops typing at the limit.
(function () {
  "use strict";
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  function attach(field) {
    const limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) return;
    const counter = document.createElement("p");
    counter.className = "help counter";
    counter.id = field.id + "_counter";
    field.parentNode.insertBefore(counter, field.nextSibling);
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);
    function update() {
      // Characters as the server counts them (code points), not UTF-16 units.
      const count = Array.from(field.value).length;
      counter.textContent = field.dataset.counter.replace("%(count)s", count).replace("%(limit)s", limit);
      counter.classList.toggle("near-limit", count > limit * 0.9);
    }
    field.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("[data-counter]").forEach(attach);

  // Too many files, or too many bytes, said when they are picked: the server would drop them
  // and the citizen would have sent them for nothing (config/uploads.py holds the same limits).
  function limitFiles(input) {
    const maxFiles = parseInt(input.dataset.maxFiles, 10);
    const maxBytes = parseInt(input.dataset.maxBytes, 10);
    input.addEventListener("change", function () {
      const files = Array.from(input.files || []);
      const total = files.reduce(function (sum, file) { return sum + file.size; }, 0);
      let problem = "";
      if (files.length > maxFiles) problem = input.dataset.tooMany;
      else if (total > maxBytes) problem = input.dataset.tooLarge;
      input.setCustomValidity(problem);
      if (problem) input.reportValidity();
    });
  }
  document.querySelectorAll("input[type=file][data-max-files]").forEach(limitFiles);
})();
