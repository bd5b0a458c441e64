// The gallery's viewer: a tap on a picture opens it large in a <dialog>. On a phone a
// swipe goes to the next or previous picture; on a desktop the arrow keys do, and Escape
// closes (the dialog's own). Buttons in words do the same for everyone, and the position
// ("第 2 幅，共 5 幅") is announced. Without this script each picture is a link to its large copy.
(function () {
  "use strict";
  const gallery = document.querySelector("[data-gallery]");
  const dialog = document.getElementById("viewer");
  if (!gallery || !dialog || typeof dialog.showModal !== "function") return;

  const links = Array.from(gallery.querySelectorAll("[data-gallery-open]"));
  const image = dialog.querySelector("[data-viewer-image]");
  const title = dialog.querySelector(".viewer__title");
  const caption = dialog.querySelector("[data-viewer-caption]");
  const position = dialog.querySelector("[data-viewer-position]");
  const prev = dialog.querySelector("[data-viewer-prev]");
  const next = dialog.querySelector("[data-viewer-next]");
  const close = dialog.querySelector("[data-viewer-close]");
  // A swipe shorter than this is a tap or a wobble, not a wish to move on.
  const SWIPE_MIN_PX = 50;
  let current = 0;
  let opener = null;

  function show(index) {
    current = (index + links.length) % links.length;
    const link = links[current];
    image.src = link.href;
    image.alt = link.dataset.title;
    if (link.dataset.width) {
      image.width = Number(link.dataset.width);
      image.height = Number(link.dataset.height);
    }
    title.textContent = link.dataset.title;
    caption.textContent = link.dataset.caption;
    position.textContent = dialog.dataset.position
      .replace("{n}", String(current + 1)).replace("{total}", String(links.length));
    const single = links.length < 2;
    prev.hidden = single;
    next.hidden = single;
  }

  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      opener = link;
      show(index);
      dialog.showModal();
      close.focus();
    });
  });

  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  close.addEventListener("click", () => dialog.close());
  // Focus goes back to the picture that was opened, wherever the viewer was left.
  dialog.addEventListener("close", () => {
    const back = opener ? links[current] : null;
    if (back) back.focus();
    opener = null;
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") {
      event.preventDefault();
      show(current + 1);
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      show(current - 1);
    }
  });

  let start = null;
  image.addEventListener("pointerdown", (event) => {
    start = { id: event.pointerId, x: event.clientX, y: event.clientY };
  });
  image.addEventListener("pointerup", (event) => {
    if (!start || start.id !== event.pointerId) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    start = null;
    if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > Math.abs(dy)) {
      show(dx < 0 ? current + 1 : current - 1);
    }
  });
  image.addEventListener("pointercancel", () => { start = null; });
})();
