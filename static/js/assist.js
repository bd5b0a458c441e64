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

  // Heartbeat keeps a phone's NAT binding open; backoff with jitter spreads reconnects out.
  var HEARTBEAT_MS = 20000;
  var RECONNECT_BASE_MS = 500;
  var RECONNECT_MAX_MS = 15000;
  var CLOSE_FINAL = { 4401: "notSignedIn", 4403: "notAllowed", 4404: "noSuchLearner" };

  var assist = { steps: new Map(), socket: null, attempts: 0, heartbeat: null, finished: false, synced: false };
  window.assist = assist; // read by the browser tests

  var connection = function (text) { $("assist-connection").textContent = text; };

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
        if (frame.message) { connection(frame.message); }
        break;
      default: break;
    }
  }

  function send(frame) {
    if (assist.socket && assist.socket.readyState === WebSocket.OPEN) { assist.socket.send(JSON.stringify(frame)); }
  }

  function connect() {
    connection(assist.attempts ? S.reconnecting : S.connecting);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + config.socket);
    assist.socket = socket;
    socket.onopen = function () {
      assist.attempts = 0;
      connection(S.connected);
      clearInterval(assist.heartbeat);
      assist.heartbeat = setInterval(function () { send({ type: "ping" }); }, HEARTBEAT_MS);
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      clearInterval(assist.heartbeat);
      assist.synced = false;
      if (assist.finished) { return; }
      if (CLOSE_FINAL[event.code]) {
        assist.finished = true;
        connection(S[CLOSE_FINAL[event.code]]);
        return;
      }
      assist.attempts += 1;
      var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * Math.pow(2, assist.attempts));
      connection(S.reconnecting);
      setTimeout(connect, delay * (0.5 + Math.random()));
    };
  }

  connect();
})();
