// Recording the class from the teacher's browser (the embedded mode; with the SFU the video
// server records). Loaded on the teacher's page only; classroom-room.js makes it with
// ClassroomRecorder(room) and calls onState(state) and, at 下课, finish() before sending class.end.
//
// What is recorded is what learners see and hear, never a learner's camera: a canvas drawn from
// the teacher's outgoing video (camera or shared screen: room.localStream) or, while the phone
// on the desk sends (room.deskStream), the desk view large with the teacher small; and one
// audio track mixed with WebAudio from the teacher's microphone and the voices of learners
// while they are asked to speak (room.speakerStreams).
//
// A MediaRecorder hands over a chunk every CHUNK_MS; each is uploaded over HTTP (POST
// recordingUpload?part=&seq=&t=) in order, retried with backoff until the server has it.
// The server stores a chunk once by (part, seq), so a retry of one it already has is harmless.
// A reloaded page starts a new part (a new MediaRecorder, a new key): a dropped laptop loses
// at most the chunk it was recording. On room (window.classroom): recording = {active, part,
// uploaded, pending}, for the browser tests.
window.ClassroomRecorder = function (room) {
  "use strict";
  var S = room.strings;
  // A chunk every 4 s: a laptop that drops loses at most these seconds, and each upload
  // stays around 1 MB (camera at ~2 Mbit/s), well inside the server's 8 MB cap.
  var CHUNK_MS = 4000;
  // Retries start soon (a blip) and back off to half a minute (the network is away a while).
  var RETRY_FIRST_MS = 1000;
  var RETRY_MAX_MS = 30000;
  // 下课 waits this long at most for the last chunks before ending the class anyway.
  var FINISH_WAIT_MS = 8000;
  // 720p at 25 frames a second: a board or a brush stays readable; a phone plays it smoothly.
  var WIDTH = 1280, HEIGHT = 720, FRAME_RATE = 25;
  // The teacher's face in the corner while the desk view fills the picture: a quarter of the width.
  var INSET = 0.25;
  var TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
  // Refusals the server will not change its mind about (docs: classes/recordings/views.py): drop the chunk.
  var FINAL_STATUSES = [400, 403, 404, 409, 413, 415];

  var recorder = null, partKey = "", seq = 0, startedAt = 0;
  var queue = [], sending = false, retryMs = RETRY_FIRST_MS, retryTimer = null;
  var canvas = null, paint = null, tick = null, audio = null, mixed = null;
  var teacherVideo = null, deskVideo = null;
  var voices = new Map(); // participant id → the WebAudio source of their voice
  var micSource = null, micTrack = null;
  var status = room.recording = { active: false, part: "", uploaded: 0, pending: 0 };

  function wanted(state) {
    return state.status === "live" && state.recording && state.recording_by === "browser";
  }

  function onState(state) {
    if (wanted(state)) { start(); mixVoices(state); } else if (recorder) { stop(); }
  }

  // ------------------------------------------------------------------ picture
  function videoOf(stream, element) {
    if (!element) {
      element = document.createElement("video");
      element.muted = true;
      element.playsInline = true;
    }
    if (element.srcObject !== stream) {
      element.srcObject = stream || null;
      if (stream) { element.play().catch(function () {}); }
    }
    return element;
  }

  function fit(video, x, y, width, height) {
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return; }
    var scale = Math.min(width / w, height / h);
    paint.drawImage(video, x + (width - w * scale) / 2, y + (height - h * scale) / 2, w * scale, h * scale);
  }

  function draw() {
    teacherVideo = videoOf(room.localStream, teacherVideo);
    var desk = room.deskStream && room.deskStream.getVideoTracks().length ? room.deskStream : null;
    deskVideo = videoOf(desk, deskVideo);
    paint.fillStyle = "#000";
    paint.fillRect(0, 0, WIDTH, HEIGHT);
    if (desk && deskVideo.videoWidth) {
      fit(deskVideo, 0, 0, WIDTH, HEIGHT);
      var w = WIDTH * INSET, h = HEIGHT * INSET;
      fit(teacherVideo, WIDTH - w - 16, HEIGHT - h - 16, w, h);
    } else {
      fit(teacherVideo, 0, 0, WIDTH, HEIGHT);
    }
  }

  // ------------------------------------------------------------------ sound
  function source(stream) {
    return audio.createMediaStreamSource(new MediaStream(stream.getAudioTracks()));
  }

  // The teacher's microphone (it may change: a class started again opens a new one), and each
  // learner's voice while the teacher has asked them to speak, never longer.
  function mixVoices(state) {
    if (!audio) { return; }
    var mic = room.localStream && room.localStream.getAudioTracks()[0];
    if (mic !== micTrack) {
      if (micSource) { micSource.disconnect(); micSource = null; }
      micTrack = mic || null;
      if (mic) { micSource = source(room.localStream); micSource.connect(mixed); }
    }
    var speaking = new Set((state || room.state || { participants: [] }).participants
      .filter(function (p) { return p.may_speak; }).map(function (p) { return p.id; }));
    room.speakerStreams.forEach(function (stream, id) {
      if (speaking.has(id) && !voices.has(id) && stream.getAudioTracks().length) {
        var voice = source(stream);
        voice.connect(mixed);
        voices.set(id, voice);
      }
    });
    voices.forEach(function (voice, id) {
      if (!speaking.has(id) || !room.speakerStreams.has(id)) { voice.disconnect(); voices.delete(id); }
    });
  }

  // ------------------------------------------------------------------ recording
  function start() {
    if (recorder || !window.MediaRecorder) { return; }
    var type = TYPES.find(function (t) { return MediaRecorder.isTypeSupported(t); });
    if (!type) { return; }
    canvas = document.createElement("canvas");
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    paint = canvas.getContext("2d");
    var Context = window.AudioContext || window.webkitAudioContext;
    audio = new Context();
    audio.resume().catch(function () {});
    mixed = audio.createMediaStreamDestination();
    micTrack = null;
    mixVoices(room.state);
    draw();
    tick = new Worker(room.config.recordingTick);
    var beats = 0;
    tick.onmessage = function () {
      draw();
      beats += 1;
      if (beats % FRAME_RATE === 0) { mixVoices(room.state); } // a voice that arrived between states
    };
    var stream = new MediaStream(canvas.captureStream(FRAME_RATE).getVideoTracks().concat(mixed.stream.getAudioTracks()));
    partKey = window.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
    seq = 0;
    startedAt = Date.now();
    recorder = new MediaRecorder(stream, { mimeType: type });
    var key = partKey;
    recorder.ondataavailable = function (event) {
      if (!event.data || !event.data.size) { return; }
      queue.push({ part: key, seq: seq++, t: Date.now() - startedAt, blob: event.data });
      status.pending = queue.length;
      send();
    };
    recorder.start(CHUNK_MS);
    status.active = true;
    status.part = key;
  }

  // Resolves once the recorder has handed over its last chunk (dataavailable comes before stop).
  function stop() {
    if (!recorder) { return Promise.resolve(); }
    var stopping = recorder;
    var stopped = new Promise(function (resolve) {
      if (stopping.state === "inactive") { resolve(); return; }
      stopping.addEventListener("stop", function () { resolve(); });
      stopping.stop();
    });
    recorder = null;
    status.active = false;
    if (tick) { tick.terminate(); tick = null; }
    voices.forEach(function (voice) { voice.disconnect(); });
    voices.clear();
    if (micSource) { micSource.disconnect(); micSource = null; }
    if (audio) { audio.close().catch(function () {}); audio = null; }
    [teacherVideo, deskVideo].forEach(function (v) { if (v) { v.srcObject = null; } });
    return stopped;
  }

  // ------------------------------------------------------------------ upload, in order
  function showRetrying(on) {
    if (on) { room.setMediaProblem(S.recordingRetrying); }
    else if (room.mediaProblem === S.recordingRetrying) { room.setMediaProblem(""); }
  }

  function sent() {
    queue.shift();
    status.pending = queue.length;
    sending = false;
    send();
  }

  function send() {
    if (sending || !queue.length) { return; }
    sending = true;
    var chunk = queue[0];
    var url = room.config.recordingUpload + "?part=" + encodeURIComponent(chunk.part) + "&seq=" + chunk.seq + "&t=" + chunk.t;
    fetch(url, {
      method: "POST", body: chunk.blob, credentials: "same-origin",
      headers: { "Content-Type": "video/webm", "X-CSRFToken": ChatCommon.csrf() },
    }).then(function (response) {
      if (response.ok) {
        status.uploaded += 1;
        retryMs = RETRY_FIRST_MS;
        showRetrying(false);
        sent();
      } else if (FINAL_STATUSES.indexOf(response.status) >= 0) {
        sent(); // refused for good (the class ended, recording stopped): sending again changes nothing
      } else {
        throw new Error(String(response.status));
      }
    }).catch(function () {
      sending = false;
      showRetrying(true);
      var wait = retryMs * (0.75 + Math.random() / 2); // jitter: many pages retry at different moments
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(send, wait);
    });
  }

  // 下课: stop, and wait (a little) for the last chunks to reach the server.
  function finish() {
    var began = Date.now();
    return stop().then(function () {
      if (!queue.length && !sending) { return; }
      room.say(S.recordingSaving);
      return new Promise(function (resolve) {
        (function wait() {
          if ((!queue.length && !sending) || Date.now() - began > FINISH_WAIT_MS) { resolve(); return; }
          setTimeout(wait, 100);
        })();
      });
    });
  }

  return { onState: onState, finish: finish };
};
