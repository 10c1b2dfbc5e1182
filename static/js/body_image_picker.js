/* The body editor's picture picker (articles/uploads.py): hands the chosen picture back.
 *
 * django-prose-editor opened this window with a CKEditor-style callback number; calling
 * window.opener.CKEDITOR.tools.callFunction(number, url, details) fills in its dialog.
 * A fresh upload is handed back at once.
 */
(function () {
  "use strict";
  var root = document.querySelector(".body-image-picker");
  if (!root) return;
  var callback = root.getAttribute("data-callback");
  var editor = window.opener && window.opener.CKEDITOR && window.opener.CKEDITOR.tools;

  function use(button) {
    if (!editor || !callback) return;
    editor.callFunction(callback, button.getAttribute("data-url"), {
      id: button.getAttribute("data-id"),
      alternative_text: button.getAttribute("data-alt"),
      caption: button.getAttribute("data-caption"),
    });
    window.close();
  }

  root.querySelectorAll(".body-image-picker__use").forEach(function (button) {
    button.addEventListener("click", function () { use(button); });
  });
  var chosen = root.querySelector(".body-image-picker__use[data-chosen]");
  if (chosen) use(chosen);
})();
