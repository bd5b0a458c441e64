// The learning group (学习群): a course's chat between classes, with photos and voice.
// Same rules as the live class's chat (docs/realtime.md), kept by realtime.js: resume from
// the last contiguous number, retry with the same client id. Older history a page at a time.
// The page itself scrolls and opens at the newest message, just above the write box; a new
// message moves the page only when the reader was already at the newest one.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("group-config").textContent);
  var S = config.strings;
  var $ = function (id) { return document.getElementById(id); };
  var fmt = ChatCommon.fmt;
  var csrf = ChatCommon.csrf;
  var VOICE_MAX_S = 60;
  // "At the newest message" allows a finger's slip: the last message may hide this much below.
  var NEWEST_SLACK_PX = 48;
  // Labels say 今天 / 昨天: checked once a minute so a page left open overnight does not lie.
  var RELABEL_MS = 60000;
  // What the page says when the server closes for good. 4400 (a client that sent many bad
  // frames) has the same cure as a lost session: open the page afresh from the link.
  var CLOSE_WORDS = { 4400: "notSignedIn", 4401: "notSignedIn", 4403: "notAllowed", 4404: "notAllowed" };

  var connection = null;
  var group = { lastSeq: 0, oldestSeq: null, newestSeq: 0, synced: false, seen: new Map(), recorder: null };
  Object.defineProperty(group, "connection", { get: function () { return connection; } });
  window.learningGroup = group; // read by the browser tests
  var say = function (text) { $("group-status").textContent = text; };
  var list = $("group-messages");
  var newBelow = $("new-below");

  function send(frame) { return connection ? connection.send(frame) : false; }

  // Words only while something is wrong; a working connection says nothing.
  function onStatus(status, code) {
    if (status === "reconnecting") { say(S.reconnecting); }
    else if (status === "open") {
      say("");
      // Not turned off again on a drop: #record also stops a recording under way.
      document.querySelectorAll("[data-needs-socket]").forEach(function (b) { b.disabled = false; });
    }
    else if (status === "final") { say(S[CLOSE_WORDS[code]]); }
  }

  function handle(frame) {
    switch (frame.type) {
      case "chat.message": show(frame); break;
      case "chat.synced":
        group.lastSeq = Math.max(group.lastSeq, frame.last_seq);
        $("load-older").hidden = !(group.oldestSeq > 1);
        $("group-empty").hidden = list.children.length > 0;
        // The group opens at the newest message, whatever the browser remembered.
        if (!group.synced) { group.synced = true; toNewest(); }
        markRead();
        break;
      case "chat.reload":
        // Start the list again (realtime.js asks for the latest messages); files and
        // messages still being sent stay.
        group.seen.forEach(function (item) { item.remove(); });
        group.seen.clear(); group.lastSeq = 0; group.oldestSeq = null; group.newestSeq = 0;
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
    if (message.at && !isNaN(Date.parse(message.at))) { item.append(ChatCommon.timeElement(message.at, S.time)); }
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

  // From the socket (realtime.js passes each message once, or again as a tombstone) and
  // from the older history over HTTP.
  function show(message) {
    // Measured before the list grows: was the reader at the newest message?
    var following = atNewest();
    var isNew = message.seq > group.newestSeq;
    group.lastSeq = Math.max(group.lastSeq, message.seq);
    group.newestSeq = Math.max(group.newestSeq, message.seq);
    group.oldestSeq = group.oldestSeq === null ? message.seq : Math.min(group.oldestSeq, message.seq);
    dropPending(message.client_id);
    var item = render(message);
    var existing = group.seen.get(message.seq);
    if (existing) { existing.replaceWith(item); group.seen.set(message.seq, item); return; } // an edit (removal)
    group.seen.set(message.seq, item);
    var after = Array.from(list.children).find(function (li) { return li.dataset.seq && Number(li.dataset.seq) > message.seq; });
    list.insertBefore(item, after || list.querySelector("[data-pending]"));
    $("group-empty").hidden = true;
    // Older messages (scrolling up, or a hole mended) never move the page.
    if (isNew) {
      if (following) { toNewest(); }
      else if (group.synced) { newBelow.hidden = false; }
    }
    markRead();
  }

  // ------------------------------------------------------------------ where the page is
  // A scroll asked for and not yet made counts as being there: a burst of messages arrives
  // faster than the page is drawn, and each one must not find the reader "scrolled up".
  var scrollAsked = false;

  function atNewest() {
    return scrollAsked || list.getBoundingClientRect().bottom <= window.innerHeight + NEWEST_SLACK_PX;
  }

  // The newest message at the bottom of the screen, with the write box and the photo and voice
  // buttons under it; drawn once per frame however many messages came.
  function toNewest() {
    newBelow.hidden = true;
    if (scrollAsked) { return; }
    scrollAsked = true;
    requestAnimationFrame(function () {
      scrollAsked = false;
      $("group-composer").scrollIntoView({ block: "end" });
    });
  }

  newBelow.addEventListener("click", toNewest);
  window.addEventListener("scroll", function () { if (!newBelow.hidden && atNewest()) { newBelow.hidden = true; } }, { passive: true });

  setInterval(function () {
    list.querySelectorAll("time").forEach(function (time) {
      var label = ChatCommon.timeLabel(new Date(time.dateTime), S.time);
      if (time.textContent !== label) { time.textContent = label; }
    });
  }, RELABEL_MS);

  var readTimer = null;
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { if (group.lastSeq) { send({ type: "read", seq: group.lastSeq }); } }, 500);
  }

  // A text (realtime.js's outbox) or a file (upload below) being sent, settled by its client id.
  function dropPending(clientId) {
    if (!clientId) { return; }
    var pending = list.querySelector('[data-pending="' + CSS.escape(clientId) + '"]');
    if (pending) { pending.remove(); }
  }

  function pending(clientId, label) {
    var item = document.createElement("li");
    item.className = "chat__message chat__message--pending";
    item.dataset.pending = clientId;
    item.textContent = label;
    list.append(item);
    $("group-empty").hidden = true;
    toNewest(); // the learner's own message, in view as soon as it is sent
    return item;
  }

  $("group-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("group-error").textContent = "";
    var text = $("group-text").value.trim();
    if (!text) { return; }
    var sentNow = connection.isOpen();
    pending(connection.sendChat(text), text + " — " + (sentNow ? S.sending : S.notSent));
    $("group-text").value = "";
  });

  // ------------------------------------------------------------------ files: photos and voice
  function upload(kind, blob, filename, extra) {
    var id = Realtime.newId();
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
  // The earlier messages go above the one being read, which stays where it was on the screen.
  $("load-older").addEventListener("click", function () {
    fetch(config.historyUrl + "?before=" + group.oldestSeq, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var anchor = list.querySelector("[data-seq]");
        var top = anchor ? anchor.getBoundingClientRect().top : 0;
        (body.messages || []).forEach(show);
        if (anchor) { window.scrollBy(0, anchor.getBoundingClientRect().top - top); }
        $("load-older").hidden = !(body.messages && body.messages.length && group.oldestSeq > 1);
      });
  });

  // Until now a tap would have reloaded the page or done nothing.
  document.querySelectorAll("[data-needs-script]").forEach(function (b) { b.disabled = false; });
  connection = Realtime.open({ path: config.socket, chat: true, onFrame: handle, onStatus: onStatus });
})();
