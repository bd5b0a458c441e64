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
    // Where the chat resumes from: the highest seq up to which every message has been seen,
    // never simply the highest seen. The channel layer drops a message when a queue is
    // full, so a message past a hole asks the server (askFrom) for what follows the hole.
    resume: function (askFrom) {
      var upTo = 0, ahead = new Set(), syncing = false;
      return {
        // For the hello: from here, and no more asking until the server says it is synced.
        hello: function () { syncing = true; return upTo; },
        seen: function (seq) {
          if (seq <= upTo) { return; }
          ahead.add(seq);
          while (ahead.has(upTo + 1)) { ahead.delete(upTo + 1); upTo += 1; }
          if (ahead.size && !syncing) { askFrom(this.hello()); }
        },
        synced: function (lastSeq) {
          syncing = false;
          upTo = Math.max(upTo, lastSeq);
          ahead.forEach(function (seq) { if (seq <= upTo) { ahead.delete(seq); } });
          if (ahead.size) { askFrom(this.hello()); }
        },
        reset: function () { upTo = 0; ahead.clear(); syncing = false; },
        upTo: function () { return upTo; },
      };
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
