// Keyboard shortcuts for the dispatch dashboard. Everything here is also reachable with the
// mouse and plain forms; the keys only save a dispatch officer's time over hundreds of cases.
(function () {
  "use strict";
  const queues = { t: "triage", r: "returns", e: "extensions", d: "duplicates", o: "overdue", s: "supervised" };
  let current = -1;
  let awaitingQueue = false;

  function rows() {
    return Array.from(document.querySelectorAll("#queue tr[data-row]"));
  }

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === current));
    all[current].focus();
  }

  function selectedRow() {
    const all = rows();
    return current >= 0 && current < all.length ? all[current] : null;
  }

  function press(key) {
    const row = selectedRow();
    const button = row && row.querySelector(`button[data-key="${key}"]`);
    if (button) button.click();
  }

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches("input, textarea, select") || target.isContentEditable) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (awaitingQueue) {
      awaitingQueue = false;
      const queue = queues[event.key];
      const tab = queue && document.querySelector(`#desk-tabs a[data-tab="${queue}"]`);
      if (tab) {
        event.preventDefault();
        window.location.href = tab.href;
      }
      return;
    }
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "g": awaitingQueue = true; break;
      case "/": document.getElementById("find-number").focus(); break;
      case "Enter": {
        const link = selectedRow() && selectedRow().querySelector("a[data-open]");
        if (!link) return;
        window.location.href = link.href;
        break;
      }
      case "1": case "2": case "3": case "u": case "a": case "m": press(event.key); break;
      default: return;
    }
    event.preventDefault();
  });
})();
