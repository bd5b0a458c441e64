// The recorder's clock (classroom-recorder.js). A worker's timers keep time while the teacher's
// tab is hidden (sharing the screen, another window in front), where the page's own would be
// slowed to once a second and the recording would stutter.
"use strict";
var FRAME_MS = 40; // 25 frames a second, as the recorder's canvas captures them
setInterval(function () { postMessage(0); }, FRAME_MS);
