// Which way the live class's video travels, as the server says (docs/realtime.md, "SFU
// mode" and "The browser client"): {"mode": "embedded"} runs classroom-media.js (the
// teacher's browser sends to each learner); {"mode": "sfu", ...} runs classroom-sfu.js
// (Janus's VideoRoom). The `welcome` frame says which, and a `media` frame when the room
// changes its mind mid-class: the old path is torn down and the new one started.
//
// What does not depend on the path stays here, once: the teacher's camera and microphone
// (asked for in the 进入课堂 tap), a learner's microphone while asked to speak, the camera
// switch and screen share, and the learner's connection quality (sent as `quality`, and
// handed to the path, which may choose a lighter video).
//
// classroom-room.js makes it with ClassroomMediaMode(room) and calls enter() in the tap,
// setMode(media) on welcome and media frames, onState, onSignal, speak(allowed), stop().
// On room (window.classroom), for the support console and the browser tests: localStream,
// mic, quality, mediaMode, qualityChanged(level).
window.ClassroomMediaMode = function (room) {
  "use strict";
  var S = room.strings;
  var isTeacher = room.isTeacher;
  var $ = function (id) { return document.getElementById(id); };
  // Often enough to show a worsening connection on the teacher's console within seconds,
  // rarely enough to cost nothing (a report is sent only when the level changes).
  var QUALITY_EVERY_MS = 5000;

  var av = ClassroomAV(room);
  // The teacher's desk view (classroom-desk.js): the paths hand it the desk's picture.
  var desk = room.desk = ClassroomDesk(room, av);
  var path = null, pathKey = "", stopped = false, speakWanted = false, over = false, lastMedia = null;
  room.localStream = null;
  room.mic = null;
  room.quality = "";
  room.mediaMode = "";
  room.peers = new Map();
  room.speakerStreams = new Map();

  // The same SFU room, server and feed is the same path: a fresh token is kept for its next join.
  function keyOf(media) {
    return media.mode === "sfu" ? ["sfu", media.server, media.room, media.feed].join(" ") : "embedded";
  }

  function setMode(media) {
    if (stopped) { return; }
    media = media && media.mode === "sfu" ? media : { mode: "embedded" }; // a server that says nothing: embedded
    lastMedia = media;
    if (over) { return; } // no video after 下课; the path starts again if the class does
    var key = keyOf(media);
    if (path && key === pathKey) { path.update(media); return; }
    if (path) { path.stop(); }
    room.setMediaProblem("");
    room.mediaMode = media.mode;
    pathKey = key;
    path = media.mode === "sfu" ? ClassroomSfu(room, av, media) : ClassroomMedia(room, av);
    path.start();
    if (room.mic) { path.micOn(room.mic); }
  }

  function stop() {
    stopped = true;
    if (path) { path.stop(); }
    path = null;
    if (room.mic) { room.mic.getTracks().forEach(function (track) { track.stop(); }); room.mic = null; }
  }

  // ------------------------------------------------------------------ 下课
  // The class has ended: the teacher's camera and microphone stop, every connection closes and
  // a learner's stage shows no frozen picture. Nothing is sent until the class starts again.
  function classEnded() {
    over = true;
    if (path) { path.onState(room.state); path.stop(); }
    path = null;
    pathKey = "";
    speakWanted = false;
    [room.localStream, room.mic].forEach(function (stream) {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    });
    room.localStream = room.mic = null;
    desk.setStream(null);
    $("speak-banner").hidden = true;
    av.video.srcObject = null;
    $("stage-placeholder").textContent = S.ended;
    $("stage-placeholder").hidden = false;
  }

  function onState(state) {
    desk.onState(state);
    if (state.status === "ended") { if (!over) { classEnded(); } return; }
    if (over) { // started again after 下课
      over = false;
      $("stage-placeholder").textContent = S.noVideoYet;
      if (isTeacher) { openCamera(); }
      if (lastMedia) { setMode(lastMedia); }
    }
    if (path) { path.onState(state); }
  }

  // ------------------------------------------------------------------ a learner's voice
  function startSpeaking() {
    speakWanted = true;
    $("speak-banner").hidden = false;
    $("speak-banner").textContent = S.speakNow;
    if (room.mic) { return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      if (!speakWanted || stopped) { stream.getTracks().forEach(function (track) { track.stop(); }); return; } // taken back meanwhile
      room.mic = stream;
      if (window.AssistSteps) { AssistSteps.report("microphone_allowed"); } // the volunteer on the phone sees it
      if (path) { path.micOn(stream); }
    }).catch(function () {
      $("speak-banner").textContent = S.micDenied;
      if (window.AssistSteps) { AssistSteps.report("microphone_blocked"); }
    });
  }

  function stopSpeaking() {
    speakWanted = false;
    if (path) { path.micOff(); }
    if (room.mic) { room.mic.getTracks().forEach(function (track) { track.stop(); }); room.mic = null; }
    $("speak-banner").textContent = S.speakDone;
    $("speak-banner").hidden = false;
  }

  // ------------------------------------------------------------------ the teacher's camera
  function switchVideo(streamPromise) {
    Promise.resolve(streamPromise).then(function (stream) {
      var track = stream.getVideoTracks()[0];
      var old = room.localStream.getVideoTracks()[0];
      if (path) { path.replaceVideo(old, track); }
      if (old) { room.localStream.removeTrack(old); old.stop(); }
      room.localStream.addTrack(track);
      av.video.srcObject = room.localStream;
    }).catch(function () {});
  }

  if (isTeacher) {
    $("switch-camera").addEventListener("click", function () { switchVideo(av.nextCamera()); });
    $("share-screen").addEventListener("click", function () {
      if (navigator.mediaDevices.getDisplayMedia) { switchVideo(navigator.mediaDevices.getDisplayMedia({ video: true })); }
    });
  }

  // ------------------------------------------------------------------ a learner's connection
  function qualityChanged(level) {
    if (level === room.quality) { return; }
    room.quality = level;
    room.send({ type: "quality", level: level });
    if (path) { path.onQuality(level); }
  }
  room.qualityChanged = qualityChanged;

  function measureQuality() {
    var pc = path && path.receivingPc();
    if (pc) { av.qualityOf(pc).then(qualityChanged).catch(function () {}); }
  }

  // ------------------------------------------------------------------ entering
  // Inside the tap on 进入课堂. The teacher's camera and microphone are asked for; once they
  // are there, the path sends them. A learner's tap is the browser's permission to play
  // sound for the rest of the visit; resuming an audio context inside it makes sure of that
  // on stricter browsers.
  function openCamera() {
    if (room.localStream) { return; }
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
      if (stopped || over) { stream.getTracks().forEach(function (track) { track.stop(); }); return; }
      room.localStream = stream;
      av.video.srcObject = stream;
      $("stage-placeholder").hidden = true;
      av.play(av.video);
      if (path) { path.cameraReady(); }
    }).catch(function () { room.say(S.cameraFailed); });
  }

  function enter() {
    if (isTeacher) { openCamera(); return; }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context) { new Context().resume().catch(function () {}); }
    av.video.muted = false;
    setInterval(measureQuality, QUALITY_EVERY_MS);
  }

  return {
    enter: enter,
    setMode: setMode,
    stop: stop,
    onState: onState,
    onSignal: function (from, data) { if (path) { path.onSignal(from, data); } },
    speak: function (allowed) { if (allowed) { startSpeaking(); } else { stopSpeaking(); } },
  };
};
