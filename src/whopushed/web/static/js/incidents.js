/* The incidents page: the map and the timeline, linked to the table and the filters.
   Selecting an incident anywhere (map, timeline, table) highlights it everywhere. */
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#incident-table tbody tr[data-incident]")); }

  function highlight(id, from) {
    rows().forEach(function (r) { r.classList.toggle("selected", r.getAttribute("data-incident") === id); });
    var row = document.getElementById("row-" + id);
    if (row && from !== "table") row.scrollIntoView({ block: "nearest" });
    if (window.whopushedTimeline && from !== "timeline") {
      try { window.whopushedTimeline.setSelection([id], { focus: false }); } catch (e) { /* not on this page */ }
    }
  }

  function timeline(node) {
    var items = [];
    rows().forEach(function (r) {
      var start = r.getAttribute("data-start"), end = r.getAttribute("data-end");
      if (!start) return;  // a day without a year has no place on a timeline
      var content = document.createElement("span");
      content.textContent = r.getAttribute("data-incident");
      var item = { id: r.getAttribute("data-incident"), content: content, start: start, className: "kind-" + r.getAttribute("data-kind") };
      var span = new Date(end) - new Date(start);
      if (end && span > 36 * 3600 * 1000) { item.end = end; item.type = "range"; } else { item.type = "point"; }
      items.push(item);
    });
    var tl = new vis.Timeline(node, new vis.DataSet(items), {
      stack: true, height: "230px", zoomMin: 24 * 3600 * 1000, margin: { item: 4 },
      tooltip: { followMouse: false }, selectable: true, showCurrentTime: false
    });
    tl.on("select", function (props) {
      if (props.items.length) document.dispatchEvent(new CustomEvent("whopushed:select", { detail: { id: props.items[0], from: "timeline" } }));
    });
    window.whopushedTimeline = tl;
    node.setAttribute("data-items", String(items.length));
    var button = document.getElementById("timeline-filter");
    if (button) {
      button.addEventListener("click", function () {
        var w = tl.getWindow(), form = document.getElementById("filters");
        form.elements.since.value = w.start.toISOString().slice(0, 10);
        form.elements.until.value = w.end.toISOString().slice(0, 10);
        form.submit();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var mapNode = document.getElementById("map");
    if (mapNode) window.whopushedMaps.incidentMap(mapNode);
    var tlNode = document.getElementById("timeline");
    if (tlNode) timeline(tlNode);
    document.addEventListener("whopushed:select", function (e) {
      highlight(e.detail.id, e.detail.from);
      if (e.detail.from !== "map" && window.whopushedMap) window.whopushedMap.focus(e.detail.id);
    });
    rows().forEach(function (r) {
      r.addEventListener("click", function (e) {
        if (e.target.closest("a")) return;  // the id link opens the incident
        document.dispatchEvent(new CustomEvent("whopushed:select", { detail: { id: r.getAttribute("data-incident"), from: "table" } }));
      });
    });
  });
})();
