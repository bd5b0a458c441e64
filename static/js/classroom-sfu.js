// The live class's SFU media path: everyone sends to and receives from Janus's VideoRoom
// (janus-room.js speaks its API), as the server says with {"mode": "sfu", server, room,
// token, feed, teacher_feed} (docs/realtime.md, "SFU mode").
//
// - Everyone joins the room as a "publisher" participant with the feed id and token the
//   server gave, on one handle; the teacher publishes camera and microphone there, in three
//   simulcast layers, and a learner asked to speak publishes a microphone only.
// - A second handle subscribes to every other feed: the teacher's picture and voice play in
//   the teacher's video element, a classmate's voice in an audio element of its own. Janus
//   offers, the page answers; feeds come and go with renegotiations Janus starts.
// - A learner on a weak connection gets the teacher's lowest layer, on a good one the best.
// - Janus gone, the room closed or this person taken out: said in words, and joined again
//   with backoff while this path runs (classroom-media-mode.js stops it when the server
//   says otherwise, and a learner removed from the class is closed by the class socket).
//
// ClassroomSfu(room, av, media): room and av as for classroom-media.js. Its state is on
// room.sfu for the support console and the browser tests.
window.ClassroomSfu = function (room, av, media) {
  "use strict";
  var S = room.strings;
  var isTeacher = room.isTeacher;
  var VIDEOROOM = "janus.plugin.videoroom";
  // As realtime.js reconnects the class socket: 0.5 s doubling to 15 s, each wait taken at
  // random between half and all of it, so a class does not knock at once after Janus restarts.
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 15000;
  // A subscription refused because its feed had just gone is tried again after this, by
  // then with the feeds Janus has told us about since.
  var RESUBSCRIBE_MS = 1000;
  // The teacher's camera in three layers, as janus.js sends simulcast from Chrome: full,
  // half and quarter size, at bitrates a phone on a weak connection can still take.
  var SIMULCAST = [
    { rid: "h", active: true, maxBitrate: 900000 },
    { rid: "m", active: true, maxBitrate: 300000, scaleResolutionDownBy: 2 },
    { rid: "l", active: true, maxBitrate: 100000, scaleResolutionDownBy: 4 },
  ];
  // Chrome sends as many layers as the picture is large: three from 960×540 up, two from a
  // camera's default 640×480 (its lowest, 160×120, would never be sent). So the teacher's
  // camera is asked for 720p, as webcams give it.
  var SIMULCAST_CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 } };
  var LOWEST_LAYER = 0;
  var HIGHEST_LAYER = 2;

  var sfu = room.sfu = {
    room: media.room,
    feed: media.feed,
    status: "idle",            // idle, connecting, joined, lost, kicked, closed, stopped
    publishers: new Map(),     // feed id -> the publisher as Janus describes it
    subscribed: new Set(),     // feed ids asked for on the subscriber handle
    streams: [],               // the subscription's streams (mid, type, feed_id), as Janus last said
    teacherVideoMid: null,     // the subscriber's mid of the teacher's video
    substream: HIGHEST_LAYER,  // the layer this page wants of the teacher's video
    publishing: false,
    rejoinAt: null,            // when the next attempt to join goes (Date.now() time), or null
    session: null, privateId: null, publishPc: null, subscribePc: null,
  };
  var generation = 0, attempts = 0, retryTimer = null, stopped = false, subscribing = false, roomWasClosed = false;
  // The participant handle; the subscriber handle once joined, and the one being joined before.
  var participant = null, subscriber = null, joining = null, teacherStream = null, deskStream = null;
  var voices = new Map(); // feed id -> the track playing in its audio element

  // ------------------------------------------------------------------ joining
  function connect() {
    noRejoin();
    var run = ++generation;
    var current = function () { return run === generation && !stopped; };
    sfu.status = "connecting";
    JanusRoom.connect({
      server: media.server, token: media.token,
      onClose: function () { if (current()) { lost(S.videoLost); } },
    }).then(function (session) {
      if (!current()) { session.close(); return null; }
      sfu.session = session;
      return session.attach(VIDEOROOM, {
        onEvent: function (data) { if (current()) { onParticipantEvent(data); } },
        onHangup: function () { if (current() && isTeacher && sfu.publishing) { lost(S.videoLost); } },
      }).then(function (handle) {
        if (!current()) { return null; }
        participant = handle;
        var me = room.state && room.state.participants.find(function (p) { return p.id === room.me; });
        return handle.request({
          request: "join", ptype: "publisher", room: media.room, id: media.feed, token: media.token,
          display: me ? me.name : "",
        });
      });
    }).then(function (answer) {
      if (answer && current()) { joined(answer.data); }
    }).catch(function () {
      if (current()) { lost(roomWasClosed ? S.videoClosed : S.videoLost); }
    });
  }

  function joined(data) {
    sfu.status = "joined";
    roomWasClosed = false;
    sfu.privateId = data.private_id;
    attempts = 0;
    room.setMediaProblem("");
    if (isTeacher) { publishCamera(); } else if (room.mic) { publish(room.mic, false); }
    addPublishers(data.publishers || []);
  }

  // Janus is gone, or would not let us in: say so, drop what we had and try again.
  function lost(words) {
    teardown();
    sfu.status = "lost";
    if (classOver()) { return; }
    room.setMediaProblem(words);
    rejoinLater();
  }

  function rejoinLater() {
    if (stopped || room.finished || classOver()) { return; }
    attempts += 1;
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempts - 1));
    var wait = ceiling * (0.5 + Math.random() / 2);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, wait);
    sfu.rejoinAt = Date.now() + wait;
  }

  function noRejoin() {
    clearTimeout(retryTimer);
    retryTimer = null;
    sfu.rejoinAt = null;
  }

  function classOver() { return !!(room.state && room.state.status === "ended"); }

  function teardown() {
    generation += 1;
    noRejoin();
    closePublishing();
    if (sfu.subscribePc) { sfu.subscribePc.close(); }
    if (sfu.session) { sfu.session.close(); }
    sfu.session = sfu.subscribePc = sfu.privateId = sfu.teacherVideoMid = null;
    participant = subscriber = joining = null;
    subscribing = false;
    sfu.publishers.clear();
    sfu.subscribed.clear();
    sfu.streams = [];
    voices.forEach(function (track, feed) { av.dropAudio("feed-" + feed); });
    voices.clear();
    teacherStream = null;
    if (!isTeacher) { av.showTeacher(null); }
    if (deskStream) { deskStream = null; room.desk.setStream(null); }
  }

  function onParticipantEvent(data) {
    if (data.videoroom === "destroyed") { roomClosed(); return; }
    if (data.videoroom !== "event") { return; }
    if (data.leaving === "ok" && data.reason === "kicked") { takenOut(); return; }
    if (data.publishers) { addPublishers(data.publishers); }
    ["unpublished", "leaving", "kicked"].forEach(function (gone) {
      if (typeof data[gone] === "number") { removeFeed(data[gone]); }
    });
  }

  // The room was destroyed. At 下课 the server destroys it just before it says the class has
  // ended, so nothing is said yet: the state that follows stops the rejoin; if it does not
  // come and the rejoin fails, the words say the class video stopped.
  function roomClosed() {
    teardown();
    sfu.status = "closed";
    roomWasClosed = true;
    rejoinLater();
  }

  // Janus took this person out (the server kicks whoever it removed, or who sends a voice
  // the teacher took back). Removed from the class, the class socket closes the page too.
  function takenOut() {
    teardown();
    sfu.status = "kicked";
    room.setMediaProblem(S.videoRemoved);
    rejoinLater();
  }

  // ------------------------------------------------------------------ sending
  function publishCamera() {
    if (!room.localStream || sfu.publishing || sfu.status !== "joined") { return; }
    sfu.publishing = true;
    var run = generation;
    var camera = room.localStream.getVideoTracks()[0];
    Promise.resolve(camera && camera.applyConstraints(SIMULCAST_CAMERA)).catch(function () {}).then(function () {
      if (run === generation && !stopped) { publish(room.localStream, true); }
    });
  }

  function publish(stream, withVideo) {
    closePublishing();
    var pc = new RTCPeerConnection({ iceServers: room.config.iceServers });
    sfu.publishPc = pc;
    sfu.publishing = true;
    participant.connect(pc);
    stream.getAudioTracks().forEach(function (track) { pc.addTransceiver(track, { direction: "sendonly", streams: [stream] }); });
    if (withVideo) {
      stream.getVideoTracks().forEach(function (track) {
        pc.addTransceiver(track, { direction: "sendonly", streams: [stream], sendEncodings: SIMULCAST });
      });
    }
    var handle = participant;
    pc.createOffer().then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      return handle.request({ request: "publish", audio: true, video: withVideo }, pc.localDescription);
    }).then(function (answer) {
      if (pc === sfu.publishPc && answer.jsep) { return pc.setRemoteDescription(answer.jsep); }
    }).catch(function () {
      if (pc === sfu.publishPc && isTeacher) { lost(S.videoLost); }
    });
  }

  function closePublishing() {
    if (sfu.publishPc) { sfu.publishPc.close(); }
    sfu.publishPc = null;
    sfu.publishing = false;
  }

  function micOn(stream) {
    if (sfu.status === "joined" && !isTeacher) { publish(stream, false); } // else sent once joined
  }

  function micOff() {
    if (isTeacher || !sfu.publishing) { return; }
    if (participant) { participant.request({ request: "unpublish" }).catch(function () {}); }
    closePublishing();
  }

  function replaceVideo(old, track) {
    if (!sfu.publishPc) { return; }
    sfu.publishPc.getSenders().forEach(function (sender) { if (sender.track === old) { sender.replaceTrack(track); } });
  }

  // ------------------------------------------------------------------ receiving
  function teacherFeed() {
    if (typeof media.teacher_feed === "number") { return media.teacher_feed; }
    // The server knew no teacher yet: the teacher is the one who sends a picture.
    var found = null;
    sfu.publishers.forEach(function (p, id) {
      if (found === null && id !== media.desk_feed && (p.streams || []).some(function (s) { return s.type === "video"; })) { found = id; }
    });
    return found;
  }

  function addPublishers(list) {
    list.forEach(function (p) { if (p.id !== media.feed && !p.dummy) { sfu.publishers.set(p.id, p); } });
    syncSubscriptions();
  }

  function removeFeed(id) {
    sfu.publishers.delete(id);
    syncSubscriptions();
  }

  // Subscribe to every feed that publishes, and to nothing else.
  function syncSubscriptions() {
    if (sfu.status !== "joined" || subscribing) { return; }
    var add = [], drop = [];
    sfu.publishers.forEach(function (p, id) { if (!sfu.subscribed.has(id)) { add.push(id); } });
    sfu.subscribed.forEach(function (id) { if (!sfu.publishers.has(id)) { drop.push(id); } });
    if (!subscriber) {
      if (add.length) { subscribeFirst(add); }
      return;
    }
    drop.forEach(function (id) {
      sfu.subscribed.delete(id);
      // Janus may have taken the stream out already (autoupdate): then this changes nothing.
      subscriber.request({ request: "unsubscribe", streams: [{ feed: id }] }).catch(function () {});
    });
    add.forEach(function (id) {
      sfu.subscribed.add(id);
      var handle = subscriber;
      handle.request({ request: "subscribe", streams: [{ feed: id }] }).catch(function () {
        if (handle !== subscriber) { return; }
        sfu.subscribed.delete(id); // gone meanwhile (Janus's "no such feed"), or refused
        setTimeout(syncSubscriptions, RESUBSCRIBE_MS);
      });
    });
  }

  function subscribeFirst(feeds) {
    subscribing = true;
    var run = generation;
    var current = function () { return run === generation && !stopped; };
    sfu.session.attach(VIDEOROOM, {
      onEvent: function (data, jsep) { if (current()) { onSubscriberEvent(data, jsep); } },
      onHangup: function () { if (current()) { lost(S.videoLost); } },
    }).then(function (handle) {
      if (!current()) { handle.detach(); return; }
      joining = handle;
      feeds.forEach(function (id) { sfu.subscribed.add(id); });
      return handle.request({
        request: "join", ptype: "subscriber", room: media.room, private_id: sfu.privateId, token: media.token,
        streams: feeds.map(function (id) { return { feed: id }; }),
      }).then(function () {
        if (!current()) { return; }
        subscriber = handle;
        joining = null;
        subscribing = false;
        syncSubscriptions(); // feeds that came or went while joining
      }, function () {
        if (!current()) { return; }
        handle.detach();
        joining = null;
        feeds.forEach(function (id) { sfu.subscribed.delete(id); });
        subscribing = false;
        setTimeout(function () { if (current()) { syncSubscriptions(); } }, RESUBSCRIBE_MS);
      });
    }).catch(function () {
      if (current()) { lost(S.videoLost); }
    });
  }

  function onSubscriberEvent(data, jsep) {
    if (data.videoroom === "destroyed") { roomClosed(); return; }
    if (Array.isArray(data.streams)) { sfu.streams = data.streams; }
    if (jsep && jsep.type === "offer") { answerOffer(jsep); }
  }

  function answerOffer(offer) {
    if (!sfu.subscribePc) {
      sfu.subscribePc = new RTCPeerConnection({ iceServers: room.config.iceServers });
      handleForAnswers().connect(sfu.subscribePc);
      sfu.subscribePc.ontrack = function () { render(); };
    }
    var pc = sfu.subscribePc, handle = handleForAnswers();
    pc.setRemoteDescription(offer).then(function () {
      render();
      return pc.createAnswer();
    }).then(function (answer) {
      return pc.setLocalDescription(answer);
    }).then(function () {
      return handle.request({ request: "start" }, pc.localDescription);
    }).then(function () {
      render();
    }).catch(function () {});
  }

  // The join's offer comes before `subscriber` is set; it is answered on the handle being joined.
  function handleForAnswers() { return subscriber || joining; }

  // What plays where, from the subscription's streams and the PeerConnection's receivers.
  function render() {
    var pc = sfu.subscribePc;
    if (!pc) { return; }
    var teacher = teacherFeed();
    var teacherTracks = [], deskTracks = [], heard = new Map();
    sfu.teacherVideoMid = null;
    pc.getTransceivers().forEach(function (transceiver) {
      if (!transceiver.mid || transceiver.currentDirection === "inactive" || transceiver.currentDirection === "stopped") { return; }
      var info = sfu.streams.find(function (s) { return s.mid === transceiver.mid; });
      if (!info || info.active === false || typeof info.feed_id !== "number") { return; }
      var track = transceiver.receiver.track;
      if (info.feed_id === media.desk_feed) {
        if (info.type === "video") { deskTracks.push(track); } // the teacher's phone over the desk
      } else if (info.feed_id === teacher) {
        teacherTracks.push(track);
        if (info.type === "video") { sfu.teacherVideoMid = info.mid; }
      } else if (info.type === "audio") {
        heard.set(info.feed_id, track);
      }
    });
    if (!isTeacher) { showTeacher(teacherTracks); }
    showDesk(deskTracks);
    voices.forEach(function (track, feed) {
      if (heard.get(feed) !== track) { av.dropAudio("feed-" + feed); voices.delete(feed); }
    });
    heard.forEach(function (track, feed) {
      if (voices.has(feed)) { return; }
      voices.set(feed, track);
      av.playAudio("feed-" + feed, new MediaStream([track]));
    });
    if (sfu.teacherVideoMid !== null && sfu.substream !== HIGHEST_LAYER) { chooseLayer(); }
  }

  function showTeacher(tracks) {
    var same = teacherStream && teacherStream.getTracks().length === tracks.length &&
      tracks.every(function (track) { return teacherStream.getTrackById(track.id); });
    if (same) { return; }
    teacherStream = tracks.length ? new MediaStream(tracks) : null;
    av.showTeacher(teacherStream);
  }

  // The desk's picture, on every page (the teacher's too: it sees what the learners see).
  function showDesk(tracks) {
    var same = deskStream ? tracks.length === 1 && deskStream.getTrackById(tracks[0].id) : !tracks.length;
    if (same) { return; }
    deskStream = tracks.length ? new MediaStream(tracks.slice(0, 1)) : null;
    room.desk.setStream(deskStream);
  }

  function onQuality(level) {
    var wanted = level === "good" ? HIGHEST_LAYER : LOWEST_LAYER;
    if (wanted === sfu.substream) { return; }
    sfu.substream = wanted;
    chooseLayer();
  }

  function chooseLayer() {
    if (!subscriber || sfu.teacherVideoMid === null) { return; } // chosen once the teacher's video is there
    subscriber.request({ request: "configure", streams: [{ mid: sfu.teacherVideoMid, substream: sfu.substream }] })
      .catch(function () {});
  }

  // ------------------------------------------------------------------ the path's interface
  return {
    start: function () { stopped = false; connect(); },
    cameraReady: publishCamera,
    stop: function () {
      stopped = true;
      teardown();
      sfu.status = "stopped";
    },
    // The server's settings again (a new socket's welcome): a fresh token for the next join,
    // and a join now if Janus was lost and we are waiting.
    update: function (fresh) {
      media = fresh;
      if (retryTimer) { connect(); }
      render(); // the desk's feed may be new (`desk_feed`)
    },
    onState: function (state) {
      if (state.status === "ended") {
        noRejoin();
        room.setMediaProblem("");
      } else if (["lost", "closed"].indexOf(sfu.status) >= 0 && !retryTimer) {
        connect(); // the class is on again (started after 下课): its room is made anew
      }
    },
    onSignal: function () {}, // nothing is signalled over the class socket in this mode
    micOn: micOn,
    micOff: micOff,
    replaceVideo: replaceVideo,
    receivingPc: function () { return sfu.subscribePc; },
    onQuality: onQuality,
  };
};
