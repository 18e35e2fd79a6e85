// Draw each chart of the page: an element with data-vega-spec="ID" names a <script type="application/json" id="ID">
// block holding a Vega-Lite spec (no inline script runs: the Content-Security-Policy allows none). Canvas renderer,
// no actions menu and no injected stylesheet, so the page needs no 'unsafe-inline' style.
(function () {
  "use strict";
  document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
    var block = document.getElementById(el.getAttribute("data-vega-spec"));
    if (!block) { return; }
    var spec = JSON.parse(block.textContent);
    spec.width = spec.width || "container";
    window.vegaEmbed(el, spec, { actions: false, renderer: "canvas", defaultStyle: false, tooltip: false,
                            // no eval: the CSP has no 'unsafe-eval'; Vega's interpreter evaluates expressions
                            ast: true, expr: window.vegaInterpreter.expressionInterpreter })
      .catch(function (err) { el.textContent = "The chart could not be drawn: the table gives its figures."; console.error(err); });
  });
})();
