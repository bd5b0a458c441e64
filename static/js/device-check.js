// The class page's device check (检查声音和画面): a test sound, a look at the camera and a
// microphone meter, each answer saved for the teacher and the volunteer on the phone
// (POST config.checkUrl). It needs no socket and works before entering the room.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("room-config").textContent);
  var S = config.strings;
  var $ = function (id) { return document.getElementById(id); };
  // Long enough to see oneself and say a few words; then the camera is given back for the class.
  var PREVIEW_MS = 15000;

  function saveCheck(result, finding) {
    try { localStorage.setItem("deviceChecked", "1"); } catch (e) {}
    return fetch(config.checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": ChatCommon.csrf() },
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
      setTimeout(function () {
        clearInterval(meter);
        stream.getTracks().forEach(function (t) { t.stop(); });
        context.close();
        preview.hidden = true;
        $("mic-meter").hidden = true;
      }, PREVIEW_MS);
    }).catch(function () {
      $("check-result").textContent = S.cameraFailed;
      saveCheck({ camera_ok: false, microphone_ok: false }, S.cameraFailed);
    });
  });

  // Until now a tap would have done nothing.
  document.querySelectorAll("#device-check [data-needs-script]").forEach(function (b) { b.disabled = false; });
})();
