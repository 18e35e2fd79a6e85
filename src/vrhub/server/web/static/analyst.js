// The explorer: clicking an area on the map loads its figures into the panel beside it (htmx), the same page the
// area's link in the table opens with JavaScript off.
(function () {
  "use strict";
  document.addEventListener("app:area", function (event) {
    var href = event.detail && event.detail.href;
    var panel = document.getElementById("area-panel");
    if (!href || !panel || !window.htmx) { return; }
    window.htmx.ajax("GET", href, { target: "#area-panel", swap: "innerHTML" }).then(function () {
      var heading = panel.querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    });
  });
})();
