/* The incident map: country borders from the shipped Natural Earth data (no tiles),
   launch and impact points with their precision as circles, a line from launch to
   impact, and a grid clustering of its own when points crowd.
   Every text from the case goes in through textContent, never as HTML. */
(function () {
  "use strict";

  var ISO_NUMERIC = { BY: "112", UA: "804", RU: "643", PL: "616", LT: "440", LV: "428", MD: "498", RO: "642" };
  var COLOURS = { launch: "#a3231f", impact: "#1f4f8a", path: "#6b7280" };
  var CELL_PX = 46;
  var bordersPromise = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function borders() {
    if (!bordersPromise) {
      bordersPromise = fetch("/static/vendor/world-atlas/countries-50m.json")
        .then(function (r) { return r.json(); })
        .then(function (topo) { return deJure(topojson.feature(topo, topo.objects.countries)); });
    }
    return bordersPromise;
  }

  // Natural Earth 4.1.0 draws Crimea as Russia's; launch territory is by de jure borders
  // (occupied Ukrainian territory, Crimea included, is UA), and so is this map.
  function inside(ring, lon, lat) {
    var c = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) c = !c;
    }
    return c;
  }

  function deJure(geo) {
    var ru = null, ua = null;
    geo.features.forEach(function (f) { if (String(f.id) === "643") ru = f; if (String(f.id) === "804") ua = f; });
    if (!ru || !ua || ru.geometry.type !== "MultiPolygon") return geo;
    var keep = [], moved = [];
    ru.geometry.coordinates.forEach(function (poly) { (inside(poly[0], 34.1, 44.95) ? moved : keep).push(poly); });
    ru.geometry.coordinates = keep;
    if (ua.geometry.type === "Polygon") ua.geometry = { type: "MultiPolygon", coordinates: [ua.geometry.coordinates] };
    ua.geometry.coordinates = ua.geometry.coordinates.concat(moved);
    return geo;
  }

  function addBorders(map, opts) {
    var territorial = ISO_NUMERIC[opts.territorial] || "", target = ISO_NUMERIC[opts.target] || "";
    return borders().then(function (geo) {
      L.geoJSON(geo, {
        interactive: false,
        style: function (f) {
          var id = String(f.id);
          var fill = id === territorial ? "#f6e3e1" : id === target ? "#fbf3d9" : "#f7f6f2";
          return { color: "#8c96a3", weight: 0.8, fillColor: fill, fillOpacity: 1 };
        }
      }).addTo(map);
    });
  }

  function legend(map) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", "map-legend");
      box.appendChild(el("strong", null, "Legend"));
      [["dot launch", "launch point"], ["dot impact", "impact point"], ["ring", "precision (radius)"],
       ["line", "launch → impact"], ["cluster-key", "several incidents (click to zoom)"]].forEach(function (row) {
        var line = el("div");
        line.appendChild(el("span", "key " + row[0]));
        line.appendChild(document.createTextNode(" " + row[1]));
        box.appendChild(line);
      });
      var terr = el("div");
      terr.appendChild(el("span", "key territorial"));
      terr.appendChild(document.createTextNode(" launch territory"));
      box.appendChild(terr);
      return box;
    };
    control.addTo(map);
  }

  function popup(inc) {
    var box = el("div", "popup");
    box.appendChild(el("div", "popup-id", inc.id + " · " + inc.when));
    box.appendChild(el("strong", null, inc.title));
    var meta = [];
    if (inc.launch) meta.push("from " + inc.launch.place + " (" + inc.launch.precision + ", ±" + inc.launch.radius_km + " km)");
    if (inc.impact) meta.push("at " + inc.impact.place + " (" + inc.impact.precision + ")");
    if (inc.weapons && inc.weapons.length) meta.push(inc.weapons.join(", "));
    if (inc.top_posterior !== null && inc.top_posterior !== undefined) {
      meta.push(inc.most_likely ? "most likely " + inc.most_likely + " (" + Math.round(inc.top_posterior * 100) + "%)" : "a tie");
    }
    box.appendChild(el("div", "muted", meta.join(" · ")));
    var link = el("a", "open-incident", "Open the incident and its evidence →");
    link.href = "/incidents/" + encodeURIComponent(inc.id);
    box.appendChild(link);
    return box;
  }

  // GeoJSON features -> one entry per incident with its launch, impact and path.
  function incidentsOf(features) {
    var byId = {}, order = [];
    features.forEach(function (f) {
      var p = f.properties, id = p.incident;
      if (!byId[id]) { byId[id] = { id: id }; order.push(id); }
      if (p.role !== "path") {
        var inc = byId[id];
        inc.title = p.title; inc.when = p.when; inc.weapons = p.weapons; inc.kind = p.kind;
        inc.most_likely = p.most_likely; inc.top_posterior = p.top_posterior;
      }
      if (p.role === "launch" || p.role === "impact") {
        byId[id][p.role] = { lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0], place: p.place,
                             precision: p.precision, radius_km: p.radius_km };
      }
    });
    return order.map(function (id) { return byId[id]; });
  }

  function anchor(inc) { var a = inc.launch || inc.impact; return L.latLng(a.lat, a.lon); }

  function IncidentLayer(map, cluster) {
    this.map = map;
    this.cluster = cluster !== false;
    this.group = L.layerGroup().addTo(map);
    this.incidents = [];
    this.drawn = {};        // incident id -> its point markers (when drawn on its own)
    this.clusterOf = {};    // incident id -> the cluster marker holding it
    map.on("zoomend", this.draw, this);
  }

  IncidentLayer.prototype.set = function (incidents) { this.incidents = incidents; this.draw(); };

  IncidentLayer.prototype.draw = function () {
    var map = this.map, group = this.group, self = this;
    group.clearLayers();
    this.drawn = {};
    this.clusterOf = {};
    var cells = {};
    if (!this.cluster) { this.incidents.forEach(function (inc) { self.drawIncident(inc); }); return; }
    this.incidents.forEach(function (inc) {
      var pt = map.project(anchor(inc), map.getZoom());
      var key = Math.floor(pt.x / CELL_PX) + ":" + Math.floor(pt.y / CELL_PX);
      (cells[key] = cells[key] || []).push(inc);
    });
    Object.keys(cells).forEach(function (key) {
      var members = cells[key];
      if (members.length === 1) { self.drawIncident(members[0]); return; }
      var lat = 0, lon = 0;
      members.forEach(function (m) { var a = anchor(m); lat += a.lat; lon += a.lng; });
      var size = members.length < 10 ? 30 : members.length < 100 ? 36 : 44;
      var icon = L.divIcon({ className: "cluster", iconSize: [size, size], html: "" });
      var marker = L.marker([lat / members.length, lon / members.length], { icon: icon, keyboard: true,
        title: members.length + " incidents: click to zoom in" }).addTo(group);
      marker.on("add", function () { if (marker._icon) marker._icon.textContent = String(members.length); });
      if (marker._icon) marker._icon.textContent = String(members.length);
      marker.incidentIds = members.map(function (m) { return m.id; });
      marker.on("click", function () {
        var bounds = L.latLngBounds(members.map(anchor));
        if (map.getZoom() >= map.getMaxZoom() || bounds.getNorthEast().equals(bounds.getSouthWest())) {
          members.forEach(function (m) { self.drawIncident(m); });
          group.removeLayer(marker);
        } else {
          map.fitBounds(bounds.pad(0.5), { maxZoom: map.getZoom() + 3 });
        }
      });
      members.forEach(function (m) { self.clusterOf[m.id] = marker; });
    });
  };

  IncidentLayer.prototype.drawIncident = function (inc) {
    var group = this.group, markers = [];
    if (inc.launch && inc.impact) {
      L.polyline([[inc.launch.lat, inc.launch.lon], [inc.impact.lat, inc.impact.lon]],
        { color: COLOURS.path, weight: 1.6, dashArray: "5 5", interactive: false }).addTo(group);
    }
    ["launch", "impact"].forEach(function (role) {
      var p = inc[role];
      if (!p) return;
      L.circle([p.lat, p.lon], { radius: p.radius_km * 1000, color: COLOURS[role], weight: 1, opacity: 0.6,
                                 fillOpacity: 0.08, interactive: false }).addTo(group);
      var m = L.circleMarker([p.lat, p.lon], { radius: 6, color: "#fff", weight: 1.5, fillColor: COLOURS[role],
                                               fillOpacity: 1, className: "incident-marker " + role })
        .bindPopup(function () { return popup(inc); }).addTo(group);
      m.incidentId = inc.id;
      m.on("click", function () { document.dispatchEvent(new CustomEvent("whopushed:select", { detail: { id: inc.id, from: "map" } })); });
      if (m._path) { m._path.setAttribute("data-incident", inc.id); m._path.setAttribute("data-role", role); }
      markers.push(m);
    });
    delete this.clusterOf[inc.id];
    this.drawn[inc.id] = markers;
  };

  IncidentLayer.prototype.focus = function (id, popup) {
    var inc = this.incidents.filter(function (i) { return i.id === id; })[0];
    if (!inc) return false;
    if (!this.drawn[id]) {
      // zoom in until it stands alone; without animation the redraw on zoomend happens
      // now, not under the user's next click
      for (var z = Math.max(this.map.getZoom() + 1, 7); z <= this.map.getMaxZoom() && !this.drawn[id]; z++) {
        this.map.setView(anchor(inc), z, { animate: false });
      }
      var cluster = this.clusterOf[id];
      if (cluster) {  // the same place as others even at the closest zoom: open the cluster
        var self = this;
        this.group.removeLayer(cluster);
        this.incidents.forEach(function (m) { if (self.clusterOf[m.id] === cluster) self.drawIncident(m); });
      }
    } else {
      this.map.panTo(anchor(inc), { animate: false });
    }
    if (popup !== false) this.drawn[id][0].openPopup();
    return true;
  };

  // Draws the incidents that match the page's filters, from /api/geojson; refetches by
  // viewport when there are more than one response holds.
  function incidentMap(node) {
    var map = L.map(node, { zoomSnap: 0.5, worldCopyJump: false, minZoom: 3, maxZoom: 13, preferCanvas: false })
      .setView([51.5, 29], 5);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Borders: Natural Earth (public domain)");
    watchSize(map, node);
    var layer = new IncidentLayer(map);
    var status = document.getElementById("map-status");
    var query = node.getAttribute("data-query") || "";
    var api = { map: map, layer: layer, ready: false, truncated: false,
                incidentIds: function () { return layer.incidents.map(function (i) { return i.id; }); },
                drawnIds: function () { return Object.keys(layer.drawn); },
                clusteredIds: function () { return Object.keys(layer.clusterOf); },
                focus: function (id, popup) { return layer.focus(id, popup); } };
    window.whopushedMap = api;

    var cells = L.layerGroup().addTo(map);  // the server's grid cells, when too many match

    function drawCells(features) {
      cells.clearLayers();
      features.forEach(function (f) {
        var n = f.properties.count, size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : 52;
        var marker = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
          icon: L.divIcon({ className: "cluster", iconSize: [size, size], html: "" }),
          title: n + " incidents: click to zoom in" }).addTo(cells);
        if (marker._icon) marker._icon.textContent = n >= 10000 ? Math.round(n / 1000) + "k" : String(n);
        var bb = f.properties.bbox;
        marker.on("click", function () { map.fitBounds([[bb[1], bb[0]], [bb[3], bb[2]]]); });
      });
    }

    function load(bbox, fit) {
      var url = "/api/geojson?" + query + (query ? "&" : "") + "limit=2000" + (bbox ? "&bbox=" + bbox : "");
      return fetch(url).then(function (r) { return r.json(); }).then(function (fc) {
        var incidents = fc.clustered ? [] : incidentsOf(fc.features);
        layer.set(incidents);
        drawCells(fc.clustered ? fc.features : []);
        api.truncated = fc.truncated;
        if (status) {
          status.textContent = fc.matched + " located incident" + (fc.matched === 1 ? "" : "s") +
            (fc.clustered ? " (grouped: zoom in or filter to see each)" :
             fc.truncated ? " (showing " + fc.returned + "; zoom in or filter)" : "");
        }
        if (fit && (incidents.length || fc.clustered)) {
          var b = L.latLngBounds([]);
          incidents.forEach(function (i) { ["launch", "impact"].forEach(function (r) { if (i[r]) b.extend([i[r].lat, i[r].lon]); }); });
          fc.features.forEach(function (f) { if (f.properties.cluster) b.extend([f.geometry.coordinates[1], f.geometry.coordinates[0]]); });
          if (b.isValid()) map.fitBounds(b.pad(0.25), { maxZoom: 8, animate: false });  // settled before "ready"
        }
        api.ready = true;
        node.setAttribute("data-ready", "1");
        document.dispatchEvent(new CustomEvent("whopushed:map-ready"));
      });
    }

    legend(map);
    addBorders(map, { territorial: node.getAttribute("data-territorial"), target: node.getAttribute("data-target") })
      .then(function () { map.invalidateSize(false); return load(null, true); });
    map.on("moveend", function () {
      if (!api.truncated) return;
      var b = map.getBounds();
      load([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(4); }).join(","), false);
    });
    return api;
  }

  // One incident's map (its own page): the features come in a data attribute.
  function singleMap(node) {
    var features = JSON.parse(node.getAttribute("data-features") || "[]");
    var map = L.map(node, { zoomSnap: 0.5, minZoom: 3, maxZoom: 13, scrollWheelZoom: false }).setView([51.5, 29], 5);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Borders: Natural Earth (public domain)");
    watchSize(map, node);
    var layer = new IncidentLayer(map, false);
    legend(map);
    addBorders(map, { territorial: node.getAttribute("data-territorial"), target: node.getAttribute("data-target") })
      .then(function () {
        var incidents = incidentsOf(features);
        layer.set(incidents);
        var b = L.latLngBounds([]);
        incidents.forEach(function (i) { ["launch", "impact"].forEach(function (r) {
          var p = i[r];
          if (p) { b.extend(L.latLng(p.lat, p.lon).toBounds(p.radius_km * 2000)); }
        }); });
        if (b.isValid()) map.fitBounds(b.pad(1.5), { maxZoom: 7, animate: false });
        node.setAttribute("data-ready", "1");
      });
  }

  // the page's grid may settle after the map is made (the timeline draws beside it):
  // keep Leaflet's idea of the map's size true
  function watchSize(map, node) {
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(false); }).observe(node);
  }

  window.whopushedMaps = { incidentMap: incidentMap, singleMap: singleMap };
  document.addEventListener("DOMContentLoaded", function () {
    var single = document.getElementById("incident-map");
    if (single) singleMap(single);
  });
})();
