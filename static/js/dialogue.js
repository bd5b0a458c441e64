// Bilingual dialogues (DialogueBlock in core/blocks.py): each line read aloud in Chinese, then
// in English, with the phone's own voices; slow reading; and a large-type printed handout.
// The words it shows come from the block's data- attributes, translated by the server.
(function () {
  "use strict";
  // 0.6 is slow enough to repeat after, and the voices still sound natural; 1 is their own pace.
  var SLOW_RATE = 0.6;
  var NORMAL_RATE = 1;
  // Mandarin in simplified script first; a Cantonese or Taiwanese voice still reads the words.
  var CHINESE = { prefix: "zh", preferred: ["zh-cn", "zh-hans-cn", "zh-hans"] };
  var ENGLISH = { prefix: "en", preferred: ["en-us", "en-gb"] };

  var synth = window.speechSynthesis;
  var canSpeak = !!synth && typeof window.SpeechSynthesisUtterance === "function";
  // The block may appear more than once on a page, and each copy loads this script.
  var dialogues = Array.prototype.filter.call(document.querySelectorAll("[data-dialogue]"), function (el) {
    if (el.hasAttribute("data-dialogue-ready")) { return false; }
    el.setAttribute("data-dialogue-ready", "");
    return true;
  });
  if (!dialogues.length) { return; }

  var voices = { zh: null, en: null };
  // What is being read now: {dialogue, button, run}; run tells a stale utterance's events apart.
  var reading = null;
  var runs = 0;

  function normalLang(lang) { return String(lang || "").replace(/_/g, "-").toLowerCase(); }

  function voiceFor(language, all) {
    var best = null;
    var bestRank = Infinity;
    all.forEach(function (voice) {
      var lang = normalLang(voice.lang);
      if (lang !== language.prefix && lang.indexOf(language.prefix + "-") !== 0) { return; }
      var rank = language.preferred.indexOf(lang);
      if (rank === -1) { rank = language.preferred.length; }
      if (rank < bestRank) { best = voice; bestRank = rank; }
    });
    return best;
  }

  function findVoices() {
    var all = canSpeak ? Array.prototype.slice.call(synth.getVoices() || []) : [];
    voices.zh = voiceFor(CHINESE, all);
    voices.en = voiceFor(ENGLISH, all);
    var any = !!(voices.zh || voices.en);
    dialogues.forEach(function (dialogue) {
      dialogue.querySelectorAll("[data-speak-all], [data-speak-line], [data-slow]").forEach(function (button) {
        button.hidden = !any;
      });
    });
    if (!any && reading) { stop(); }
  }

  // What a line says, as utterances for the voices this browser has: Chinese first, then English.
  function partsOf(line) {
    var parts = [];
    [["zh", ".dialogue__zh"], ["en", ".dialogue__en"]].forEach(function (pair) {
      var voice = voices[pair[0]];
      var text = line.querySelector(pair[1]);
      if (voice && text && text.textContent.trim()) {
        parts.push({ voice: voice, text: text.textContent.trim(), line: line });
      }
    });
    return parts;
  }

  function say(dialogue, key) {
    dialogue.querySelector(".dialogue__status").textContent = dialogue.dataset[key] || "";
  }

  function markLine(dialogue, line) {
    dialogue.querySelectorAll(".dialogue__line--reading").forEach(function (el) {
      el.classList.remove("dialogue__line--reading");
    });
    if (line) { line.classList.add("dialogue__line--reading"); }
  }

  function finish(statusKey) {
    if (!reading) { return; }
    var was = reading;
    reading = null;
    was.button.setAttribute("aria-pressed", "false");
    markLine(was.dialogue, null);
    say(was.dialogue, statusKey);
  }

  function stop() {
    runs += 1;
    synth.cancel();
    finish("statusStopped");
  }

  function read(dialogue, button, lines) {
    var parts = [];
    lines.forEach(function (line) { parts = parts.concat(partsOf(line)); });
    if (reading) { stop(); }
    if (!parts.length) { return; }
    runs += 1;
    var run = runs;
    var rate = dialogue.querySelector("[data-slow]").getAttribute("aria-pressed") === "true" ? SLOW_RATE : NORMAL_RATE;
    reading = { dialogue: dialogue, button: button, run: run };
    button.setAttribute("aria-pressed", "true");
    say(dialogue, "statusReading");

    function next(index) {
      if (!reading || reading.run !== run) { return; }
      if (index >= parts.length) { finish("statusDone"); return; }
      var part = parts[index];
      var utterance = new window.SpeechSynthesisUtterance(part.text);
      utterance.voice = part.voice;
      utterance.lang = part.voice.lang;
      utterance.rate = rate;
      utterance.onend = function () { next(index + 1); };
      utterance.onerror = function (event) {
        // Cancelling (our own stop, or another dialogue starting) ends an utterance with an error too.
        if (!reading || reading.run !== run) { return; }
        if (event && (event.error === "interrupted" || event.error === "canceled")) { return; }
        finish("statusFailed");
      };
      // Keep a reference: some browsers drop an utterance, and its end event, once nothing holds it.
      reading.utterance = utterance;
      markLine(dialogue, part.line);
      synth.speak(utterance);
    }
    next(0);
  }

  dialogues.forEach(function (dialogue) {
    var slow = dialogue.querySelector("[data-slow]");
    var all = dialogue.querySelector("[data-speak-all]");
    var lines = Array.prototype.slice.call(dialogue.querySelectorAll(".dialogue__line"));

    if (canSpeak) {
      // A second tap on the button that is reading stops it, as a tap on a playing video does.
      all.addEventListener("click", function () {
        if (reading && reading.button === all) { stop(); } else { read(dialogue, all, lines); }
      });
      lines.forEach(function (line) {
        var button = line.querySelector("[data-speak-line]");
        button.addEventListener("click", function () {
          if (reading && reading.button === button) { stop(); } else { read(dialogue, button, [line]); }
        });
      });
      slow.addEventListener("click", function () {
        var on = slow.getAttribute("aria-pressed") !== "true";
        slow.setAttribute("aria-pressed", String(on));
        say(dialogue, on ? "statusSlowOn" : "statusSlowOff");
      });
    }

    if (typeof window.print === "function") {
      var print = dialogue.querySelector("[data-print-handout]");
      print.hidden = false;
      print.addEventListener("click", function () {
        // dialogue.css prints only this dialogue while these marks are on.
        document.documentElement.classList.add("dialogue-printing");
        dialogue.classList.add("dialogue--printing");
        window.print();
      });
    }
  });

  window.addEventListener("afterprint", function () {
    document.documentElement.classList.remove("dialogue-printing");
    dialogues.forEach(function (dialogue) { dialogue.classList.remove("dialogue--printing"); });
  });

  if (canSpeak) {
    // Voices often arrive after the page has loaded.
    if (typeof synth.addEventListener === "function") {
      synth.addEventListener("voiceschanged", findVoices);
    } else {
      synth.onvoiceschanged = findVoices;
    }
    window.addEventListener("pagehide", function () { if (reading) { stop(); } });
  }
  findVoices();
})();
