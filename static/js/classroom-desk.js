// The teacher's desk view on the class page (docs/realtime.md, "Desk camera"): the picture the
// teacher's phone films (desk-camera.js) shown large, the teacher's face small in a corner,
// with a 看老师 / 看桌面 button that swaps them; without a desk view the stage is as it always
// was. The teacher's page shows it the same way, as the learners see it, and has the console's
// 用手机拍桌面: a one-time QR code (drawn by the server) for the teacher's phone.
//
// ClassroomDesk(room, av) is made once per page by classroom-media-mode.js. The media paths hand
// it what they receive: setStream(stream or null) — classroom-media.js (the phone's picture
// reaching the teacher's page, or the teacher's page passing it on to a learner's) and
// classroom-sfu.js (the desk's own feed). onState(state) hides it as soon as the room's state
// says the phone has gone (`desk.online`), before any connection notices.
//
// For the recording (and the tests): room.deskStream, the desk's MediaStream or null, and a
// "classroom:desk" event on window ({detail: {stream}}) whenever it changes.
window.ClassroomDesk = function (room, av) {
  "use strict";
  var S = room.strings;
  var $ = function (id) { return document.getElementById(id); };
  var stage = $("teacher-video").closest(".stage");
  var deskVideo = $("desk-video");
  var swap = $("swap-view");
  var received = null, shown = null, swapped = false, deskOnline = false;
  room.deskStream = null;

  function label() {
    swap.textContent = swapped ? S.showDesk : S.showTeacher;
    stage.classList.toggle("stage--swapped", swapped);
  }

  function render() {
    var stream = deskOnline ? received : null;
    if (stream === shown) { return; }
    var had = !!shown;
    shown = stream;
    deskVideo.srcObject = stream;
    stage.classList.toggle("stage--desk", !!stream);
    swap.hidden = !stream;
    if (!stream) { swapped = false; }
    label();
    if (stream) { av.play(deskVideo); }
    if (stream || had) { $("desk-note").textContent = stream ? S.deskOn : S.deskOff; }
    room.deskStream = stream;
    window.dispatchEvent(new CustomEvent("classroom:desk", { detail: { stream: stream } }));
  }

  swap.addEventListener("click", function () { swapped = !swapped; label(); });

  function setStream(stream) {
    received = stream;
    render();
  }

  function onState(state) {
    deskOnline = !!(state && state.desk && state.desk.online && state.status !== "ended");
    render();
    if (room.isTeacher && deskOnline && !$("desk-qr").hidden) { closeQr(S.deskConnected); }
  }

  // ------------------------------------------------------------------ the teacher's QR code
  function closeQr(words) {
    $("desk-qr").hidden = true;
    $("desk-qr-open").setAttribute("aria-expanded", "false");
    $("desk-qr-result").textContent = words || "";
  }

  function newQr() {
    $("desk-qr-result").textContent = "";
    fetch(room.config.deskQrUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": ChatCommon.csrf() } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer.ok) { $("desk-qr-result").textContent = answer.error || S.deskQrFailed; return; }
        // The server's own drawing of the link (classes/courses/join_cards.py), not anyone's text.
        $("desk-qr-code").innerHTML = answer.svg;
        $("desk-qr-url").textContent = answer.url;
        $("desk-qr-expiry").textContent = answer.expires_words;
        $("desk-qr").hidden = false;
        $("desk-qr-open").setAttribute("aria-expanded", "true");
      })
      .catch(function () { $("desk-qr-result").textContent = S.deskQrFailed; });
  }

  if (room.isTeacher) {
    $("desk-qr-open").addEventListener("click", newQr);
    $("desk-qr-new").addEventListener("click", newQr);
    $("desk-qr-close").addEventListener("click", function () { closeQr(""); $("desk-qr-open").focus(); });
  }

  return { setStream: setStream, onState: onState };
};
