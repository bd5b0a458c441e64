// Small helpers shared by the live class and the learning group pages.
window.ChatCommon = (function () {
  "use strict";
  return {
    // Fills Django-style named placeholders: fmt("%(name)s joined", {name: "刘"}).
    fmt: function (text, values) {
      return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
    },
    // A message's own id, so a retry is recognised; randomUUID needs a secure context.
    newId: function () {
      if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
      return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
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
