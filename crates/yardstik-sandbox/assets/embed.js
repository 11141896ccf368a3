// yardstik-sandbox embed pages (report, signDisclosures). No inline script: works under a
// strict CSP. Messages are JSON strings, exactly as Yardstik's embeddable SDK expects.
(function () {
  "use strict";
  function post(name) {
    try { window.parent.postMessage(JSON.stringify({ name: name }), "*"); } catch (e) { /* ignore */ }
  }
  function expired() {
    document.body.classList.add("expired");
    var banner = document.getElementById("expired-banner");
    if (banner) { banner.hidden = false; }
    var agree = document.getElementById("agree");
    if (agree) { agree.disabled = true; }
    post("yardstik:tokenExpiration");
  }
  function start() {
    var body = document.body;
    if (body.getAttribute("data-token-expired") === "1") { expired(); return; }
    var exp = parseInt(body.getAttribute("data-exp") || "0", 10);
    if (exp > 0) {
      var ms = exp * 1000 - Date.now();
      if (ms <= 0) { expired(); return; }
      setTimeout(expired, Math.min(ms, 2147483647));
    }
    var agree = document.getElementById("agree");
    if (agree) {
      agree.addEventListener("click", function () {
        agree.disabled = true;
        var url = body.getAttribute("data-consent-url");
        fetch(url, { method: "POST", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
          .then(function (res) {
            var status = document.getElementById("consent-status");
            if (res.ok) {
              status.textContent = "Agreed on " + res.j.consented_at + ".";
              agree.hidden = true;
            } else {
              status.textContent = (res.j && res.j.detail) || "Could not record your agreement.";
              if (res.j && res.j.status === 401) { expired(); } else { agree.disabled = false; }
            }
          })
          .catch(function () {
            document.getElementById("consent-status").textContent = "Network error, please retry.";
            agree.disabled = false;
          });
      });
    }
    if (body.getAttribute("data-loaded") === "1") { post("yardstik:loaded"); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
