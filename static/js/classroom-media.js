// The live class's media: WebRTC, the teacher's camera, a learner asked to speak, and the
// learner's connection quality. Protocol: docs/realtime.md ("WebRTC"). The teacher's
// browser is the hub: it sends its camera and microphone to each learner, and forwards the
// voice of a learner who has been asked to speak to everyone else.
//
// classroom-room.js makes it with ClassroomMedia(room), where room has config, strings,
// isTeacher, me, state, send(frame) and say(text), and hands it what the socket brings:
// media.onState(state), media.onSignal(from, data), media.speak(allowed). media.enter()
// runs inside the tap on 进入课堂. Its own state stays on room (window.classroom), where the
// support console and the browser tests read it: peers, localStream, speakerStreams, mic.
window.ClassroomMedia = function (room) {
  "use strict";
  var S = room.strings;
  var isTeacher = room.isTeacher;
  var send = room.send;
  var $ = function (id) { return document.getElementById(id); };
  // Often enough to show a worsening connection on the teacher's console within seconds,
  // rarely enough to cost nothing (a report is sent only when the level changes).
  var QUALITY_EVERY_MS = 5000;

  room.peers = new Map();
  room.localStream = null;
  room.speakerStreams = new Map();
  room.mic = null;
  room.quality = "";
  var video = $("teacher-video");

  function newPeer(participantId, pcId, polite) {
    var pc = new RTCPeerConnection({ iceServers: room.config.iceServers });
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

  // ------------------------------------------------------------------ teacher side
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

  // The room's state says who is here and who may be heard; the connections follow it.
  function syncPeers(state) {
    if (!isTeacher || !room.localStream || !state) { return; }
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
        addLocalTracks(newPeer(p.id, Realtime.newId(), false));
      }
    });
    room.peers.forEach(function (peer, id) { if (!present.has(id)) { stopForwarding(id); closePeer(id); } });
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

  if (isTeacher) {
    $("switch-camera").addEventListener("click", function () { switchVideo(nextCamera()); });
    $("share-screen").addEventListener("click", function () {
      if (navigator.mediaDevices.getDisplayMedia) { switchVideo(navigator.mediaDevices.getDisplayMedia({ video: true })); }
    });
  }

  // ------------------------------------------------------------------ learner side
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
  // Inside the tap on 进入课堂. The teacher's camera and microphone are asked for; once they
  // are there, connections are made to whoever the room's state already shows. A learner's
  // tap is the browser's permission to play sound for the rest of the visit; resuming an
  // audio context inside it makes sure of that on stricter browsers.
  function enter() {
    if (isTeacher) {
      navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
        room.localStream = stream;
        video.srcObject = stream;
        $("stage-placeholder").hidden = true;
        play(video);
        syncPeers(room.state);
      }).catch(function () { room.say(S.cameraFailed); });
      return;
    }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context) { new Context().resume().catch(function () {}); }
    video.muted = false;
    setInterval(measureQuality, QUALITY_EVERY_MS);
  }

  return {
    enter: enter,
    onState: syncPeers,
    onSignal: onSignal,
    speak: function (allowed) { if (allowed) { startSpeaking(); } else { stopSpeaking(true); } },
  };
};
