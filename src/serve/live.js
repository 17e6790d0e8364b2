// booklet serve: reloads this page after every successful build and shows
// a failed build's errors over it. Added to served pages only, never to the
// EPUB.
(function () {
  "use strict";
  var script = document.currentScript;
  var since = (script && /since=(\d+)/.exec(script.src) || [])[1] || "0";
  var events = new EventSource("/_booklet/events?since=" + since);
  var overlay = null;
  events.addEventListener("reload", function () {
    events.close();
    location.reload();
  });
  events.addEventListener("failed", function (e) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "booklet-errors";
      overlay.setAttribute("style",
        "position:fixed;inset:0;overflow:auto;z-index:2147483647;" +
        "background:rgba(255,255,255,.96);color:#a00;padding:1.5em;" +
        "font:14px/1.5 monospace;white-space:pre-wrap;text-indent:0");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "booklet: the build failed; fix the problem and save again.\n\n" + e.data;
  });
})();
