// What the live class's two media paths share (classroom-media.js, where the teacher's
// browser sends to each learner, and classroom-sfu.js, through Janus's VideoRoom): playing
// the teacher's video and classmates' voices, with the full-width 点我打开声音 when a browser
// still blocks sound; the next camera; and how good a receiving connection is.
//
// ClassroomAV(room) is made once per page, by classroom-media-mode.js.
window.ClassroomAV = function (room) {
  "use strict";
  var isTeacher = room.isTeacher;
  var $ = function (id) { return document.getElementById(id); };
  // Round trip to the sender. ITU-T G.114 finds one-way delay under 150 ms unnoticed in
  // conversation and over 400 ms unacceptable: about 0.3 s and 1 s there and back.
  var GOOD_RTT_S = 0.3;
  var POOR_RTT_S = 1;
  var video = $("teacher-video");

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

  // A voice (a classmate asked to speak), in its own audio element, found again by its key.
  function audioFor(key) { return document.querySelector('#speaker-audio audio[data-key="' + CSS.escape(key) + '"]'); }

  function playAudio(key, stream) {
    var audio = audioFor(key);
    if (!audio) {
      audio = document.createElement("audio");
      audio.dataset.key = key;
      $("speaker-audio").append(audio);
    }
    if (audio.srcObject !== stream) { audio.srcObject = stream; }
    play(audio);
  }

  function dropAudio(key) {
    var audio = audioFor(key);
    if (audio) { audio.srcObject = null; audio.remove(); }
  }

  function dropAllAudio() {
    document.querySelectorAll("#speaker-audio audio").forEach(function (audio) { audio.srcObject = null; audio.remove(); });
  }

  // The teacher's video element, for a learner: the stream to show, or nothing (the placeholder).
  function showTeacher(stream) {
    if (video.srcObject !== stream) { video.srcObject = stream; }
    $("stage-placeholder").hidden = !!stream;
    if (stream) { play(video); }
  }

  var cameraIndex = 0;
  function nextCamera() {
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var cameras = devices.filter(function (d) { return d.kind === "videoinput"; });
      cameraIndex = (cameraIndex + 1) % Math.max(cameras.length, 1);
      var constraints = cameras.length ? { deviceId: { exact: cameras[cameraIndex].deviceId } } : true;
      return navigator.mediaDevices.getUserMedia({ video: constraints });
    });
  }

  // "good", "poor" or "bad" for the connection a learner receives the teacher on.
  function qualityOf(pc) {
    return pc.getStats().then(function (stats) {
      var rtt = null;
      stats.forEach(function (report) {
        if (report.type === "candidate-pair" && report.state === "succeeded" && report.currentRoundTripTime !== undefined) {
          rtt = report.currentRoundTripTime;
        }
      });
      var state = pc.connectionState;
      if (state === "failed" || state === "disconnected") { return "bad"; }
      return rtt === null || rtt < GOOD_RTT_S ? "good" : rtt < POOR_RTT_S ? "poor" : "bad";
    });
  }

  return {
    video: video, play: play, playAudio: playAudio, dropAudio: dropAudio, dropAllAudio: dropAllAudio,
    showTeacher: showTeacher, nextCamera: nextCamera, qualityOf: qualityOf,
  };
};
