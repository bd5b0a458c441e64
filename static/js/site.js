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

// The header's menu (菜单和字号): folded on a phone, so the page starts on the first screen;
// open on a wide screen, where site.css lays it out as one row and hides its button.
(function () {
  "use strict";
  var menu = document.querySelector(".site-menu");
  if (!menu || !window.matchMedia) { return; }
  // The same query as site.css's: keep the two in step.
  var wide = window.matchMedia("(min-width: 48rem) and (min-height: 32rem)");

  function fit() { menu.open = wide.matches; }

  fit();
  if (wide.addEventListener) { wide.addEventListener("change", fit); } else { wide.addListener(fit); }
})();
