// A box above each long list of departments (select[data-filter]) that narrows it as one types.
// Without JavaScript the list is a plain select; with it, chosen options always stay visible.
(function () {
  "use strict";
  // The typed characters in order, not necessarily together: 城管 finds 城市管理和综合执法局,
  // 交警 finds 交通警察支队, as people shorten these names.
  function matches(text, query) {
    let at = 0;
    for (const ch of query) {
      at = text.indexOf(ch, at);
      if (at < 0) return false;
      at += ch.length;
    }
    return true;
  }

  function attach(select) {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    box.addEventListener("input", function () {
      const query = box.value.trim().toLowerCase();
      Array.from(select.options).forEach(function (option) {
        const keep =
          option.value === "" ||
          (!option.dataset.excluded && (!query || option.selected || matches(option.text.toLowerCase(), query)));
        option.hidden = !keep;
      });
    });
    // Enter in the box must not submit the form.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    select.parentNode.insertBefore(box, select);
    // The line under a list of several choices (ChosenSelectMultiple) names what is chosen now.
    const chosen = select.multiple && document.getElementById(select.id + "_chosen");
    if (chosen) {
      select.addEventListener("change", function () {
        const names = Array.from(select.selectedOptions).map(function (option) { return option.text; });
        chosen.textContent = chosen.dataset.prefix + (names.length ? names.join(chosen.dataset.separator) : chosen.dataset.none);
      });
    }
    if (select.dataset.follows) follow(select, box);
  }

  // A select whose options name the departments they belong to (data-departments) offers only
  // those of the department chosen in the field it follows; a choice that no longer fits is cleared.
  function follow(select, box) {
    const leader = select.form && select.form.elements[select.dataset.follows];
    if (!leader) return;
    function narrow() {
      const chosen = leader.value;
      Array.from(select.options).forEach(function (option) {
        if (option.value === "") return;
        const fits = !chosen || (option.dataset.departments || "").split(" ").indexOf(chosen) >= 0;
        if (fits) delete option.dataset.excluded;
        else option.dataset.excluded = "1";
        if (!fits && option.selected) select.value = "";
      });
      box.dispatchEvent(new Event("input"));
    }
    leader.addEventListener("change", narrow);
    narrow();
  }
  document.querySelectorAll("select[data-filter]").forEach(attach);
})();
