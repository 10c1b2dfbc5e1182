/* Share links (templates/includes/share_links.html): copy the story's address, or open the
   browser's own share sheet where it has one (Web Share API). Both buttons stay hidden
   without JavaScript or without the feature; the plain links work everywhere. */
(function () {
  "use strict";

  function announce(block, message) {
    var status = block.querySelector("[data-share-status]");
    if (status) status.textContent = message;
  }

  function copyByCommand(text) {
    // Older browsers and insecure origins have no navigator.clipboard.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    field.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyByCommand(text); });
    }
    return copyByCommand(text);
  }

  function setUp(block) {
    var url = block.dataset.shareUrl;
    var title = block.dataset.shareTitle;
    var copyItem = block.querySelector("[data-share-copy]");
    var nativeItem = block.querySelector("[data-share-native]");

    copyItem.hidden = false;
    copyItem.querySelector("button").addEventListener("click", function () {
      copy(url).then(
        function () { announce(block, block.dataset.copied || "Link copied."); },
        function () { announce(block, block.dataset.copyFailed || "Could not copy the link."); }
      );
    });

    var data = { title: title, url: url };
    if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
      nativeItem.hidden = false;
      nativeItem.querySelector("button").addEventListener("click", function () {
        navigator.share(data).catch(function () { /* the reader closed the sheet */ });
      });
    }
  }

  document.querySelectorAll(".share[data-share-url]").forEach(setUp);
})();
