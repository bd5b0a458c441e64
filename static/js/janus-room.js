// A small client for Janus's WebSocket API (Janus's docs: "JavaScript API" and "RESTful,
// WebSockets…"; html/janus.js in Janus's source is the official client it follows), enough
// for the VideoRoom plugin: one session per socket, plugin handles, requests matched by
// their transaction, events routed to their handle by `sender`, trickled ICE candidates,
// and a keepalive. It knows nothing of our classes; classroom-sfu.js decides what to do.
//
//   JanusRoom.connect({server: "ws://127.0.0.1:8188/", token: "…", onClose: function (reason) {}})
//     -> Promise of a session; onClose("closed" | "timeout") once, when the socket or the
//        session is gone without our asking (never after session.close()).
//   session.attach("janus.plugin.videoroom", {
//     onEvent: function (data, jsep) {},  // every plugin event: the plugin's data, and an SDP if any
//     onHangup: function (reason) {},     // Janus hung up this handle's PeerConnection (the page closes it)
//   }) -> Promise of a handle
//   handle.request(body, jsep) -> Promise of {data, jsep}: the answer to this request (the
//     plugin's event, or its synchronous reply). Rejects with a JanusError {code, reason} when
//     Janus or the plugin refuses. The same event also reaches onEvent, so offers and state
//     are handled in one place.
//   handle.connect(pc) -> this PeerConnection's candidates go to Janus (then "completed"),
//     Janus's go to it (kept until it has a remote description).
//   handle.detach(), session.close(), session.socket (the WebSocket)
//
// The room's token goes with every request (`token`): Janus ignores it unless its core
// checks tokens, and the VideoRoom reads the one in the join body.
window.JanusRoom = (function () {
  "use strict";

  // Under Janus's session_timeout (60 s in deploy/janus/janus.jcfg), as janus.js does.
  var KEEPALIVE_MS = 25000;
  // A request Janus never answers (a wedged plugin) fails rather than waiting for ever.
  var REQUEST_TIMEOUT_MS = 15000;

  function JanusError(code, reason) {
    var error = new Error(reason || "Janus error " + code);
    error.name = "JanusError";
    error.code = code;
    error.reason = reason;
    return error;
  }

  function newTransaction() { return Math.random().toString(36).slice(2) + Date.now().toString(36); }

  function connect(options) {
    return new Promise(function (resolve, reject) {
      var ws;
      try { ws = new WebSocket(options.server, "janus-protocol"); } catch (e) { reject(e); return; }
      var sessionId = null, keepalive = null, closed = false, opened = false;
      var pending = new Map();   // transaction -> {resolve, reject, timer, wantEvent}
      var handles = new Map();   // handle id -> handle

      function finish(reason) {
        if (closed) { return; }
        closed = true;
        clearInterval(keepalive);
        pending.forEach(function (p) { clearTimeout(p.timer); p.reject(JanusError(0, reason)); });
        pending.clear();
        handles.forEach(function (h) { h.closeConnection(); });
        if (!opened) { reject(JanusError(0, reason)); return; }
        if (options.onClose) { options.onClose(reason); }
      }

      // Send a core request; the promise settles with Janus's answer to it. For a plugin
      // message the answer is its event (after an "ack"), unless the plugin answered at once.
      function call(request, wantEvent) {
        return new Promise(function (done, fail) {
          if (closed || ws.readyState !== WebSocket.OPEN) { fail(JanusError(0, "closed")); return; }
          var transaction = newTransaction();
          request.transaction = transaction;
          if (sessionId !== null && request.janus !== "create") { request.session_id = sessionId; }
          if (options.token) { request.token = options.token; }
          var timer = setTimeout(function () {
            pending.delete(transaction);
            fail(JanusError(0, "timeout"));
          }, REQUEST_TIMEOUT_MS);
          pending.set(transaction, { resolve: done, reject: fail, timer: timer, wantEvent: wantEvent });
          ws.send(JSON.stringify(request));
        });
      }

      function settle(message) {
        var p = message.transaction && pending.get(message.transaction);
        if (!p) { return; }
        if (message.janus === "ack" && p.wantEvent) { return; } // the event follows
        pending.delete(message.transaction);
        clearTimeout(p.timer);
        if (message.janus === "error") {
          p.reject(JanusError(message.error && message.error.code, message.error && message.error.reason));
          return;
        }
        var data = message.plugindata ? message.plugindata.data : message.data;
        if (data && data.error_code) { p.reject(JanusError(data.error_code, data.error)); return; }
        p.resolve({ data: data || {}, jsep: message.jsep || null });
      }

      function receive(message) {
        var handle = message.sender ? handles.get(message.sender) : null;
        switch (message.janus) {
          case "event":
            if (handle && handle.onEvent && message.plugindata) { handle.onEvent(message.plugindata.data || {}, message.jsep || null); }
            break;
          case "trickle":
            if (handle) { handle.remoteCandidate(message.candidate); }
            break;
          case "hangup":
            // Not closed here: a hangup of the PeerConnection before this one (an unpublish, then
            // a publish again) would close the new one. The page knows which it meant.
            if (handle && handle.onHangup) { handle.onHangup(message.reason || ""); }
            break;
          case "detached":
            if (handle) { handles.delete(handle.id); }
            break;
          case "timeout":
            // Janus forgot the session (the page was asleep past session_timeout).
            ws.close();
            finish("timeout");
            return;
          default:
            break; // webrtcup, media, slowlink, keepalive: nothing to do here
        }
        settle(message);
      }

      ws.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        if (message && typeof message.janus === "string") { receive(message); }
      };
      ws.onclose = function () { finish("closed"); };
      ws.onerror = function () {}; // onclose follows
      ws.onopen = function () {
        call({ janus: "create" }, false).then(function (answer) {
          sessionId = answer.data.id;
          opened = true;
          keepalive = setInterval(function () { call({ janus: "keepalive" }, false).catch(function () {}); }, KEEPALIVE_MS);
          resolve(session);
        }).catch(function (error) { ws.close(); finish(error.reason || "refused"); reject(error); });
      };

      var session = {
        get id() { return sessionId; },
        get socket() { return ws; }, // the support console reads it; tests close it to make a drop
        attach: function (plugin, callbacks) {
          return call({ janus: "attach", plugin: plugin }, false).then(function (answer) {
            var handle = newHandle(answer.data.id, callbacks || {});
            handles.set(handle.id, handle);
            return handle;
          });
        },
        close: function () {
          if (closed) { return; }
          closed = true; // our own doing: onClose is not called
          clearInterval(keepalive);
          pending.forEach(function (p) { clearTimeout(p.timer); p.reject(JanusError(0, "closed")); });
          pending.clear();
          handles.forEach(function (h) { h.closeConnection(); });
          handles.clear();
          if (ws.readyState === WebSocket.OPEN) {
            try { ws.send(JSON.stringify({ janus: "destroy", session_id: sessionId, transaction: newTransaction(), token: options.token })); } catch (e) {}
          }
          ws.onclose = ws.onmessage = null;
          ws.close();
        },
      };

      function newHandle(id, callbacks) {
        var pc = null, early = [];
        var handle = {
          id: id,
          onEvent: callbacks.onEvent,
          onHangup: callbacks.onHangup,
          request: function (body, jsep) {
            var message = { janus: "message", handle_id: id, body: body };
            if (jsep) { message.jsep = { type: jsep.type, sdp: jsep.sdp }; }
            return call(message, true);
          },
          connect: function (peer) {
            pc = peer;
            pc.onicecandidate = function (event) {
              var candidate = event.candidate
                ? { candidate: event.candidate.candidate, sdpMid: event.candidate.sdpMid, sdpMLineIndex: event.candidate.sdpMLineIndex }
                : { completed: true };
              call({ janus: "trickle", handle_id: id, candidate: candidate }, false).catch(function () {});
            };
            pc.addEventListener("signalingstatechange", flushEarly);
          },
          // Janus's candidate: added once the PeerConnection has its remote description.
          remoteCandidate: function (candidate) {
            if (!candidate || candidate.completed) { return; }
            early.push(candidate);
            flushEarly();
          },
          closeConnection: function () {
            if (pc) { pc.onicecandidate = null; pc.close(); }
            pc = null;
            early = [];
          },
          detach: function () {
            handle.closeConnection();
            handles.delete(id);
            return call({ janus: "detach", handle_id: id }, false).catch(function () {});
          },
        };
        function flushEarly() {
          if (!pc || !pc.remoteDescription) { return; }
          early.splice(0).forEach(function (candidate) {
            pc.addIceCandidate(candidate).catch(function () {});
          });
        }
        return handle;
      }
    });
  }

  return { connect: connect, JanusError: JanusError };
})();
