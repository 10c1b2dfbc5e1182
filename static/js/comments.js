/* Comments: a live length counter and tidying up after in-place posts (htmx).
   Everything here is an enhancement: without it the forms post and redirect as usual. */
(function () {
  "use strict";

  function counterFor(textarea) {
    var id = textarea.getAttribute("aria-describedby");
    return id ? document.getElementById(id) : null;
  }

  function updateCounter(textarea) {
    var counter = counterFor(textarea);
    var limit = parseInt(textarea.getAttribute("data-max-length"), 10);
    if (!counter || !limit) return;
    var left = limit - textarea.value.length;
    var over = left < 0;
    // The wording comes translated from the page (data-counter-* on an ancestor).
    var texts = textarea.closest("[data-counter-left]");
    if (!texts) return;
    var text = over ? texts.getAttribute("data-counter-over") : texts.getAttribute("data-counter-left");
    counter.textContent = text
      .replace("{left}", left).replace("{over}", -left).replace("{limit}", limit);
    counter.classList.toggle("comment-form__counter--over", over);
    // Speak up only when the limit is crossed, not on every key press.
    if (over !== (counter.getAttribute("role") === "alert")) {
      if (over) counter.setAttribute("role", "alert");
      else counter.removeAttribute("role");
    }
    var button = textarea.form && textarea.form.querySelector("button[type=submit]");
    if (button) button.disabled = over;
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("textarea[data-max-length]")) updateCounter(target);
  });

  function refreshAll(root) {
    (root || document).querySelectorAll("textarea[data-max-length]").forEach(function (textarea) {
      if (textarea.value) updateCounter(textarea);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { refreshAll(); });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !form.matches || !form.matches("form[data-comment-form]")) return;
    var error = form.querySelector("[data-htmx-error]");
    if (error) error.remove();
    if (!document.body.contains(form)) return;
    form.reset();
    form.querySelectorAll("textarea[data-max-length]").forEach(updateCounter);
    var details = form.closest("details");
    if (details) details.open = false;
    var empty = document.querySelector(".comments__empty");
    if (empty) empty.remove();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    refreshAll(event.detail.target);
  });
})();
