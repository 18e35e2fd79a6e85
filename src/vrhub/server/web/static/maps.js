// Draw each map of the page with Leaflet over the workspace's own boundaries (GeoJSON from the hub; no tiles).
// An element with class app-map__canvas has data-geojson (URL on this hub), data-value (the property shaded) and
// data-label (the property naming an area). Clicking (or pressing Enter on) an area fires "app:area" on the
// element with the feature's properties, for a page to show that area's figures.
(function () {
  "use strict";
  var BLUES = ["#deebf7", "#9ecae1", "#4292c6", "#08519c", "#08306b"];

  function shade(values) {
    var sorted = values.filter(function (v) { return v !== null && !isNaN(v); }).sort(function (a, b) { return a - b; });
    return function (v) {
      if (v === null || v === undefined || isNaN(v) || !sorted.length) { return "#f3f2f1"; }
      var rank = sorted.indexOf(v) / Math.max(sorted.length - 1, 1);
      return BLUES[Math.min(BLUES.length - 1, Math.floor(rank * BLUES.length))];
    };
  }

  document.querySelectorAll(".app-map__canvas[data-geojson]").forEach(function (el) {
    var valueField = el.getAttribute("data-value");
    var labelField = el.getAttribute("data-label") || "name";
    fetch(el.getAttribute("data-geojson"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var colour = shade(data.features.map(function (f) { return Number(f.properties[valueField]); }));
        var map = window.L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
        var layer = window.L.geoJSON(data, {
          style: function (f) {
            return { color: "#0b0c0c", weight: 1, fillOpacity: 0.8, fillColor: colour(Number(f.properties[valueField])) };
          },
          onEachFeature: function (f, l) {
            var p = f.properties;
            l.bindTooltip(String(p[labelField]) + ": " + (p[valueField] === null ? "not shown" : String(p[valueField])));
            l.on("click", function () { el.dispatchEvent(new CustomEvent("app:area", { detail: p, bubbles: true })); });
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds());
      })
      .catch(function (err) { el.textContent = "The map could not be drawn: the table gives its figures."; console.error(err); });
  });
})();
