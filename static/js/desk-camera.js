// The desk camera: the teacher's phone, on /desk/<token>/ once its token is redeemed, films the
// desk with its back camera (video only, never the microphone) and sends it into the class as
// the teacher's desk view (docs/realtime.md, "Desk camera").
//
// It joins the class socket as the participant of role "desk" (/ws/class/<id>/desk/, no chat)
// and sends its picture the way the room's video travels, as the server says in `welcome`
// and `media`:
// - embedded: one PeerConnection to the teacher's browser, which passes the picture on to
//   each learner. This page offers; the teacher's page answers. A teacher's page that has
//   no connection to the desk (it reloaded) asks for one with `renew`, as a learner's does.
// - sfu: it joins Janus's VideoRoom as a publisher with its own feed and token, and
//   publishes its video only; learners subscribe to that feed (`desk_feed`).
// The screen is kept awake where the browser allows (Wake Lock). 停止 ends it all.
// Its state is on window.deskCamera, for the browser tests.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("desk-config").textContent);
  var S = config.strings;
  var $ = function (id) { return document.getElementById(id); };
  var VIDEOROOM = "janus.plugin.videoroom";
  // As classroom-media.js: a connection still being set up after this long is made again.
  var STUCK_MS = 4000;
  var CHECK_EVERY_MS = 1000;
  // As realtime.js and classroom-sfu.js: 0.5 s doubling to 15 s, with jitter.
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 15000;

  var desk = window.deskCamera = {
    status: "starting", mode: "", stream: null, pc: null, pcId: null, teacher: null, madeAt: 0,
    janus: null, publishPc: null, connection: null,
  };
  var state = null, media = null, stopped = false, wakeLock = null, sfuRun = 0, sfuAttempts = 0, sfuTimer = null;

  function say(text) { if ($("desk-status").textContent !== text) { $("desk-status").textContent = text; } }

  // ------------------------------------------------------------------ the screen stays on
  function keepAwake() {
    if (stopped || !navigator.wakeLock || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
  }
  // A lock is let go when the page is hidden; it is taken again when the page is back.
  document.addEventListener("visibilitychange", keepAwake);

  // ------------------------------------------------------------------ the socket
  function onStatus(status) {
    if (status === "reconnecting") { say(S.reconnecting); }
    else if (status === "final") { finish(S.refused); }
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome": setMedia(frame.media); break;
      case "media": setMedia(frame); break;
      case "state":
        state = frame;
        if (frame.status === "ended") { finish(S.ended); } else { syncEmbedded(); }
        break;
      case "signal": onSignal(frame.from, frame.data); break;
      case "removed": finish(S.refused); break;
      default: break;
    }
  }

  function send(frame) { return desk.connection ? desk.connection.send(frame) : false; }

  function setMedia(fresh) {
    fresh = fresh && fresh.mode === "sfu" ? fresh : { mode: "embedded" };
    var same = media && media.mode === fresh.mode &&
      (fresh.mode !== "sfu" || (media.room === fresh.room && media.feed === fresh.feed && media.server === fresh.server));
    media = fresh;
    desk.mode = fresh.mode;
    if (same) { return; }
    closeEmbedded();
    stopSfu();
    if (fresh.mode === "sfu") { startSfu(); } else { syncEmbedded(); }
  }

  // ------------------------------------------------------------------ embedded: to the teacher's browser
  function teacher() {
    return state && state.participants.find(function (p) { return p.role === "teacher" && p.online; });
  }

  function working() {
    var pc = desk.pc;
    if (!pc) { return false; }
    var s = pc.connectionState;
    return s === "connected" || ((s === "new" || s === "connecting") && Date.now() - desk.madeAt < STUCK_MS);
  }

  function syncEmbedded() {
    if (stopped || !desk.stream || !media || media.mode !== "embedded") { return; }
    var t = teacher();
    if (!t) { closeEmbedded(); say(S.waitingTeacher); return; }
    if (!working() || desk.teacher !== t.id) { connectTo(t.id, Realtime.newId()); }
  }

  function connectTo(to, id) {
    closeEmbedded();
    var pc = new RTCPeerConnection({ iceServers: config.iceServers });
    desk.pc = pc;
    desk.pcId = id;
    desk.teacher = to;
    desk.madeAt = Date.now();
    pc.onicecandidate = function (event) {
      if (event.candidate) { send({ type: "signal", to: to, data: { pc: id, candidate: event.candidate } }); }
    };
    pc.onnegotiationneeded = function () {
      pc.setLocalDescription().then(function () {
        send({ type: "signal", to: to, data: { pc: id, description: pc.localDescription } });
      }).catch(function () {});
    };
    pc.onconnectionstatechange = function () {
      if (pc === desk.pc && pc.connectionState === "connected") { desk.status = "sending"; say(S.sending); }
    };
    desk.stream.getVideoTracks().forEach(function (track) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [desk.stream] });
    });
  }

  function closeEmbedded() {
    if (desk.pc) { desk.pc.close(); }
    desk.pc = desk.pcId = desk.teacher = null;
  }

  function onSignal(from, data) {
    if (stopped || !data || !data.pc || !media || media.mode !== "embedded") { return; }
    if (data.renew) { // the teacher's page has no connection to us: a fresh one, with its id
      if (desk.stream && data.pc !== desk.pcId) { connectTo(from, data.pc); }
      return;
    }
    if (!desk.pc || data.pc !== desk.pcId) { return; }
    var pc = desk.pc;
    if (data.description) {
      pc.setRemoteDescription(data.description).then(function () {
        if (data.description.type !== "offer") { return; }
        return pc.setLocalDescription().then(function () {
          send({ type: "signal", to: from, data: { pc: data.pc, description: pc.localDescription } });
        });
      }).catch(function () {});
    } else if (data.candidate) {
      pc.addIceCandidate(data.candidate).catch(function () {});
    }
  }

  // ------------------------------------------------------------------ sfu: its own feed in Janus's room
  function startSfu() {
    if (stopped || !desk.stream || !media || media.mode !== "sfu") { return; }
    clearTimeout(sfuTimer);
    var run = ++sfuRun;
    var current = function () { return run === sfuRun && !stopped; };
    JanusRoom.connect({
      server: media.server, token: media.token,
      onClose: function () { if (current()) { sfuLost(); } },
    }).then(function (session) {
      if (!current()) { session.close(); return null; }
      desk.janus = session;
      return session.attach(VIDEOROOM, {
        onEvent: function (data) {
          if (!current()) { return; }
          if (data.videoroom === "destroyed" || (data.leaving === "ok" && data.reason === "kicked")) { sfuLost(); }
        },
        onHangup: function () { if (current()) { sfuLost(); } },
      }).then(function (participant) {
        if (!current()) { return null; }
        return participant.request({
          request: "join", ptype: "publisher", room: media.room, id: media.feed, token: media.token,
          display: state && state.desk ? state.desk.name : "",
        }).then(function () { return participant; });
      });
    }).then(function (participant) {
      if (!participant || !current()) { return null; }
      var pc = new RTCPeerConnection({ iceServers: config.iceServers });
      desk.publishPc = pc;
      participant.connect(pc);
      desk.stream.getVideoTracks().forEach(function (track) {
        pc.addTransceiver(track, { direction: "sendonly", streams: [desk.stream] });
      });
      return pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).then(function () {
        return participant.request({ request: "publish", audio: false, video: true }, pc.localDescription);
      }).then(function (answer) {
        if (!current()) { return; }
        if (answer.jsep) { return pc.setRemoteDescription(answer.jsep); }
      }).then(function () {
        if (!current()) { return; }
        sfuAttempts = 0;
        desk.status = "sending";
        say(S.sending);
      });
    }).catch(function () { if (current()) { sfuLost(); } });
  }

  function stopSfu() {
    sfuRun += 1;
    clearTimeout(sfuTimer);
    if (desk.publishPc) { desk.publishPc.close(); }
    if (desk.janus) { desk.janus.close(); }
    desk.publishPc = desk.janus = null;
  }

  function sfuLost() {
    stopSfu();
    if (stopped || (state && state.status === "ended")) { return; }
    say(S.videoLost);
    sfuAttempts += 1;
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, sfuAttempts - 1));
    sfuTimer = setTimeout(startSfu, ceiling * (0.5 + Math.random() / 2));
  }

  // ------------------------------------------------------------------ stopping
  function finish(words) {
    if (stopped) { return; }
    stopped = true;
    desk.status = "stopped";
    closeEmbedded();
    stopSfu();
    if (desk.stream) { desk.stream.getTracks().forEach(function (track) { track.stop(); }); }
    $("desk-preview").srcObject = null;
    if (desk.connection) { desk.connection.close(); }
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
    $("desk-stop").disabled = true;
    say(words);
  }

  $("desk-stop").addEventListener("click", function () { finish(S.stopped); });

  // ------------------------------------------------------------------ starting
  // The back camera, picture only: the class hears the teacher's own microphone.
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
    if (stopped) { stream.getTracks().forEach(function (track) { track.stop(); }); return; }
    desk.stream = stream;
    $("desk-preview").srcObject = stream;
    $("desk-preview").play().catch(function () {});
    keepAwake();
    say(S.waitingTeacher);
    desk.connection = Realtime.open({ path: config.socket, chat: false, onFrame: handle, onStatus: onStatus });
    setInterval(syncEmbedded, CHECK_EVERY_MS);
  }).catch(function () {
    desk.status = "failed";
    say(S.cameraFailed);
  });
})();
