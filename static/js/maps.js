// Maps drawn with Leaflet (static/vendor/leaflet): the public map of demands, the desk's small
// map of a demand's place, and the point a citizen may pick on the form. The map's element gives
// the tile settings and data in data- attributes (or names a JSON endpoint): no inline script, as
// the CSP requires. Without JavaScript every page still works; only the map is missing.
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  // The district's rough extent (坪山区), where a map with nothing on it opens.
  const DISTRICT = [[22.64, 114.30], [22.76, 114.42]];
  const PALETTE = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457",
    "#5d4037", "#283593", "#9e9d24", "#c62828", "#00695c", "#4527a0", "#f9a825", "#37474f"];

  function baseMap(node) {
    const map = L.map(node, { scrollWheelZoom: false });
    if (node.dataset.tileUrl) {
      L.tileLayer(node.dataset.tileUrl, { attribution: node.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    return map;
  }

  function publicMap(node) {
    const map = baseMap(node);
    map.fitBounds(DISTRICT);
    // The streets' outlines, so the points can be told apart even without tiles.
    if (node.dataset.outlines) {
      const streets = L.geoJSON(JSON.parse(node.dataset.outlines), {
        style: { color: "#5b6775", weight: 1, fillOpacity: 0.03, className: "map-outline" },
        interactive: false,
      }).addTo(map);
      streets.eachLayer(function (layer) {
        layer.bindTooltip(layer.feature.properties.name, { permanent: true, direction: "center", className: "map-label" });
      });
    }
    const form = document.getElementById("map-filters");
    const count = document.getElementById("map-count");
    const colours = {};
    let layer = null;
    let features = [];

    function colourOf(category) {
      if (!(category in colours)) colours[category] = PALETTE[Object.keys(colours).length % PALETTE.length];
      return colours[category];
    }

    function draw() {
      const category = form ? form.elements.category.value : "";
      const status = form ? form.elements.status.value : "";
      const shown = features.filter(function (f) {
        return (!category || f.properties.category === category) && (!status || f.properties.status === status);
      });
      if (layer) layer.remove();
      layer = L.geoJSON({ type: "FeatureCollection", features: shown }, {
        pointToLayer: function (feature, latlng) {
          const p = feature.properties;
          return L.circleMarker(latlng, {
            radius: 7,
            color: colourOf(p.category),
            fillColor: colourOf(p.category),
            // Closed demands are drawn hollow: the colour says the category, the fill the state.
            fillOpacity: p.status === "closed" ? 0.1 : 0.8,
            weight: 2,
            className: "map-point map-point-" + p.status,
          });
        },
        onEachFeature: function (feature, marker) {
          const p = feature.properties;
          const lines = [p.category, p.status_label, p.date, p.community].filter(Boolean);
          const box = document.createElement("div");
          lines.forEach(function (line) {
            const row = document.createElement("div");
            row.textContent = line;
            box.appendChild(row);
          });
          marker.bindPopup(box);
        },
      }).addTo(map);
      if (count) count.textContent = node.dataset.count.replace("%(count)s", shown.length);
    }

    fetch(node.dataset.points, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        features = collection.features || [];
        draw();
      });
    if (form) {
      form.addEventListener("change", draw);
      form.addEventListener("submit", function (event) { event.preventDefault(); draw(); });
    }
  }

  // The desk: the demand's point and, when drawn, its community's (or street's) outline.
  function placeMap(node) {
    const place = JSON.parse(node.dataset.place);
    const map = baseMap(node);
    const latlng = [place.point[1], place.point[0]];
    L.circleMarker(latlng, { radius: 8, color: "#b3261e", fillOpacity: 0.8, className: "map-point" }).addTo(map);
    if (place.outline) {
      const outline = L.geoJSON(place.outline, { style: { color: "#1565c0", weight: 2, fillOpacity: 0.05 } }).addTo(map);
      map.fitBounds(outline.getBounds(), { maxZoom: 16 });
    } else {
      map.setView(latlng, 15);
    }
  }

  // The citizen's form: a click on the map fills the latitude and longitude fields (which work
  // by hand too, and are optional).
  function pickMap(node) {
    const lat = document.getElementById(node.dataset.latitude);
    const lon = document.getElementById(node.dataset.longitude);
    if (!lat || !lon) return;
    node.hidden = false;
    const map = baseMap(node);
    let marker = null;
    function show(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 8, color: "#b3261e", fillOpacity: 0.8, className: "map-point" }).addTo(map);
    }
    if (lat.value && lon.value) {
      show([parseFloat(lat.value), parseFloat(lon.value)]);
      map.setView([parseFloat(lat.value), parseFloat(lon.value)], 15);
    } else {
      map.fitBounds(DISTRICT);
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      show(event.latlng);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const pub = document.getElementById("public-map");
    if (pub) publicMap(pub);
    document.querySelectorAll("[data-place]").forEach(placeMap);
    document.querySelectorAll("[data-pick-point]").forEach(pickMap);
  });
})();
