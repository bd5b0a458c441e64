// Small helpers shared by the pages with a socket (live class, learning group, remote assist).
// The socket itself, resume and client ids are realtime.js's.
window.ChatCommon = (function () {
  "use strict";
  return {
    // Fills Django-style named placeholders: fmt("%(name)s joined", {name: "刘"}).
    fmt: function (text, values) {
      return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
    },
    csrf: function () {
      var field = document.querySelector("[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    },
    // Every button carries words, never an icon alone.
    button: function (label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button";
      b.textContent = label;
      b.addEventListener("click", onClick);
      return b;
    },
  };
})();
