// Remote assist, the volunteer's side: the checklist fills in live from the assist socket.
// Protocol: docs/realtime.md ("Remote assist protocol"). The server sends the recent
// history on every connect, so a reconnect after a drop misses nothing; steps are kept
// by id, so one that comes twice (history and live) counts once.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("assist-config").textContent);
  var S = config.strings;
  var $ = function (id) { return document.getElementById(id); };
  var fmt = ChatCommon.fmt;

  // What the page says when the server closes for good. 4400 (a client that sent many bad
  // frames) has the same cure as a lost session: sign in and load the page afresh.
  var CLOSE_WORDS = { 4400: "notSignedIn", 4401: "notSignedIn", 4403: "notAllowed", 4404: "noSuchLearner" };

  var connection = null;
  var assist = { steps: new Map(), synced: false };
  Object.defineProperty(assist, "connection", { get: function () { return connection; } });
  window.assist = assist; // read by the browser tests

  var sayConnection = function (text) { $("assist-connection").textContent = text; };

  function render() {
    var latest = {};
    assist.steps.forEach(function (step) {
      var place = config.stepRows[step.step];
      if (place && (!latest[place[0]] || latest[place[0]].id < step.id)) { latest[place[0]] = step; }
    });
    config.checklist.forEach(function (key) {
      var item = document.querySelector('[data-row="' + key + '"]');
      var step = latest[key];
      var state = step ? config.stepRows[step.step][1] : "waiting";
      var row = S.rows[key];
      item.dataset.state = state;
      item.querySelector('[data-part="state"]').textContent = S.states[state];
      item.querySelector('[data-part="detail"]').textContent =
        step ? fmt(S.at, { step: S.steps[step.step], time: step.time }) : "";
      var say = item.querySelector('[data-part="say"]');
      say.textContent = state === "waiting" ? row.say : state === "done" ? "" : row.fix;
      say.hidden = !say.textContent;
    });
  }

  function remember(step) {
    if (assist.steps.has(step.id)) { return false; }
    assist.steps.set(step.id, step);
    return true;
  }

  function handle(frame) {
    switch (frame.type) {
      case "assist.history":
        frame.events.forEach(remember);
        render();
        assist.synced = true;
        break;
      case "assist.step":
        if (remember(frame)) {
          render();
          $("assist-latest").textContent = fmt(S.latest, { step: S.steps[frame.step], time: frame.time });
        }
        break;
      case "error":
        if (frame.message) { sayConnection(frame.message); }
        break;
      default: break;
    }
  }

  // The socket (realtime.js) keeps the connection; the history on each connect is the resume.
  function onStatus(status, code) {
    if (status === "open") { sayConnection(S.connected); return; }
    assist.synced = false;
    sayConnection(status === "final" ? S[CLOSE_WORDS[code]] : status === "connecting" ? S.connecting : S.reconnecting);
  }

  connection = Realtime.open({ path: config.socket, chat: false, onFrame: handle, onStatus: onStatus });
})();
