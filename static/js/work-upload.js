// The photo upload: say which photo was chosen (and show it), and send the form once.
(function () {
  "use strict";
  const form = document.querySelector("[data-work-upload]");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const chosen = form.querySelector("[data-upload-chosen]");
  const send = form.querySelector("[data-upload-send]");
  let preview = null;

  input.addEventListener("change", () => {
    chosen.textContent = input.files.length ? input.files[0].name : "";
    if (preview) URL.revokeObjectURL(preview);
    preview = null;
    if (input.files.length) {
      preview = URL.createObjectURL(input.files[0]);
      const img = document.createElement("img");
      img.src = preview;
      img.alt = "";
      chosen.appendChild(img);
    }
  });

  // A second tap while the photo is still going up would send it twice; the server
  // would keep one (the form's token), but the person would wait twice as long.
  form.addEventListener("submit", () => {
    window.setTimeout(() => { send.disabled = true; }, 0);
  });
})();
