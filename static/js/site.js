// Text-size control: 标准 / 大 / 特大, remembered on this device.
(function () {
  "use strict";
  var root = document.documentElement;
  var buttons = document.querySelectorAll(".text-size button[data-text-size]");

  function show(size) {
    root.dataset.textSize = size;
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.textSize === size));
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var size = button.dataset.textSize;
      show(size);
      try { localStorage.setItem("textSize", size); } catch (e) { /* private mode: size lasts for this page only */ }
    });
  });
  show(root.dataset.textSize || "standard");
})();
