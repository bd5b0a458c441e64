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
    // A message's time as people say it, in the reader's own time zone: "今天 14:05",
    // "昨天 14:05", "12月3日 14:05", with the year when it is not this year. `words` are the
    // page's translations (classes/groups/strings.py, message_time_words); `now` is for tests.
    timeLabel: function (date, words, now) {
      now = now || new Date();
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      var time = two(date.getHours()) + ":" + two(date.getMinutes());
      // Calendar days, not 24-hour spans: 23:50 yesterday is 昨天 even at 00:10.
      var dayOf = function (d, back) { return new Date(d.getFullYear(), d.getMonth(), d.getDate() - (back || 0)).getTime(); };
      var day = dayOf(date);
      if (day === dayOf(now)) { return ChatCommon.fmt(words.today, { time: time }); }
      if (day === dayOf(now, 1)) { return ChatCommon.fmt(words.yesterday, { time: time }); }
      var parts = { day: date.getDate(), month: words.months[date.getMonth()], year: date.getFullYear(), time: time };
      return ChatCommon.fmt(date.getFullYear() === now.getFullYear() ? words.date : words.dateYear, parts);
    },
    // A <time> for a server timestamp (ISO 8601), labelled by timeLabel.
    timeElement: function (iso, words) {
      var date = new Date(iso);
      var element = document.createElement("time");
      element.className = "chat__time";
      element.dateTime = date.toISOString();
      element.textContent = ChatCommon.timeLabel(date, words);
      return element;
    },
  };
})();
