/* Newsportal's htmx glue, loaded after htmx-2.x.min.js.
   1. Every htmx request carries Django's CSRF token as a header, so hx-post also works on
      elements that are not forms (forms send their hidden csrfmiddlewaretoken anyway).
      The token is read from the page at request time rather than printed into <body>,
      because anonymous article pages are cached and must not carry a token.
   2. A 4xx/5xx answer is not swapped by htmx; its short message (the one fragment that
      core/responses.py builds) is shown next to the form in a role="alert" paragraph
      instead, so a reader learns why nothing happened. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  function showError(elt, message) {
    var holder = (elt.closest && elt.closest("form")) || elt;
    var box = holder.querySelector("[data-htmx-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-htmx-error", "");
      holder.appendChild(box);
    }
    box.textContent = message;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = xhr.responseText || "";
    var message;
    if (text && text.length < 2000 && !/<html/i.test(text)) {
      message = new DOMParser().parseFromString(text, "text/html").body.textContent.trim();
    }
    showError(event.detail.elt, message || "Something went wrong (" + xhr.status +
      "). Please reload the page and try again.");
  });

  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, "The server could not be reached. Check your connection and try again.");
  });
})();
