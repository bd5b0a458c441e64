// Remote assist, the learner's side: tell the volunteer on the phone which step this
// page has reached (POST /assist/step/, with the page's CSRF token, as the device check
// does). Steps the server sees itself (link opened, room joined) are not sent from here.
window.AssistSteps = (function () {
  "use strict";
  var script = document.getElementById("assist-steps-script");
  var url = script ? script.dataset.stepUrl : "";
  // Retries on a poor network, all inside the server's five-second duplicate window,
  // so a report whose answer was lost is not noted twice.
  var RETRY_MS = [1000, 2000];

  function report(step, attempt) {
    attempt = attempt || 0;
    if (!url) { return; }
    var retry = function () {
      if (attempt < RETRY_MS.length) { setTimeout(function () { report(step, attempt + 1); }, RETRY_MS[attempt]); }
    };
    fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": ChatCommon.csrf() },
      body: JSON.stringify({ step: step }),
    }).then(function (response) { if (response.status >= 500) { retry(); } }).catch(retry);
  }

  report("page_opened");
  return { report: report };
})();
