// The live class: socket with resume, chat, hands, teacher controls and WebRTC.
// Protocol: docs/realtime.md. The teacher's browser is the hub: it sends its camera
// and microphone to each learner, and forwards the voice of a learner who has been
// asked to speak to everyone else.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("room-config").textContent);
  var S = config.strings;
  var isTeacher = config.role === "teacher";
  var $ = function (id) { return document.getElementById(id); };
  var fmt = ChatCommon.fmt;
  var csrf = ChatCommon.csrf;
  var newId = ChatCommon.newId;

  // Heartbeat both ways keeps NAT bindings open and lets the server spot dead sockets.
  var HEARTBEAT_MS = 20000;
  var RECONNECT_BASE_MS = 500;
  var RECONNECT_MAX_MS = 15000;
  var QUALITY_EVERY_MS = 5000;
  var CLOSE_FINAL = { 4401: "notSignedIn", 4403: "notAllowed", 4404: "notAllowed" };

  var room = {
    me: null, state: null, lastSeq: 0, seen: new Set(), outbox: new Map(),
    socket: null, attempts: 0, heartbeat: null, finished: false, entered: false,
    peers: new Map(), localStream: null, speakerStreams: new Map(), mic: null, quality: "",
  };
  window.classroom = room; // read by support staff's console and by the browser tests
  room.resume = ChatCommon.resume(function (from) { send({ type: "hello", last_seq: from }); });

  var video = $("teacher-video");
  var say = function (text) { $("room-status").textContent = text; };
  // Controls that act through the socket wait for it, so a tap is never silently lost.
  var enableSocketControls = function (enabled) {
    document.querySelectorAll("[data-needs-socket]").forEach(function (b) { b.disabled = !enabled; });
  };

  // ------------------------------------------------------------------ unsupported browsers
  var supported = !!(window.RTCPeerConnection && navigator.mediaDevices && window.WebSocket);
  if (!supported) {
    $("unsupported").hidden = false;
    $("prejoin").hidden = true;
    $("device-check").hidden = true;
    return;
  }

  // ------------------------------------------------------------------ waiting-room countdown
  var startsAt = new Date(config.startsAt);
  function tick() {
    var minutes = Math.ceil((startsAt - new Date()) / 60000);
    var status = room.state ? room.state.status : "waiting";
    $("room-countdown").textContent = status === "waiting" && minutes > 0 ? fmt(S.startsIn, { minutes: minutes }) : "";
  }
  tick();
  setInterval(tick, 30000);

  // ------------------------------------------------------------------ socket
  function send(frame) {
    if (room.socket && room.socket.readyState === WebSocket.OPEN) {
      room.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    say(room.attempts ? S.reconnecting : S.connecting);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + config.socket);
    room.socket = socket;
    socket.onopen = function () {
      room.attempts = 0;
      send({ type: "hello", last_seq: room.resume.hello() });
      clearInterval(room.heartbeat);
      room.heartbeat = setInterval(function () { send({ type: "ping" }); }, HEARTBEAT_MS);
      room.outbox.forEach(function (text, clientId) { send({ type: "chat.send", client_id: clientId, text: text }); });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      clearInterval(room.heartbeat);
      enableSocketControls(false);
      if (room.finished) { return; }
      if (CLOSE_FINAL[event.code]) {
        room.finished = true;
        say(S[CLOSE_FINAL[event.code]]);
        return;
      }
      room.attempts += 1;
      var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * Math.pow(2, room.attempts));
      say(S.reconnecting);
      setTimeout(connect, delay * (0.5 + Math.random())); // jitter: not everyone at once
    };
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome": room.me = frame.you; say(S.connected); enableSocketControls(true); break;
      case "state": renderState(frame); break;
      case "chat.message": showMessage(frame); break;
      case "chat.synced": room.lastSeq = Math.max(room.lastSeq, frame.last_seq); room.resume.synced(frame.last_seq); break;
      case "chat.reload":
        // Too much was missed (or the number is not this room's): start the list again.
        $("chat-messages").textContent = "";
        room.seen.clear();
        room.lastSeq = 0;
        room.resume.reset();
        send({ type: "hello", last_seq: room.resume.hello() });
        break;
      case "speak": frame.allowed ? startSpeaking() : stopSpeaking(true); break;
      case "removed": room.finished = true; say(frame.message || S.removed); $("room").hidden = true; break;
      case "signal": onSignal(frame.from, frame.data); break;
      case "error": showError(frame); break;
      default: break;
    }
  }

  // ------------------------------------------------------------------ room state
  function roleLabel(role) { return S[role] || role; }

  function renderState(state) {
    room.state = state;
    var me = state.participants.find(function (p) { return p.id === room.me; });
    if (state.status === "live") { say(S.live); }
    else if (state.status === "ended") { say(S.ended + (state.next_class ? " " + fmt(S.nextClass, { time: state.next_class }) : "")); }
    else { say(S.waiting); }
    tick();
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
      syncPeers(state);
    }
  }

  function renderPeople(state) {
    var list = $("people");
    list.textContent = "";
    var here = state.participants.filter(function (p) { return p.online; }).length;
    $("people-count").textContent = fmt(S.peopleHere, { count: here });
    state.participants.forEach(function (p) {
      if (p.id === room.me) { return; }
      var item = document.createElement("li");
      item.className = "person" + (p.hand ? " person--hand" : "");
      item.dataset.participant = p.id;
      var words = [roleLabel(p.role), p.online ? S.online : S.offline];
      if (p.hand) { words.push(S.handRaised); }
      if (p.may_speak) { words.push(S.speaking); }
      if (p.quality) { words.push(S["quality" + p.quality.charAt(0).toUpperCase() + p.quality.slice(1)]); }
      var name = document.createElement("strong");
      name.textContent = p.name;
      var detail = document.createElement("span");
      detail.className = "person__state";
      detail.textContent = " " + words.join(" · ");
      item.append(name, detail);
      if (p.role === "learner" || p.role === "volunteer") {
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

  var button = ChatCommon.button;

  // ------------------------------------------------------------------ chat
  function showMessage(message) {
    room.lastSeq = Math.max(room.lastSeq, message.seq);
    room.resume.seen(message.seq);
    if (room.outbox.has(message.client_id)) {
      room.outbox.delete(message.client_id);
      var pending = document.querySelector('[data-pending="' + CSS.escape(message.client_id) + '"]');
      if (pending) { pending.remove(); }
    }
    if (room.seen.has(message.seq)) { return; } // a replay of one we already show
    room.seen.add(message.seq);
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
    if (!text) { return; }
    var clientId = newId();
    room.outbox.set(clientId, text);
    var item = document.createElement("li");
    item.className = "chat__message chat__message--pending";
    item.dataset.pending = clientId;
    item.textContent = text + " — " + (send({ type: "chat.send", client_id: clientId, text: text }) ? S.sending : S.notSent);
    $("chat-messages").append(item);
  }

  function showError(frame) {
    if (frame.client_id && room.outbox.has(frame.client_id)) {
      room.outbox.delete(frame.client_id); // refused for good: do not retry it
      var pending = document.querySelector('[data-pending="' + CSS.escape(frame.client_id) + '"]');
      if (pending) { pending.remove(); }
    }
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

  // ------------------------------------------------------------------ WebRTC
  function newPeer(participantId, pcId, polite) {
    var pc = new RTCPeerConnection({ iceServers: config.iceServers });
    var peer = { pc: pc, id: pcId, participant: participantId, polite: polite, makingOffer: false,
                 ignoreOffer: false, forwarded: new Map() };
    pc.onicecandidate = function (event) {
      if (event.candidate) { send({ type: "signal", to: participantId, data: { pc: pcId, candidate: event.candidate } }); }
    };
    pc.onnegotiationneeded = function () {
      peer.makingOffer = true;
      pc.setLocalDescription().then(function () {
        send({ type: "signal", to: participantId, data: { pc: pcId, description: pc.localDescription } });
      }).catch(function () {}).finally(function () { peer.makingOffer = false; });
    };
    pc.ontrack = function (event) { onRemoteTrack(peer, event); };
    room.peers.set(participantId, peer);
    return peer;
  }

  function closePeer(participantId) {
    var peer = room.peers.get(participantId);
    if (peer) { peer.pc.close(); room.peers.delete(participantId); }
  }

  function onSignal(from, data) {
    if (!data || !data.pc) { return; }
    var peer = room.peers.get(from);
    if (!peer || peer.id !== data.pc) {
      if (isTeacher && !room.localStream) { return; }
      // A new connection from the other side (it reloaded, or the old one failed).
      closePeer(from);
      peer = newPeer(from, data.pc, !isTeacher);
      if (isTeacher) { addLocalTracks(peer); }
    }
    var pc = peer.pc;
    if (data.description) {
      var collision = data.description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) { return; }
      pc.setRemoteDescription(data.description).then(function () {
        if (data.description.type !== "offer") { return; }
        return pc.setLocalDescription().then(function () {
          send({ type: "signal", to: from, data: { pc: peer.id, description: pc.localDescription } });
        });
      }).catch(function () {});
    } else if (data.candidate) {
      pc.addIceCandidate(data.candidate).catch(function () {});
    }
  }

  function onRemoteTrack(peer, event) {
    var stream = event.streams[0];
    if (isTeacher) {
      // A learner's voice: play it here, and pass it on to everyone else.
      room.speakerStreams.set(peer.participant, stream);
      playAudio("speaker-" + peer.participant, stream);
      room.peers.forEach(function (other) { if (other !== peer) { forward(other, peer.participant, stream); } });
      return;
    }
    if (!video.srcObject || video.srcObject.id === stream.id || event.track.kind === "video") {
      if (video.srcObject !== stream) { video.srcObject = stream; }
      $("stage-placeholder").hidden = true;
      play(video);
    } else {
      playAudio("speaker-" + stream.id, stream); // a classmate the teacher asked to speak
    }
  }

  function playAudio(key, stream) {
    var audio = document.querySelector('audio[data-key="' + key + '"]');
    if (!audio) {
      audio = document.createElement("audio");
      audio.dataset.key = key;
      $("speaker-audio").append(audio);
    }
    audio.srcObject = stream;
    play(audio);
  }

  function play(element) {
    var started = element.play();
    if (started && started.catch) {
      started.catch(function (error) {
        // Only a refusal to play sound needs the learner's tap; other errors are the stream's.
        if (error && error.name === "NotAllowedError") { $("unmute").hidden = false; }
      });
    }
  }

  $("unmute").addEventListener("click", function () {
    document.querySelectorAll("video, audio").forEach(function (el) { if (el.srcObject) { el.muted = isTeacher && el === video; el.play(); } });
    $("unmute").hidden = true;
  });

  // ---- teacher side
  function addLocalTracks(peer) {
    room.localStream.getTracks().forEach(function (track) { peer.pc.addTrack(track, room.localStream); });
    room.speakerStreams.forEach(function (stream, speaker) { if (speaker !== peer.participant) { forward(peer, speaker, stream); } });
  }

  function forward(peer, speaker, stream) {
    if (peer.forwarded.has(speaker)) { return; }
    peer.forwarded.set(speaker, stream.getAudioTracks().map(function (track) { return peer.pc.addTrack(track, stream); }));
  }

  function stopForwarding(speaker) {
    room.peers.forEach(function (peer) {
      (peer.forwarded.get(speaker) || []).forEach(function (sender) { try { peer.pc.removeTrack(sender); } catch (e) {} });
      peer.forwarded.delete(speaker);
    });
    room.speakerStreams.delete(speaker);
    var audio = document.querySelector('audio[data-key="speaker-' + speaker + '"]');
    if (audio) { audio.remove(); }
  }

  function syncPeers(state) {
    if (!room.localStream) { return; }
    var present = new Set();
    state.participants.forEach(function (p) {
      if (p.id === room.me || p.role === "teacher") { return; }
      present.add(p.id);
      // The teacher decides who is heard: a voice is forwarded only while allowed.
      if (!p.may_speak && room.speakerStreams.has(p.id)) { stopForwarding(p.id); }
      var peer = room.peers.get(p.id);
      var broken = peer && ["failed", "closed"].indexOf(peer.pc.connectionState) >= 0;
      if (p.online && (!peer || broken)) {
        closePeer(p.id);
        addLocalTracks(newPeer(p.id, newId(), false));
      }
    });
    room.peers.forEach(function (peer, id) { if (!present.has(id)) { stopForwarding(id); closePeer(id); } });
  }

  // ---- learner side
  function teacherPeer() {
    var teacher = room.state && room.state.participants.find(function (p) { return p.role === "teacher"; });
    return teacher ? room.peers.get(teacher.id) : null;
  }

  function startSpeaking() {
    var peer = teacherPeer();
    $("speak-banner").hidden = false;
    $("speak-banner").textContent = S.speakNow;
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      room.mic = stream;
      if (window.AssistSteps) { AssistSteps.report("microphone_allowed"); } // the volunteer on the phone sees it
      if (peer) { stream.getTracks().forEach(function (track) { peer.micSender = peer.pc.addTrack(track, stream); }); }
    }).catch(function () {
      $("speak-banner").textContent = S.micDenied;
      if (window.AssistSteps) { AssistSteps.report("microphone_blocked"); }
    });
  }

  function stopSpeaking(byTeacher) {
    var peer = teacherPeer();
    if (peer && peer.micSender) { try { peer.pc.removeTrack(peer.micSender); } catch (e) {} peer.micSender = null; }
    if (room.mic) { room.mic.getTracks().forEach(function (track) { track.stop(); }); room.mic = null; }
    $("speak-banner").textContent = byTeacher ? S.speakDone : "";
    $("speak-banner").hidden = !byTeacher;
  }

  function measureQuality() {
    var peer = teacherPeer();
    if (!peer) { return; }
    peer.pc.getStats().then(function (stats) {
      var rtt = null;
      stats.forEach(function (report) {
        if (report.type === "candidate-pair" && report.state === "succeeded" && report.currentRoundTripTime !== undefined) {
          rtt = report.currentRoundTripTime;
        }
      });
      var state = peer.pc.connectionState;
      var level = state === "failed" || state === "disconnected" ? "bad" : rtt === null || rtt < 0.3 ? "good" : rtt < 1 ? "poor" : "bad";
      if (level !== room.quality) { room.quality = level; send({ type: "quality", level: level }); }
    });
  }

  // ------------------------------------------------------------------ entering
  $("enter-room").disabled = false;
  $("enter-room").addEventListener("click", function () {
    if (room.entered) { return; } // a double tap enters once
    room.entered = true;
    $("prejoin").hidden = true;
    $("room").hidden = false;
    if (isTeacher) {
      navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
        room.localStream = stream;
        video.srcObject = stream;
        $("stage-placeholder").hidden = true;
        play(video);
        connect();
      }).catch(function () { say(S.cameraFailed); connect(); });
    } else {
      // This tap is the browser's permission to play sound for the rest of the visit;
      // resuming an audio context inside it makes sure of that on stricter browsers.
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context) { new Context().resume().catch(function () {}); }
      video.muted = false;
      connect();
      setInterval(measureQuality, QUALITY_EVERY_MS);
    }
  });

  if (!isTeacher) {
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
    $("start-class").addEventListener("click", function () { send({ type: "class.start" }); });
    $("end-class").addEventListener("click", function () { send({ type: "class.end" }); });
    $("mute-all").addEventListener("click", function () { send({ type: "mute.all" }); });
    $("lock-chat").addEventListener("click", function () {
      send({ type: "chat.lock", locked: !(room.state && room.state.chat_locked) });
    });
    $("switch-camera").addEventListener("click", function () { switchVideo(nextCamera()); });
    $("share-screen").addEventListener("click", function () {
      if (navigator.mediaDevices.getDisplayMedia) { switchVideo(navigator.mediaDevices.getDisplayMedia({ video: true })); }
    });
  }

  // ---- teacher: change what the camera track shows, on every connection at once
  var cameraIndex = 0;
  function nextCamera() {
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var cameras = devices.filter(function (d) { return d.kind === "videoinput"; });
      cameraIndex = (cameraIndex + 1) % Math.max(cameras.length, 1);
      var constraints = cameras.length ? { deviceId: { exact: cameras[cameraIndex].deviceId } } : true;
      return navigator.mediaDevices.getUserMedia({ video: constraints });
    });
  }

  function switchVideo(streamPromise) {
    Promise.resolve(streamPromise).then(function (stream) {
      var track = stream.getVideoTracks()[0];
      var old = room.localStream.getVideoTracks()[0];
      room.peers.forEach(function (peer) {
        peer.pc.getSenders().forEach(function (sender) { if (sender.track === old) { sender.replaceTrack(track); } });
      });
      if (old) { room.localStream.removeTrack(old); old.stop(); }
      room.localStream.addTrack(track);
      video.srcObject = room.localStream;
    }).catch(function () {});
  }

  // ------------------------------------------------------------------ device check
  function saveCheck(result, finding) {
    try { localStorage.setItem("deviceChecked", "1"); } catch (e) {}
    return fetch(config.checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(result),
    }).then(function () {
      $("check-result").textContent = (finding ? finding + " " : "") + S.checkSaved;
    }).catch(function () {});
  }

  $("play-test-sound").addEventListener("click", function () {
    var context = new (window.AudioContext || window.webkitAudioContext)();
    var tone = context.createOscillator();
    var gain = context.createGain();
    tone.frequency.value = 660;
    gain.gain.value = 0.3;
    tone.connect(gain).connect(context.destination);
    tone.start();
    tone.stop(context.currentTime + 1.2);
    $("check-result").textContent = S.testSoundPlaying;
    $("hear-question").hidden = false;
  });
  document.querySelectorAll("[data-heard]").forEach(function (b) {
    b.addEventListener("click", function () {
      var heard = b.dataset.heard === "yes";
      $("hear-advice").hidden = heard;
      saveCheck({ sound_heard: heard });
    });
  });
  $("check-camera").addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
      var preview = $("check-preview");
      preview.hidden = false;
      preview.srcObject = stream;
      preview.play();
      var context = new (window.AudioContext || window.webkitAudioContext)();
      var analyser = context.createAnalyser();
      context.createMediaStreamSource(stream).connect(analyser);
      var samples = new Uint8Array(analyser.fftSize);
      $("mic-meter").hidden = false;
      var meter = setInterval(function () {
        analyser.getByteTimeDomainData(samples);
        var peak = samples.reduce(function (m, v) { return Math.max(m, Math.abs(v - 128)); }, 0);
        $("mic-level").value = Math.min(100, peak * 2);
      }, 100);
      $("check-result").textContent = S.cameraOk;
      saveCheck({ camera_ok: stream.getVideoTracks().length > 0, microphone_ok: stream.getAudioTracks().length > 0 },
                S.cameraOk);
      // Give the camera back after a short look, so it is free for the class.
      setTimeout(function () {
        clearInterval(meter);
        stream.getTracks().forEach(function (t) { t.stop(); });
        context.close();
        preview.hidden = true;
        $("mic-meter").hidden = true;
      }, 15000);
    }).catch(function () {
      $("check-result").textContent = S.cameraFailed;
      saveCheck({ camera_ok: false, microphone_ok: false }, S.cameraFailed);
    });
  });
})();
