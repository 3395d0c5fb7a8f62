// backkb report: when a quote link is followed, open the raw text that holds it and light up every
// piece of the cited span (overlapping spans are split into several <mark>s sharing data-span).
(function () {
  "use strict";
  function show() {
    var id = decodeURIComponent(location.hash.slice(1));
    document.querySelectorAll("mark.hit").forEach(function (m) { m.classList.remove("hit"); });
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
    if (target.tagName === "MARK") {
      document.querySelectorAll('mark[data-span="' + id + '"]').forEach(function (m) { m.classList.add("hit"); });
    }
    target.scrollIntoView({block: "center"});
  }
  window.addEventListener("hashchange", show);
  document.addEventListener("DOMContentLoaded", show);
  document.documentElement.setAttribute("data-ready", "1");
})();
