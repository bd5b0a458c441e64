// The one socket client: every page with a socket (live class, learning group, remote
// assist) connects through it, and the page scripts keep only their own frame handling.
// The rules it follows are in docs/realtime.md ("The browser client").
//
//   var rt = Realtime.open({
//     path: "/ws/class/12/",       // on this page's host; wss: when the page is https:
//     chat: true,                  // a chat socket: hello, resume, de-duplication, outbox
//     onFrame: function (frame) {},        // each frame for the page (see below for what it never sees)
//     onStatus: function (status, code) {}, // "connecting", "open", "reconnecting", or "final" with the close code
//     finalCodes: [4400, 4401, 4403, 4404], // optional: close codes after which it never reconnects
//   });
//   rt.send(frame)     -> true if it went out now; false while disconnected (it is not kept)
//   rt.sendChat(text)  -> the message's client id. Kept and sent again, with the same id, after
//                         every (re)connect until the chat.message or the error frame carrying
//                         that client_id arrives (both reach onFrame as usual).
//   rt.isOpen()        -> whether send() would go out now
//   rt.close()         -> stop for good: no reconnect, no more callbacks
//   rt.socket          -> the current WebSocket, or null (tests close it to make a drop)
//   rt.resumeFrom()    -> the highest chat seq up to which every message has been seen
//   Realtime.newId()   -> a fresh client id
//
// The page never sees: pong and resync (the module's own), a state older than one it has
// had on this connection, nor a chat.message it has already had (a tombstone of one it
// has, deleted: true, does reach it).
window.Realtime = (function () {
  "use strict";

  // Under the idle timeouts of phone networks' NAT (often 30 s or more), and often enough
  // for the server's 75 s "gone" rule to see a live socket as live.
  var HEARTBEAT_MS = 20000;
  // A connection the browser still thinks open but which answers nothing (a phone that
  // changed networks) is given up after this many pings in a row without a frame back.
  // Counted in pings, not in time, so a background tab whose timers are throttled to one a
  // minute is not taken for dead.
  var UNANSWERED_PINGS_DEAD = 2;
  // Exponential backoff from half a second, capped so a returning network is found soon;
  // each wait is taken at random between half and all of it, so that after a server
  // restart a whole class does not knock at the same instant.
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 15000;
  // The server's refusals (docs/realtime.md): trying again would be refused again.
  var FINAL_CODES = [4400, 4401, 4403, 4404];

  // A message's own id, so a retry is recognised; randomUUID needs a secure context.
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  // Where the chat resumes from: the highest seq up to which every message has been seen,
  // never simply the highest seen. The channel layer drops a message when a queue is full,
  // so a message past a hole asks the server (askFrom) for what follows the hole: once,
  // until the server says it is synced.
  function resumeTracker(askFrom) {
    var upTo = 0, ahead = new Set(), syncing = false;
    var tracker = {
      // For a hello: from here, and no more asking until the server says it is synced.
      hello: function () { syncing = true; return upTo; },
      ask: function () { askFrom(tracker.hello()); },
      seen: function (seq) {
        if (seq <= upTo) { return; }
        ahead.add(seq);
        while (ahead.has(upTo + 1)) { ahead.delete(upTo + 1); upTo += 1; }
        if (ahead.size && !syncing) { tracker.ask(); }
      },
      synced: function (lastSeq) {
        syncing = false;
        upTo = Math.max(upTo, lastSeq);
        ahead.forEach(function (seq) { if (seq <= upTo) { ahead.delete(seq); } });
        if (ahead.size) { tracker.ask(); }
      },
      // The server's newest seq (from a pong) is past ours: something was lost on the way.
      behind: function (lastSeq) { if (lastSeq > upTo && !syncing) { tracker.ask(); } },
      reset: function () { upTo = 0; ahead.clear(); syncing = false; },
      upTo: function () { return upTo; },
    };
    return tracker;
  }

  function open(options) {
    var onFrame = options.onFrame || function () {};
    var onStatus = options.onStatus || function () {};
    var finalCodes = options.finalCodes || FINAL_CODES;
    var chat = !!options.chat;

    var socket = null, stopped = false, attempts = 0, retryTimer = null;
    var heartbeat = null, unanswered = 0, heard = false;
    var stateVersion = null;          // the last state version passed on, on this connection
    var passed = new Map();           // seq -> deleted, for each chat.message passed on
    var outbox = new Map();           // client id -> text, until the server settles it
    var resume = resumeTracker(function (from) { send({ type: "hello", last_seq: from }); });

    function send(frame) {
      if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
      return false;
    }

    function sendChat(text) {
      var clientId = newId();
      outbox.set(clientId, text);
      send({ type: "chat.send", client_id: clientId, text: text });
      return clientId;
    }

    function connect() {
      retryTimer = null;
      var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + options.path);
      socket = ws;
      heard = false;
      unanswered = 0;
      stateVersion = null; // a new connection starts afresh, even if the server's counter did
      ws.onopen = function () {
        if (ws !== socket) { return; }
        if (chat) {
          send({ type: "hello", last_seq: resume.hello() });
          outbox.forEach(function (text, clientId) { send({ type: "chat.send", client_id: clientId, text: text }); });
        }
        heartbeat = setInterval(beat, HEARTBEAT_MS);
        onStatus("open");
      };
      ws.onmessage = function (event) {
        if (ws !== socket) { return; }
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (!frame || typeof frame.type !== "string") { return; }
        receive(frame);
      };
      ws.onclose = function (event) { if (ws === socket) { dropped(event.code); } };
    }

    function beat() {
      if (unanswered >= UNANSWERED_PINGS_DEAD) { abandon(); return; }
      unanswered += 1;
      send({ type: "ping" });
    }

    // Leave this connection without waiting for its close (which a dead one may never
    // send) and take the ordinary reconnect path.
    function abandon() {
      var ws = socket;
      socket = null;
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = null;
        try { ws.close(); } catch (e) {}
      }
      dropped(null);
    }

    function dropped(code) {
      clearInterval(heartbeat);
      socket = null;
      if (stopped) { return; }
      if (finalCodes.indexOf(code) >= 0) {
        stopped = true;
        onStatus("final", code);
        return;
      }
      attempts += 1;
      var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempts - 1));
      retryTimer = setTimeout(connect, ceiling * (0.5 + Math.random() / 2));
      onStatus("reconnecting");
    }

    function receive(frame) {
      unanswered = 0;
      if (!heard) { heard = true; attempts = 0; } // the server answered: the backoff starts again
      switch (frame.type) {
        case "pong":
          if (chat && typeof frame.last_seq === "number") { resume.behind(frame.last_seq); }
          return;
        case "resync":
          // The server saw this socket miss frames. A chat asks again from its contiguous
          // seq; a socket without one (assist) gets its history again by reconnecting.
          if (chat) { resume.ask(); } else { abandon(); }
          return;
        case "state":
          if (typeof frame.version === "number") {
            if (stateVersion !== null && frame.version < stateVersion) { return; } // overtaken by a newer one
            stateVersion = frame.version;
          }
          break;
        case "error":
          if (frame.client_id) { outbox.delete(frame.client_id); } // refused for good: not sent again
          break;
        default:
          if (chat && !chatFrame(frame)) { return; }
      }
      onFrame(frame);
      // After the page has cleared its list: ask for the latest messages again.
      if (chat && frame.type === "chat.reload") { resume.ask(); }
    }

    // The chat's own frames; false when the page must not see this one.
    function chatFrame(frame) {
      switch (frame.type) {
        case "chat.message": {
          if (frame.client_id) { outbox.delete(frame.client_id); } // delivered
          resume.seen(frame.seq);
          var deleted = passed.get(frame.seq);
          if (deleted !== undefined && (deleted || !frame.deleted)) { return false; } // the page has it
          passed.set(frame.seq, !!frame.deleted);
          return true;
        }
        case "chat.synced":
          resume.synced(frame.last_seq);
          return true;
        case "chat.reload":
          // Too much was missed, or our number is not this room's: start the list again.
          resume.reset();
          passed.clear();
          return true;
        default:
          return true;
      }
    }

    // The phone says its network went: say so now (the socket itself may take two pings to
    // find out). When it is back, connect afresh at once, neither waiting out the backoff nor
    // trusting a connection that may have died meanwhile; the resume loses nothing.
    function wentOffline() { if (!stopped) { onStatus("reconnecting"); } }
    function cameOnline() {
      if (stopped) { return; }
      clearTimeout(retryTimer);
      attempts = 0;
      abandon();
    }
    window.addEventListener("offline", wentOffline);
    window.addEventListener("online", cameOnline);

    function close() {
      stopped = true;
      window.removeEventListener("offline", wentOffline);
      window.removeEventListener("online", cameOnline);
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      var ws = socket;
      socket = null;
      if (ws) { ws.onopen = ws.onmessage = ws.onclose = null; ws.close(); }
    }

    onStatus("connecting");
    connect();
    return {
      send: send,
      sendChat: sendChat,
      isOpen: function () { return !!socket && socket.readyState === WebSocket.OPEN; },
      close: close,
      resumeFrom: function () { return resume.upTo(); },
      get socket() { return socket; },
    };
  }

  return { open: open, newId: newId, FINAL_CODES: FINAL_CODES };
})();
