// 看回放: the replay page's player (templates/classes/replay.html). Big buttons with words,
// the position and the speed said in words, the keyboard too. A recording made of several
// parts (the teacher's page was reloaded during class) plays them one after another.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("replay-config").textContent);
  var S = config.strings;
  var parts = config.parts;
  var $ = function (id) { return document.getElementById(id); };
  var video = $("replay-video");
  var playButton = $("replay-play");
  var where = $("replay-where");
  // How far the ± buttons and the arrow keys move.
  var STEP_S = 10;
  var current = 0;
  var lastWords = "";
  // Until the first 播放 the page says how to start, not 已暂停: nothing was paused yet.
  var started = false;
  window.replay = { video: video, part: function () { return current; } }; // for the browser tests

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function timeWords(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var minutes = Math.floor(seconds / 60);
    return minutes ? fmt(S.minSec, { minutes: minutes, seconds: seconds % 60 }) : fmt(S.sec, { seconds: seconds });
  }
  // A browser's own recording says no length of its own (Infinity): the recorder's clock, kept by the server, does.
  function partLength(index) {
    var length = index === current ? video.duration : NaN;
    return isFinite(length) && length > 0 ? length : parts[index].seconds;
  }
  function totalLength() {
    var total = 0;
    for (var i = 0; i < parts.length; i++) { total += partLength(i); }
    return total;
  }
  function position() {
    var before = 0;
    for (var i = 0; i < current; i++) { before += partLength(i); }
    return before + (video.currentTime || 0);
  }

  // Said at most once a second and only when the words change: "Playing. 1 min 5 s of 42 min 10 s".
  function sayWhere() {
    var state = video.ended && current === parts.length - 1 ? S.ended
      : (!started ? S.start : (video.paused ? S.paused : S.playing));
    var total = totalLength();
    var place = total ? fmt(S.where, { position: timeWords(position()), length: timeWords(total) })
      : fmt(S.whereUnknown, { position: timeWords(position()) });
    var words = state + " " + place;
    if (parts.length > 1) { words += " " + fmt(S.part, { part: current + 1, parts: parts.length }); }
    if (words !== lastWords) { where.textContent = lastWords = words; }
    playButton.textContent = video.paused ? (video.ended ? S.playAgain : S.play) : S.pause;
  }

  function load(index, startAt) {
    current = index;
    video.src = parts[index].url;
    if (startAt) { video.currentTime = startAt; }
  }

  function togglePlay() {
    if (video.ended && current === parts.length - 1 && parts.length > 1) { load(0, 0); }
    if (video.paused) { video.play().catch(function () {}); } else { video.pause(); }
  }
  function step(seconds) {
    var length = partLength(current);
    var target = Math.max(0, (video.currentTime || 0) + seconds);
    if (length) { target = Math.min(target, Math.max(0, length - 0.1)); }
    video.currentTime = target;
    sayWhere();
  }
  function setSpeed(speed) {
    video.playbackRate = video.defaultPlaybackRate = Number(speed);
    document.querySelectorAll("[data-speed]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.speed === speed));
    });
    $("replay-speed-words").textContent = fmt(S.speed, { speed: speed });
  }

  video.addEventListener("ended", function () {
    if (current < parts.length - 1) {
      var rate = video.playbackRate;
      load(current + 1, 0);
      video.playbackRate = rate;
      video.play().catch(function () {});
    }
    sayWhere();
  });
  video.addEventListener("error", function () { where.textContent = lastWords = S.failed; });
  video.addEventListener("play", function () { started = true; });
  ["play", "pause", "seeked", "loadedmetadata", "ratechange"].forEach(function (name) {
    video.addEventListener(name, sayWhere);
  });
  setInterval(function () { if (!video.paused) { sayWhere(); } }, 1000);

  playButton.addEventListener("click", togglePlay);
  $("replay-back").addEventListener("click", function () { step(-STEP_S); });
  $("replay-forward").addEventListener("click", function () { step(STEP_S); });
  document.querySelectorAll("[data-speed]").forEach(function (b) {
    b.addEventListener("click", function () { setSpeed(b.dataset.speed); });
  });
  // The keys of the video players people know. Not while a button has focus: there space presses it.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var onControl = event.target.closest && event.target.closest("button, a, input, select, textarea");
    if (event.key === " " && !onControl) { event.preventDefault(); togglePlay(); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); step(-STEP_S); }
    else if (event.key === "ArrowRight") { event.preventDefault(); step(STEP_S); }
  });

  if (parts.length) { load(0, 0); }
  document.querySelectorAll("[data-needs-script]").forEach(function (b) { b.disabled = !parts.length; });
})();
