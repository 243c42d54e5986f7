// Reply templates fill the reply box at once; without JavaScript the "填入" button reloads the
// page with the template in the box instead.
(function () {
  "use strict";
  const pick = document.getElementById("template-pick");
  const box = document.getElementById("reply_body");
  if (!pick || !box) return;
  document.getElementById("template-apply").hidden = true;
  pick.addEventListener("change", function () {
    const option = pick.selectedOptions[0];
    if (!option || !option.dataset.body) return;
    if (box.value.trim() && !window.confirm(pick.dataset.confirm || "替换已填写的内容？")) return;
    box.value = option.dataset.body;
    box.focus();
  });
})();
