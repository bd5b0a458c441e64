// The learning group (学习群): a course's chat between classes, with photos and voice.
// Same rules as the live class's chat (docs/realtime.md): resume from the last number
// seen, retry with the same client id, older history a page at a time.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("group-config").textContent);
  var S = config.strings;
  var $ = function (id) { return document.getElementById(id); };
  var fmt = ChatCommon.fmt;
  var csrf = ChatCommon.csrf;
  var newId = ChatCommon.newId;
  var HEARTBEAT_MS = 20000;
  var RECONNECT_BASE_MS = 500;
  var RECONNECT_MAX_MS = 15000;
  var VOICE_MAX_S = 60;
  var CLOSE_FINAL = { 4401: "notSignedIn", 4403: "notAllowed" };

  var group = { lastSeq: 0, oldestSeq: null, seen: new Map(), outbox: new Map(), socket: null, attempts: 0,
                heartbeat: null, finished: false, recorder: null };
  window.learningGroup = group; // read by the browser tests
  group.resume = ChatCommon.resume(function (from) { send({ type: "hello", last_seq: from }); });
  var say = function (text) { $("group-status").textContent = text; };
  var list = $("group-messages");

  function send(frame) {
    if (group.socket && group.socket.readyState === WebSocket.OPEN) { group.socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function connect() {
    say(group.attempts ? S.reconnecting : S.connecting);
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.socket);
    group.socket = socket;
    socket.onopen = function () {
      group.attempts = 0;
      send({ type: "hello", last_seq: group.resume.hello() });
      clearInterval(group.heartbeat);
      group.heartbeat = setInterval(function () { send({ type: "ping" }); }, HEARTBEAT_MS);
      group.outbox.forEach(function (text, id) { if (text !== null) { send({ type: "chat.send", client_id: id, text: text }); } });
      document.querySelectorAll("[data-needs-socket]").forEach(function (b) { b.disabled = false; });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      clearInterval(group.heartbeat);
      if (group.finished) { return; }
      if (CLOSE_FINAL[event.code]) { group.finished = true; say(S[CLOSE_FINAL[event.code]]); return; }
      group.attempts += 1;
      say(S.reconnecting);
      var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * Math.pow(2, group.attempts));
      setTimeout(connect, delay * (0.5 + Math.random()));
    };
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome": say(S.connected); break;
      case "chat.message": show(frame); break;
      case "chat.synced":
        group.lastSeq = Math.max(group.lastSeq, frame.last_seq);
        group.resume.synced(frame.last_seq);
        $("load-older").hidden = !(group.oldestSeq > 1);
        markRead();
        break;
      case "chat.reload":
        list.textContent = ""; group.seen.clear(); group.lastSeq = 0; group.resume.reset();
        send({ type: "hello", last_seq: group.resume.hello() });
        break;
      case "pinned": $("group-pinned").hidden = !frame.text; $("group-pinned").textContent = frame.text ? S.pinned + ": " + frame.text : ""; break;
      case "error":
        if (frame.client_id) { dropPending(frame.client_id); }
        $("group-error").textContent = frame.message || "";
        break;
      default: break;
    }
  }

  function roleLabel(role) { return S[role] || role; }

  var button = ChatCommon.button;

  function render(message) {
    var item = document.createElement("li");
    item.className = "chat__message chat__message--" + message.role + (message.deleted ? " chat__message--deleted" : "");
    item.dataset.seq = message.seq;
    var who = document.createElement("strong");
    who.textContent = message.author + (message.role !== "learner" ? "（" + roleLabel(message.role) + "）" : "") + "：";
    item.append(who);
    if (message.deleted) {
      item.append(document.createTextNode(S.deleted));
      return item;
    }
    if (message.kind === "image") {
      var link = document.createElement("a");
      link.className = "chat__picture";
      link.href = message.image;
      link.setAttribute("aria-label", S.openPicture);
      var img = document.createElement("img");
      img.src = message.thumbnail;
      img.alt = fmt(S.picture, { name: message.author });
      link.append(img);
      item.append(link);
    } else if (message.kind === "voice") {
      var audio = new Audio(message.voice);
      item.append(button(fmt(S.play, { seconds: message.voice_seconds }), function () { audio.currentTime = 0; audio.play(); }));
    } else {
      var text = document.createElement("span");
      text.textContent = message.text;
      item.append(text);
    }
    if (config.moderates) {
      item.append(
        button(S.pin, function () { send({ type: "chat.pin", seq: message.seq }); }),
        button(S.delete, function () { send({ type: "chat.delete", seq: message.seq }); })
      );
      if (message.role === "learner" || message.role === "volunteer") {
        item.append(button(fmt(S.mute, { name: message.author }), function () { send({ type: "member.mute", seq: message.seq, muted: true }); }));
      }
    }
    return item;
  }

  function show(message) {
    group.lastSeq = Math.max(group.lastSeq, message.seq);
    group.resume.seen(message.seq);
    group.oldestSeq = group.oldestSeq === null ? message.seq : Math.min(group.oldestSeq, message.seq);
    dropPending(message.client_id);
    var item = render(message);
    var existing = group.seen.get(message.seq);
    if (existing) { existing.replaceWith(item); group.seen.set(message.seq, item); return; } // an edit (removal)
    group.seen.set(message.seq, item);
    var after = Array.from(list.children).find(function (li) { return li.dataset.seq && Number(li.dataset.seq) > message.seq; });
    list.insertBefore(item, after || list.querySelector("[data-pending]"));
    markRead();
  }

  var readTimer = null;
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { if (group.lastSeq) { send({ type: "read", seq: group.lastSeq }); } }, 500);
  }

  function dropPending(clientId) {
    if (!clientId || !group.outbox.has(clientId)) { return; }
    group.outbox.delete(clientId);
    var pending = list.querySelector('[data-pending="' + CSS.escape(clientId) + '"]');
    if (pending) { pending.remove(); }
  }

  function pending(clientId, label) {
    var item = document.createElement("li");
    item.className = "chat__message chat__message--pending";
    item.dataset.pending = clientId;
    item.textContent = label;
    list.append(item);
    return item;
  }

  $("group-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("group-error").textContent = "";
    var text = $("group-text").value.trim();
    if (!text) { return; }
    var id = newId();
    group.outbox.set(id, text);
    pending(id, text + " — " + (send({ type: "chat.send", client_id: id, text: text }) ? S.sending : S.notSent));
    $("group-text").value = "";
  });

  // ------------------------------------------------------------------ files: photos and voice
  function upload(kind, blob, filename, extra) {
    var id = newId();
    var item = pending(id, S.uploading);
    var form = new FormData();
    form.append("kind", kind);
    form.append("client_id", id);
    form.append("file", blob, filename);
    Object.keys(extra || {}).forEach(function (k) { form.append(k, extra[k]); });
    // Retried with the same client id until the server answers: a double send stores one message.
    function attempt(tries) {
      fetch(config.uploadUrl, { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
        .then(function (response) { return response.json().then(function (body) { return { status: response.status, body: body }; }); })
        .then(function (result) {
          if (!result.body.ok) { item.remove(); $("group-error").textContent = result.body.error || S.uploadFailed; }
        })
        .catch(function () { if (tries < 5) { setTimeout(function () { attempt(tries + 1); }, 2000 * tries); } else { item.textContent = S.uploadFailed; } });
    }
    group.outbox.set(id, null);
    attempt(1);
  }

  $("choose-photo").addEventListener("click", function () { $("group-photo").click(); });
  $("group-photo").addEventListener("change", function () {
    var file = $("group-photo").files[0];
    if (file) { upload("image", file, file.name); }
    $("group-photo").value = "";
  });

  $("record").addEventListener("click", function () {
    if (group.recorder) { group.recorder.stop(); return; }
    if (!window.MediaRecorder) { $("group-error").textContent = S.micDenied; return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      var recorder = new MediaRecorder(stream);
      var started = Date.now();
      var button = $("record");
      group.recorder = recorder;
      var tick = setInterval(function () {
        var seconds = Math.round((Date.now() - started) / 1000);
        button.textContent = fmt(S.recordStop, { seconds: seconds });
        if (seconds >= VOICE_MAX_S) { recorder.stop(); }
      }, 250);
      recorder.ondataavailable = function (event) { if (event.data.size) { chunks.push(event.data); } };
      recorder.onstop = function () {
        clearInterval(tick);
        stream.getTracks().forEach(function (t) { t.stop(); });
        group.recorder = null;
        button.textContent = S.recordStart;
        var seconds = Math.min(VOICE_MAX_S, Math.max(1, (Date.now() - started) / 1000));
        var type = (chunks[0] && chunks[0].type) || recorder.mimeType || "audio/webm";
        upload("voice", new Blob(chunks, { type: type }), "voice." + (type.indexOf("ogg") >= 0 ? "ogg" : type.indexOf("mp4") >= 0 ? "m4a" : "webm"),
               { seconds: seconds.toFixed(1) });
      };
      recorder.start();
      button.textContent = fmt(S.recordStop, { seconds: 0 });
    }).catch(function () { $("group-error").textContent = S.micDenied; });
  });

  // ------------------------------------------------------------------ older history
  $("load-older").addEventListener("click", function () {
    fetch(config.historyUrl + "?before=" + group.oldestSeq, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        (body.messages || []).forEach(show);
        $("load-older").hidden = !(body.messages && body.messages.length && group.oldestSeq > 1);
      });
  });

  // Until now a tap would have reloaded the page or done nothing.
  document.querySelectorAll("[data-needs-script]").forEach(function (b) { b.disabled = false; });
  connect();
})();
