// Asks once before a form does something that cannot be taken back (core/confirm.py).
// <form data-confirm="what will happen, in words" data-confirm-yes="the yes button's words">
// opens a dialog; 取消 (focused first, as is Escape) leaves everything as it was, and only yes
// sends the form, with confirmed=yes. The server asks again on a post without it, so a page
// whose script did not run still asks, and nothing happens by mistake either way.
//
// Before sending, the form hears a cancellable "confirmed" event: a page that acts without a
// post (下课 is a socket frame) listens for it and cancels the post.
(function () {
  "use strict";
  var settings = document.currentScript.dataset; // data-no, data-yes-class, data-no-class
  var QUESTION_ID = "confirm-dialog-question";
  var dialog, question, yes, no;
  var asking = null;   // { form, submitter } while the dialog is open
  var passing = null;  // the form being sent after yes: its submit is not asked about again

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", QUESTION_ID);
    question = document.createElement("p");
    question.id = QUESTION_ID;
    question.className = "confirm-dialog__question";
    no = document.createElement("button");
    no.type = "button";
    no.className = settings.noClass || "button";
    no.textContent = settings.no || "Cancel";
    yes = document.createElement("button");
    yes.type = "button";
    yes.className = settings.yesClass || "button button--danger";
    var actions = document.createElement("div");
    actions.className = "confirm-dialog__actions";
    actions.append(no, yes);
    dialog.append(question, actions);
    document.body.append(dialog);

    no.addEventListener("click", function () { dialog.close("no"); });
    yes.addEventListener("click", function () { dialog.close("yes"); });
    // Escape closes the dialog too (returnValue stays "", as set when it opened): a no.
    dialog.addEventListener("close", function () {
      var asked = asking;
      asking = null;
      if (!asked) { return; }
      if (dialog.returnValue === "yes") {
        send(asked.form, asked.submitter);
      } else if (asked.submitter && asked.submitter.isConnected) {
        asked.submitter.focus();
      }
    });
  }

  function ask(form, submitter) {
    if (!dialog) { build(); }
    asking = { form: form, submitter: submitter };
    question.textContent = form.dataset.confirm;
    yes.textContent = form.dataset.confirmYes || (submitter && submitter.textContent) || "OK";
    dialog.returnValue = "";
    dialog.showModal();
    no.focus(); // the safe choice first: Enter or a second tap on the same spot changes nothing
  }

  function send(form, submitter) {
    if (!form.dispatchEvent(new CustomEvent("confirmed", { cancelable: true }))) { return; }
    var field = form.querySelector("input[type=hidden][name=confirmed]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirmed";
      form.append(field);
    }
    field.value = "yes";
    passing = form;
    try {
      // requestSubmit keeps the pressed button's name and value (the planner's action=publish).
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } finally {
      passing = null;
    }
  }

  // Capturing on the document: the question comes before any handler of the form's own.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (passing === form) { return; }
    event.preventDefault();
    event.stopPropagation();
    if (!asking) { ask(form, event.submitter); }
  }, true);
})();
