// The live class room: the socket's frames (through realtime.js), the room's state, who is
// here, the chat, hands and the teacher's controls. Protocol: docs/realtime.md. Media
// (camera, speaking, WebRTC) is classroom-media-mode.js's, which runs the embedded path
// (classroom-media.js) or the SFU path (classroom-sfu.js) as the server says; the device
// check is device-check.js's.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("room-config").textContent);
  var S = config.strings;
  var isTeacher = config.role === "teacher";
  var $ = function (id) { return document.getElementById(id); };
  var fmt = ChatCommon.fmt;
  var button = ChatCommon.button;
  // What the page says when the server closes for good. 4400 (a client that sent many bad
  // frames) has the same cure as a lost session: open the page afresh from the link.
  var CLOSE_WORDS = { 4400: "notSignedIn", 4401: "notSignedIn", 4403: "notAllowed", 4404: "notAllowed" };

  var connection = null;
  var room = {
    config: config, strings: S, isTeacher: isTeacher,
    me: null, state: null, lastSeq: 0, finished: false, entered: false,
    mediaProblem: "",
    send: send, say: say, setMediaProblem: setMediaProblem,
  };
  Object.defineProperties(room, {
    connection: { get: function () { return connection; } },                          // realtime.js's, once entered
    socket: { get: function () { return connection ? connection.socket : null; } },   // null between connections
  });
  window.classroom = room; // read by support staff's console and by the browser tests

  function send(frame) { return connection ? connection.send(frame) : false; }
  function say(text) { $("room-status").textContent = text; }
  // The page's language, for words the state carries in each (next_class).
  var language = document.documentElement.lang.toLowerCase();
  var startsAt = new Date(config.startsAt);

  function teacherHere(state) {
    return state.participants.some(function (p) { return p.role === "teacher" && p.online; });
  }

  // The class's status in words that are true now; the same rules as room_status_words
  // (classes/live/selectors.py), which says it before the socket does.
  function statusWords(state) {
    var status = state ? state.status : "waiting";
    if (status === "ended") {
      var next = state.next_class && state.next_class[language];
      return S.ended + (next ? " " + fmt(S.nextClass, { time: next }) : "");
    }
    if (status === "live") { return isTeacher || teacherHere(state) ? S.live : S.teacherDropped; }
    var minutes = Math.ceil((startsAt - new Date()) / 60000);
    if (minutes > config.countdownFromMinutes) { return fmt(S.startsOn, { time: config.startsWhen }); }
    if (minutes > 0) { return fmt(S.startsIn, { minutes: minutes }); }
    return isTeacher ? S.teacherWaiting : S.waiting;
  }

  // What the room is doing now, in words: the class's status, how the video travels when
  // that is not the usual way (the server's media_notice), and what is wrong with the video.
  // Said only when it changes, so a screen reader is not told the same thing every tick.
  function sayState() {
    if (room.finished) { return; } // the page already says why it has closed
    var state = room.state, words = [statusWords(state)];
    if (state && state.media_notice) { words.push(S[state.media_notice] || ""); }
    if (room.mediaProblem && !(state && state.status === "ended")) { words.push(room.mediaProblem); }
    var text = words.join(" ");
    if ($("room-status").textContent !== text) { say(text); }
  }
  // The media path's trouble (Janus lost, the video room closed), or "" when the video is fine.
  function setMediaProblem(text) {
    if (text === room.mediaProblem) { return; }
    room.mediaProblem = text;
    sayState();
  }
  // Controls that act through the socket wait for it, so a tap is never silently lost.
  function enableSocketControls(enabled) {
    document.querySelectorAll("[data-needs-socket]").forEach(function (b) { b.disabled = !enabled; });
  }

  // ------------------------------------------------------------------ unsupported browsers
  var supported = !!(window.RTCPeerConnection && navigator.mediaDevices && window.WebSocket);
  if (!supported) {
    $("unsupported").hidden = false;
    $("prejoin").hidden = true;
    $("device-check").hidden = true;
    return;
  }
  var media = ClassroomMediaMode(room);
  // The teacher's page records the class when the state says the browser does (classroom-recorder.js).
  var recorder = isTeacher && window.ClassroomRecorder ? ClassroomRecorder(room) : null;

  // ------------------------------------------------------------------ waiting: the minutes go by
  // Before entering too: the words the server wrote become "in 5 minutes" as the time comes.
  // A socket's connecting and reconnecting words stay until it is back.
  var TICK_MS = 15000;
  setInterval(function () { if (!room.entered || (connection && connection.isOpen())) { sayState(); } }, TICK_MS);

  // ------------------------------------------------------------------ socket
  function onStatus(status, code) {
    if (status === "connecting") { say(S.connecting); }
    else if (status === "reconnecting") { enableSocketControls(false); say(S.reconnecting); }
    else if (status === "final") {
      enableSocketControls(false);
      media.stop();
      if (!room.finished) { room.finished = true; say(S[CLOSE_WORDS[code]]); }
    }
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        room.me = frame.you;
        sayState();
        enableSocketControls(true);
        media.setMode(frame.media);
        break;
      case "media": media.setMode(frame); break; // the room changed how its video travels
      case "state": renderState(frame); break;
      case "chat.message": showMessage(frame); break;
      case "chat.synced": room.lastSeq = Math.max(room.lastSeq, frame.last_seq); break;
      case "chat.reload":
        // Too much was missed (or the number is not this room's): start the list again;
        // realtime.js asks for the latest messages. Messages still being sent stay.
        document.querySelectorAll("#chat-messages [data-seq]").forEach(function (li) { li.remove(); });
        room.lastSeq = 0;
        break;
      case "speak": media.speak(frame.allowed); break;
      case "removed":
        room.finished = true;
        connection.close();
        media.stop();
        enableSocketControls(false);
        say(frame.message || S.removed);
        $("room").hidden = true;
        break;
      case "signal": media.onSignal(frame.from, frame.data); break;
      case "error": showError(frame); break;
      default: break;
    }
  }

  // ------------------------------------------------------------------ room state
  function roleLabel(role) { return S[role] || role; }

  function renderState(state) {
    room.state = state;
    var me = state.participants.find(function (p) { return p.id === room.me; });
    sayState();
    var pinned = $("chat-pinned");
    pinned.hidden = !state.pinned;
    pinned.textContent = state.pinned ? S.pinned + ": " + state.pinned : "";
    if (!isTeacher && me) {
      var hand = $("hand");
      hand.setAttribute("aria-pressed", String(me.hand));
      hand.textContent = me.hand ? S.lowerHand : S.raiseHand;
    }
    if (isTeacher) {
      renderPeople(state);
      $("lock-chat").textContent = state.chat_locked ? S.unlockChat : S.lockChat;
      $("record-toggle").hidden = state.status !== "live";
      // While the class is on, 开始上课 is gone (下课 ends it), and 开始录像 / 停止录像 stands
      // in the place of 录像, which is chosen with 开始上课.
      $("start-class").hidden = state.status === "live";
      $("record-choice").closest("label").hidden = state.status === "live";
      $("record-toggle").textContent = state.recording ? S.recordStop : S.recordStart;
    }
    $("recording-sign").hidden = !state.recording;
    media.onState(state);
    if (recorder) { recorder.onState(state); }
  }

  // Here now first, raised hands on top (in the order raised: the server lists by role and
  // arrival); people who left in a closed list of their own, without buttons that cannot act.
  function renderPeople(state) {
    var others = state.participants.filter(function (p) { return p.id !== room.me; });
    var here = others.filter(function (p) { return p.online; });
    var gone = others.filter(function (p) { return !p.online; });
    here.sort(function (a, b) { return Number(b.hand) - Number(a.hand); });
    $("people-count").textContent = fmt(S.peopleHere, { count: here.length + 1 });
    fillPeople($("people"), here, true);
    fillPeople($("people-gone"), gone, false);
    $("people-gone-box").hidden = !gone.length;
    $("people-gone-summary").textContent = fmt(S.peopleLeft, { count: gone.length });
  }

  function fillPeople(list, people, withActions) {
    list.textContent = "";
    people.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "person" + (p.hand ? " person--hand" : "");
      item.dataset.participant = p.id;
      var words = [roleLabel(p.role), p.online ? S.online : S.offline];
      if (p.hand) { words.push(S.handRaised); }
      if (p.may_speak) { words.push(S.speaking); }
      if (p.quality && p.online) { words.push(S["quality" + p.quality.charAt(0).toUpperCase() + p.quality.slice(1)]); }
      var name = document.createElement("strong");
      name.textContent = p.name;
      var detail = document.createElement("span");
      detail.className = "person__state";
      detail.textContent = " " + words.join(" · ");
      item.append(name, detail);
      if (withActions && (p.role === "learner" || p.role === "volunteer")) {
        var actions = document.createElement("div");
        actions.className = "actions";
        actions.append(
          p.may_speak
            ? button(fmt(S.revokeSpeak, { name: p.name }), function () { send({ type: "speak.revoke", participant: p.id }); })
            : button(fmt(S.allowSpeak, { name: p.name }), function () { send({ type: "speak.allow", participant: p.id }); }),
          button(fmt(S.remove, { name: p.name }), function () { send({ type: "participant.remove", participant: p.id }); })
        );
        item.append(actions);
      }
      list.append(item);
    });
  }

  // ------------------------------------------------------------------ chat
  // realtime.js passes each message once, and keeps a message being sent until it is settled.
  function dropPending(clientId) {
    if (!clientId) { return; }
    var pending = document.querySelector('#chat-messages [data-pending="' + CSS.escape(clientId) + '"]');
    if (pending) { pending.remove(); }
  }

  function showMessage(message) {
    room.lastSeq = Math.max(room.lastSeq, message.seq);
    dropPending(message.client_id);
    var item = document.createElement("li");
    item.className = "chat__message chat__message--" + message.role;
    item.dataset.seq = message.seq;
    var who = document.createElement("strong");
    who.textContent = message.author + (message.role !== "learner" ? "（" + roleLabel(message.role) + "）" : "") + "：";
    var text = document.createElement("span");
    text.textContent = message.text; // text, never markup
    item.append(who, text);
    if (isTeacher) {
      item.append(button(S.pin, function () { send({ type: "chat.pin", seq: message.seq }); }));
    }
    var list = $("chat-messages");
    var after = Array.from(list.children).find(function (li) { return li.dataset.seq && Number(li.dataset.seq) > message.seq; });
    list.insertBefore(item, after || list.querySelector("[data-pending]"));
    item.scrollIntoView({ block: "nearest" });
  }

  function sendChat(text) {
    text = text.trim();
    if (!text || !connection) { return; }
    var sentNow = connection.isOpen();
    var clientId = connection.sendChat(text);
    var item = document.createElement("li");
    item.className = "chat__message chat__message--pending";
    item.dataset.pending = clientId;
    item.textContent = text + " — " + (sentNow ? S.sending : S.notSent);
    $("chat-messages").append(item);
  }

  function showError(frame) {
    dropPending(frame.client_id); // refused for good: realtime.js does not send it again
    $("chat-error").textContent = frame.message || "";
  }

  $("chat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("chat-error").textContent = "";
    sendChat($("chat-text").value);
    $("chat-text").value = "";
  });
  document.querySelectorAll("[data-reply]").forEach(function (b) {
    b.addEventListener("click", function () { sendChat(b.dataset.reply); });
  });

  // ------------------------------------------------------------------ entering
  $("enter-room").disabled = false;
  $("enter-room").addEventListener("click", function () {
    if (room.entered) { return; } // a double tap enters once
    room.entered = true;
    $("prejoin").hidden = true;
    $("room").hidden = false;
    // In class the picture comes first: the status goes under it, the page's header shrinks
    // (classroom.css) and the page starts at the room.
    $("room-status-slot").append($("room-status"));
    document.body.classList.add("in-class");
    window.scrollTo(0, 0);
    media.enter();
    connection = Realtime.open({ path: config.socket, chat: true, onFrame: handle, onStatus: onStatus });
  });

  // ------------------------------------------------------------------ controls
  // 离开 asks once, in the page (no pop-up for a learner): the question opens under the button.
  function confirmation(opener, box, yes, no) {
    function show(open) {
      box.hidden = !open;
      opener.setAttribute("aria-expanded", String(open));
      (open ? yes : opener).focus();
    }
    opener.addEventListener("click", function () { show(box.hidden); });
    no.addEventListener("click", function () { show(false); });
    return function () { box.hidden = true; opener.setAttribute("aria-expanded", "false"); };
  }

  if (!isTeacher) {
    confirmation($("leave"), $("leave-confirm"), $("leave-yes"), $("leave-no"));
    $("hand").addEventListener("click", function () {
      var raised = $("hand").getAttribute("aria-pressed") === "true";
      send({ type: raised ? "hand.lower" : "hand.raise" });
      if (!raised) { say(S.handUp); }
    });
    $("sound-problem").addEventListener("click", function () {
      $("device-check").scrollIntoView();
      $("play-test-sound").focus();
    });
  } else {
    $("start-class").addEventListener("click", function () {
      send({ type: "class.start", record: $("record-choice").checked });
    });
    $("record-toggle").addEventListener("click", function () {
      send({ type: "recording.set", on: !(room.state && room.state.recording) });
    });
    // 下课 asks in confirm.js's dialog, as every action that cannot be taken back does; on yes
    // it is a frame on the socket, not a post.
    $("end-class-form").addEventListener("confirmed", function (event) {
      event.preventDefault();
      // The recording's last seconds are sent first: the server joins the recording at 下课.
      (recorder ? recorder.finish() : Promise.resolve()).then(function () { send({ type: "class.end" }); });
    });
    $("mute-all").addEventListener("click", function () { send({ type: "mute.all" }); });
    $("lock-chat").addEventListener("click", function () {
      send({ type: "chat.lock", locked: !(room.state && room.state.chat_locked) });
    });
  }
})();
