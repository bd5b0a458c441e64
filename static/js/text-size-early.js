// Loaded in <head> without defer: applies the remembered text size before the first paint,
// so the page never jumps (site.js wires up the buttons later). A file rather than an inline
// script, which the Content-Security-Policy forbids.
(function () {
  try {
    var size = localStorage.getItem("textSize");
    if (size) { document.documentElement.dataset.textSize = size; }
  } catch (e) { /* private mode: the standard size */ }
})();
