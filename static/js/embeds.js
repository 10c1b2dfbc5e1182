/* Newsportal embeds: a provider's iframe loads only when the reader asks for it.
 *
 * The page carries a placeholder (articles/embeds.py): a link to the original post or
 * video, which works without this script. Here the link becomes a button that swaps in
 * the provider's player. The iframe address comes from the server's data-embed-src, which
 * the Content-Security-Policy's frame-src allows; nothing loads from the provider before.
 */
(function () {
  "use strict";

  function load(figure) {
    var iframe = document.createElement("iframe");
    iframe.src = figure.getAttribute("data-embed-src");
    iframe.title = figure.getAttribute("data-embed-title") || "";
    iframe.className = "embed__frame";
    iframe.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
    iframe.setAttribute("allowfullscreen", "");
    // YouTube refuses to play without the page's origin as referrer.
    iframe.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    iframe.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation"
    );
    var placeholder = figure.querySelector(".embed__load");
    placeholder.replaceWith(iframe);
    figure.classList.add("embed--loaded");
    iframe.focus();
  }

  function upgrade(figure) {
    var link = figure.querySelector("a.embed__load");
    if (!link || !figure.getAttribute("data-embed-src")) return;
    // With the script, the placeholder loads the player in place: a button, not a link.
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    while (link.firstChild) button.appendChild(link.firstChild);
    button.addEventListener("click", function () { load(figure); });
    link.replaceWith(button);
  }

  function upgradeAll() {
    document.querySelectorAll("figure.embed[data-embed-src]").forEach(upgrade);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", upgradeAll);
  } else {
    upgradeAll();
  }
})();
