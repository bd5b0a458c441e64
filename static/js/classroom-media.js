// The live class's embedded media path: the teacher's browser is the hub. It sends its
// camera and microphone to each learner over a PeerConnection of its own, and forwards the
// voice of a learner who has been asked to speak to everyone else. Signalling goes over the
// class socket. Protocol: docs/realtime.md ("WebRTC").
//
// classroom-media-mode.js makes it with ClassroomMedia(room, av) when the server says
// {"mode": "embedded"}, and stops it when the mode changes. room has config, strings,
// isTeacher, me, state, send(frame), localStream (the teacher's camera) and mic (a learner's
// microphone while asked to speak); av is classroom-av.js's. Its own state stays on room
// (window.classroom), where the support console and the browser tests read it: peers,
// speakerStreams.
window.ClassroomMedia = function (room, av) {
  "use strict";
  var isTeacher = room.isTeacher;
  var send = room.send;

  // What the teacher's camera sends to each learner: the size browsers open a camera at, as
  // the SFU path may have asked for more (each connection here encodes its own copy).
  var CAMERA = { width: { ideal: 640 }, height: { ideal: 480 } };
  // A learner whose page has no working connection to the teacher asks the teacher's page for
  // a fresh one ("renew"), again after this long while none comes: a page that came back
  // (left and re-entered, reloaded, its network back) must not wait for the teacher's browser
  // to notice the old connection died, which takes Chrome 30 s or more.
  var RENEW_EVERY_MS = 2000;
  // A connection still being set up after this long is taken as stuck and asked for again.
  var STUCK_MS = 4000;
  // The teacher's page ignores a renewal for a connection it made itself this recently: its own
  // offer is already on the way (both sides noticed the learner at once).
  var FRESH_MS = 2000;
  var CHECK_EVERY_MS = 1000;

  room.peers = new Map();
  room.speakerStreams = new Map();
  var micSender = null, lastRenewAt = 0, checkTimer = null;
  // The desk camera (the teacher's phone, desk-camera.js) sends its picture to the teacher's page
  // over a connection of its own, and the teacher's page adds it to each learner's connection
  // (renegotiating), so learners still connect to the teacher only.
  var deskPeer = null, deskStream = null, lastDeskRenewAt = 0;

  function newPeer(participantId, pcId, polite) {
    var pc = new RTCPeerConnection({ iceServers: room.config.iceServers });
    var peer = { pc: pc, id: pcId, participant: participantId, polite: polite, makingOffer: false,
                 ignoreOffer: false, forwarded: new Map(), madeAt: Date.now() };
    pc.onicecandidate = function (event) {
      if (event.candidate) { send({ type: "signal", to: participantId, data: { pc: pcId, candidate: event.candidate } }); }
    };
    pc.onnegotiationneeded = function () {
      peer.makingOffer = true;
      pc.setLocalDescription().then(function () {
        send({ type: "signal", to: participantId, data: described(peer, pc.localDescription) });
      }).catch(function () {}).finally(function () { peer.makingOffer = false; });
    };
    pc.ontrack = function (event) { onRemoteTrack(peer, event); };
    room.peers.set(participantId, peer);
    return peer;
  }

  // A description for `peer`'s connection; the teacher's says which stream is the desk camera's,
  // so the learner's page sorts the desk's track from the teacher's when it arrives.
  function described(peer, description) {
    var data = { pc: peer.id, description: description };
    if (isTeacher) { data.desk = peer.deskStream ? peer.deskStream.id : ""; }
    return data;
  }

  function closePeer(participantId) {
    var peer = room.peers.get(participantId);
    if (peer) { peer.pc.close(); room.peers.delete(participantId); }
    if (peer && peer.deskId && !isTeacher) { room.desk.setStream(null); } // its desk picture went with it
  }

  function working(peer) {
    if (!peer) { return false; }
    var state = peer.pc.connectionState;
    return state === "connected" || ((state === "new" || state === "connecting") && Date.now() - peer.madeAt < STUCK_MS);
  }

  function onSignal(from, data) {
    if (!data || !data.pc) { return; }
    if (isTeacher && from === deskId()) { deskSignal(from, data); return; }
    var peer = room.peers.get(from);
    if (data.renew) {
      // A learner's page asks for a fresh connection: replace what we hold for them, unless
      // it is the one we have just offered.
      if (!isTeacher || !room.localStream || (peer && (peer.id === data.pc || (working(peer) && Date.now() - peer.madeAt < FRESH_MS)))) { return; }
      closePeer(from);
      addLocalTracks(newPeer(from, data.pc, false));
      return;
    }
    if (!peer || peer.id !== data.pc) {
      if (isTeacher && !room.localStream) { return; }
      // A new connection from the other side (it reloaded, or the old one failed).
      closePeer(from);
      peer = newPeer(from, data.pc, !isTeacher);
      if (isTeacher) { addLocalTracks(peer); }
    }
    var pc = peer.pc;
    if ("desk" in data && !isTeacher) { // which of the teacher's streams is the desk's ("" for none)
      peer.deskId = data.desk;
      if (!data.desk) { room.desk.setStream(null); }
    }
    if (data.description) {
      var collision = data.description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) { return; }
      pc.setRemoteDescription(data.description).then(function () {
        if (data.description.type !== "offer") { return; }
        return pc.setLocalDescription().then(function () {
          send({ type: "signal", to: from, data: described(peer, pc.localDescription) });
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
      av.playAudio("speaker-" + peer.participant, stream);
      room.peers.forEach(function (other) { if (other !== peer) { forward(other, peer.participant, stream); } });
      return;
    }
    if (peer.deskId && stream && stream.id === peer.deskId) {
      room.desk.setStream(stream);
      return;
    }
    var video = av.video;
    if (!video.srcObject || video.srcObject.id === stream.id || event.track.kind === "video") {
      av.showTeacher(stream);
    } else {
      av.playAudio("speaker-" + stream.id, stream); // a classmate the teacher asked to speak
    }
  }

  // ------------------------------------------------------------------ teacher side
  function addLocalTracks(peer) {
    room.localStream.getTracks().forEach(function (track) { peer.pc.addTrack(track, room.localStream); });
    forwardDesk(peer);
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
    av.dropAudio("speaker-" + speaker);
  }

  // ------------------------------------------------------------------ teacher side: the desk camera
  function deskId() { return room.state && room.state.desk ? room.state.desk.id : null; }

  function deskSignal(from, data) {
    if (data.renew || data.desk !== undefined) { return; }
    if (!deskPeer || deskPeer.id !== data.pc) { // the phone's new connection: the old one goes
      closeDesk();
      var pc = new RTCPeerConnection({ iceServers: room.config.iceServers });
      deskPeer = { pc: pc, id: data.pc, madeAt: Date.now() };
      pc.onicecandidate = function (event) {
        if (event.candidate) { send({ type: "signal", to: from, data: { pc: data.pc, candidate: event.candidate } }); }
      };
      pc.ontrack = function (event) { setDesk(event.streams[0] || new MediaStream([event.track])); };
      pc.onconnectionstatechange = function () {
        if (deskPeer && deskPeer.pc === pc && ["failed", "closed"].indexOf(pc.connectionState) >= 0) { closeDesk(); }
      };
    }
    var peer = deskPeer;
    if (data.description) {
      peer.pc.setRemoteDescription(data.description).then(function () {
        if (data.description.type !== "offer") { return; }
        return peer.pc.setLocalDescription().then(function () {
          send({ type: "signal", to: from, data: { pc: peer.id, description: peer.pc.localDescription } });
        });
      }).catch(function () {});
    } else if (data.candidate) {
      peer.pc.addIceCandidate(data.candidate).catch(function () {});
    }
  }

  function closeDesk() {
    if (deskPeer) { deskPeer.pc.close(); }
    deskPeer = null;
    setDesk(null);
  }

  function setDesk(stream) {
    if (stream === deskStream) { return; }
    deskStream = stream;
    room.desk.setStream(stream);
    room.peers.forEach(forwardDesk);
  }

  // The desk's picture on a learner's connection; the offer this makes says which stream it is
  // (described), so the track is shown as the desk and not as the teacher.
  function forwardDesk(peer) {
    if ((peer.deskStream || null) === deskStream) { return; }
    (peer.deskSenders || []).forEach(function (sender) { try { peer.pc.removeTrack(sender); } catch (e) {} });
    peer.deskStream = deskStream;
    peer.deskSenders = deskStream ? deskStream.getVideoTracks().map(function (track) {
      return peer.pc.addTrack(track, deskStream);
    }) : [];
  }

  // The state says the phone is here but this page has no connection from it (the page was
  // reloaded, or the connection failed): ask the phone for a fresh one, as a learner asks us.
  function syncDesk(state) {
    var desk = state.desk;
    if (!desk || !desk.online) { if (deskPeer || deskStream) { closeDesk(); } return; }
    var s = deskPeer && deskPeer.pc.connectionState;
    var fine = s === "connected" || (deskPeer && (s === "new" || s === "connecting") && Date.now() - deskPeer.madeAt < STUCK_MS);
    if (fine || Date.now() - lastDeskRenewAt < RENEW_EVERY_MS) { return; }
    if (send({ type: "signal", to: desk.id, data: { pc: Realtime.newId(), renew: true } })) { lastDeskRenewAt = Date.now(); }
  }

  // The room's state says who is here and who may be heard; the connections follow it.
  function syncPeers(state) {
    if (isTeacher && state) { syncDesk(state); }
    if (!isTeacher || !room.localStream || !state) { return; }
    var present = new Set();
    state.participants.forEach(function (p) {
      if (p.id === room.me || p.role === "teacher") { return; }
      if (!p.online) { return; } // gone: its connection is closed below, and made anew when they are back
      present.add(p.id);
      // The teacher decides who is heard: a voice is forwarded only while allowed.
      if (!p.may_speak && room.speakerStreams.has(p.id)) { stopForwarding(p.id); }
      var peer = room.peers.get(p.id);
      var broken = peer && ["failed", "closed"].indexOf(peer.pc.connectionState) >= 0;
      if (!peer || broken) {
        closePeer(p.id);
        addLocalTracks(newPeer(p.id, Realtime.newId(), false));
      }
    });
    room.peers.forEach(function (peer, id) { if (!present.has(id)) { stopForwarding(id); closePeer(id); } });
  }

  // The camera track was replaced (another camera, the screen): on every connection at once.
  function replaceVideo(old, track) {
    room.peers.forEach(function (peer) {
      peer.pc.getSenders().forEach(function (sender) { if (sender.track === old) { sender.replaceTrack(track); } });
    });
  }

  // ------------------------------------------------------------------ learner side
  function teacherPeer() {
    var teacher = room.state && room.state.participants.find(function (p) { return p.role === "teacher"; });
    return teacher ? room.peers.get(teacher.id) : null;
  }

  // The learner's side: no working connection to a teacher who is here, so ask for one.
  function askTeacher() {
    if (isTeacher || !room.state || room.state.status === "ended") { return; }
    var teacher = room.state.participants.find(function (p) { return p.role === "teacher" && p.online; });
    if (!teacher || working(room.peers.get(teacher.id)) || Date.now() - lastRenewAt < RENEW_EVERY_MS) { return; }
    if (send({ type: "signal", to: teacher.id, data: { pc: Realtime.newId(), renew: true } })) { lastRenewAt = Date.now(); }
  }

  function onState(state) {
    if (isTeacher) { syncPeers(state); } else { askTeacher(); }
  }

  function micOn(stream) {
    var peer = teacherPeer();
    if (peer) { stream.getTracks().forEach(function (track) { micSender = peer.pc.addTrack(track, stream); }); }
  }

  function micOff() {
    var peer = teacherPeer();
    if (peer && micSender) { try { peer.pc.removeTrack(micSender); } catch (e) {} }
    micSender = null;
  }

  function cameraReady() {
    var camera = room.localStream && room.localStream.getVideoTracks()[0];
    if (camera) { camera.applyConstraints(CAMERA).catch(function () {}); }
    syncPeers(room.state);
  }

  function stop() {
    clearInterval(checkTimer);
    if (deskPeer) { deskPeer.pc.close(); }
    deskPeer = deskStream = null;
    room.desk.setStream(null);
    room.peers.forEach(function (peer) { peer.pc.close(); });
    room.peers.clear();
    room.speakerStreams.clear();
    micSender = null;
    av.dropAllAudio();
    if (!isTeacher) { av.showTeacher(null); }
  }

  return {
    // Connect to whoever is here, once the teacher's camera is there (now, or when it comes).
    start: function () {
      cameraReady();
      // States come only when the room changes; a connection that dies quietly is noticed here.
      checkTimer = setInterval(function () {
        if (!isTeacher) { askTeacher(); } else if (room.state) { syncDesk(room.state); }
      }, CHECK_EVERY_MS);
    },
    cameraReady: cameraReady,
    stop: stop,
    update: function () {},
    onState: onState,
    onSignal: onSignal,
    micOn: micOn,
    micOff: micOff,
    replaceVideo: replaceVideo,
    receivingPc: function () { var peer = teacherPeer(); return peer ? peer.pc : null; },
    onQuality: function () {}, // one stream per learner: nothing to choose
  };
};
