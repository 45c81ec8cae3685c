// Starts the vendored Redoc on /schema (appraisal/api_docs.py) with the system's fonts
// (Redoc's own, Montserrat and Roboto, would come from Google's servers). No search
// box: its index runs in a worker made from a blob: URL, which the CSP refuses; the
// sidebar lists every operation.
(function () {
  "use strict";
  var sans = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  var mono = 'ui-monospace, "Noto Sans Mono CJK SC", Menlo, Consolas, monospace';
  var container = document.getElementById("api-reference");
  Redoc.init(container.dataset.specUrl, {
    disableSearch: true,
    theme: {
      colors: { primary: { main: "#1f5f7a" } },
      typography: { fontFamily: sans, headings: { fontFamily: sans }, code: { fontFamily: mono } },
    },
  }, container);
})();
