import HTTPTypes
import Hummingbird

/// The board's one script, served from `/assets/board.js` (the pages' CSP allows scripts from the server
/// itself only): it subscribes to `/api/v1/events` and, when the ledger changes, reads the board page
/// again and swaps in the cards that differ, so a second tab sees an approval or a hold without a reload.
/// The page reads fully without it; it holds no credential (the session cookie is HttpOnly and travels
/// with the requests by itself).
enum BoardScript {
    static func response() -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: source)))
    }

    static let source = """
        "use strict";
        (function () {
          var main = document.querySelector("main[data-events]");
          if (!main || !window.EventSource || !window.fetch || !window.DOMParser) return;
          var live = document.querySelector("header .live");
          var timer = null;
          var source = new EventSource(main.getAttribute("data-events"));
          function mark(state) {
            if (!live) return;
            live.hidden = false;
            live.textContent = state;
            live.className = "live " + state;
          }
          function cells(root) {
            var map = {};
            root.querySelectorAll("[data-cell]").forEach(function (node) { map[node.getAttribute("data-cell")] = node; });
            return map;
          }
          function refresh() {
            timer = null;
            fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
              .then(function (response) {
                if (response.redirected || !response.ok) { window.location.reload(); return null; }
                return response.text();
              })
              .then(function (html) {
                if (html === null) return;
                var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main[data-events]");
                if (!fresh) return;
                var now = cells(main), next = cells(fresh);
                var same = Object.keys(now).length === Object.keys(next).length &&
                  Object.keys(next).every(function (key) { return key in now; });
                if (!same) {
                  main.innerHTML = fresh.innerHTML;
                  main.setAttribute("data-refreshed", String(Date.now()));
                  return;
                }
                Object.keys(next).forEach(function (key) {
                  var old = now[key];
                  if (old.innerHTML === next[key].innerHTML) return;
                  // A card someone is typing a reason into waits for the next change.
                  if (old.contains(document.activeElement) && document.activeElement.tagName === "INPUT" &&
                      document.activeElement.value) return;
                  var replacement = document.importNode(next[key], true);
                  replacement.classList.add("changed");
                  old.replaceWith(replacement);
                });
                main.setAttribute("data-refreshed", String(Date.now()));
              })
              .catch(function () { mark("offline"); });
          }
          function soon() { if (timer === null) timer = window.setTimeout(refresh, 150); }
          source.addEventListener("open", function () { mark("live"); });
          source.addEventListener("error", function () { mark("reconnecting"); });
          source.addEventListener("ledger", soon);
          source.addEventListener("reset", soon);
          source.addEventListener("revoked", function () { source.close(); window.location.reload(); });
        })();

        """
}
