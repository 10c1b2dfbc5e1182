/* Newsportal view beacon: tells the server "a person is looking at this article".
 *
 * It runs even when the page came from a cache, where the server never saw the visit.
 * A prerendered page waits until it is actually shown, and a tab opened in the background
 * waits until the reader looks at it. The server decides whether the view counts.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-view-url");
  if (!url) return;

  var sent = false;
  function send() {
    if (sent || document.prerendering || document.visibilityState !== "visible") return;
    sent = true;
    if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    if (window.fetch) {
      fetch(url, { method: "POST", credentials: "same-origin", keepalive: true });
    }
  }

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
  document.addEventListener("visibilitychange", send);
})();
