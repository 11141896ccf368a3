// yardstik-sandbox candidate apply page. No inline script (strict CSP friendly).
(function () {
  "use strict";
  function post(name) {
    try { window.parent.postMessage(JSON.stringify({ name: name }), "*"); } catch (e) { /* ignore */ }
  }
  function start() {
    var body = document.body;
    if (body.getAttribute("data-submitted") === "1") { post("yardstik:form_submitted"); return; }
    var form = document.getElementById("apply-form");
    var startedUrl = body.getAttribute("data-started-url");
    if (form && startedUrl) {
      var sent = false;
      var mark = function () {
        if (sent) { return; }
        sent = true;
        fetch(startedUrl, { method: "POST" }).catch(function () { sent = false; });
      };
      form.addEventListener("focusin", mark);
      form.addEventListener("input", mark);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
