"""The dossier's map: an SVG drawn from the country borders the package ships (Natural
Earth 1:50m via world-atlas, the same file the web map reads), with the incidents'
launch and impact points, their precision as circles and a line between them. No tiles,
nothing fetched: it prints and it works offline."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from importlib.resources import files
from typing import Any

from ..text.topojson import polygons

Point = tuple[float, float]  # lon, lat

# ISO 3166 alpha-2 -> the numeric ids world-atlas uses, for the states a case names.
ISO_NUMERIC = {"BY": "112", "UA": "804", "RU": "643", "PL": "616", "LT": "440", "LV": "428", "MD": "498",
               "RO": "642", "SK": "703", "HU": "348"}


@lru_cache(maxsize=1)
def countries() -> list[tuple[str, str, list[list[Point]]]]:
    """(numeric id, name, rings) of every country in the shipped TopoJSON."""
    path = files("whopushed.web") / "static" / "vendor" / "world-atlas" / "countries-50m.json"
    topo = json.loads(path.read_text(encoding="utf-8"))
    found = [(str(geom.get("id", "")), geom.get("properties", {}).get("name", ""),
              [r for poly in polys for r in poly]) for geom, polys in polygons(topo)]
    return _de_jure(found)


# Natural Earth 4.1.0 draws Crimea as Russia's; the case model places launch territory by
# de jure borders (occupied Ukrainian territory, Crimea included, is UA), so its maps do too.
CRIMEA = (34.1, 44.95)  # Simferopol


def _de_jure(found):
    by_id = {cid: rings for cid, _, rings in found}
    ru, ua = by_id.get("643"), by_id.get("804")
    if ru is None or ua is None:
        return found
    moved = [r for r in ru if _inside(r, *CRIMEA)]
    ru[:] = [r for r in ru if not any(r is m for m in moved)]
    ua.extend(moved)
    return found


def _inside(ring: list[Point], lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


class Projection:
    """Equirectangular, scaled by the cosine of the middle latitude: true enough at the
    scale of one region, and simple to check."""

    def __init__(self, west: float, south: float, east: float, north: float, width: float):
        self.west, self.south, self.east, self.north = west, south, east, north
        self.k = math.cos(math.radians((south + north) / 2))
        self.scale = width / ((east - west) * self.k)
        self.width = width
        self.height = (north - south) * self.scale

    def __call__(self, lon: float, lat: float) -> Point:
        return (lon - self.west) * self.k * self.scale, (self.north - lat) * self.scale

    def km(self, km: float) -> float:
        return km / 111.32 * self.scale


def _extent(points: list[Point], min_span: float = 8.0) -> tuple[float, float, float, float]:
    if not points:
        return 22.0, 44.0, 41.0, 57.0  # Belarus, Ukraine and their neighbours
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w, half_h = max(east - west, min_span) / 2 * 1.5, max(north - south, min_span * 0.6) / 2 * 1.5
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def svg_map(rows: list[dict[str, Any]], territorial: str | None = None, target: str | None = None,
            width: float = 720.0) -> str:
    """An SVG of the incidents (rows in the shape of incident_json) over country borders;
    each incident is labelled with its id."""
    located = []
    for r in rows:
        pts = {}
        for role, key in (("launch", "launch_area"), ("impact", "impact_area")):
            p = r.get(key)
            if p and p.get("lat") is not None and p.get("lon") is not None:
                pts[role] = p
        if pts:
            located.append((r, pts))
    west, south, east, north = _extent([(p["lon"], p["lat"]) for _, pts in located for p in pts.values()])
    proj = Projection(west, south, east, north, width)
    terr, targ = ISO_NUMERIC.get(territorial or ""), ISO_NUMERIC.get(target or "")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dossier-map" viewBox="0 0 {width:.0f} {proj.height:.0f}" '
           f'width="{width:.0f}" height="{proj.height:.0f}" role="img" aria-label="Map of the incidents">',
           f'<rect width="{width:.0f}" height="{proj.height:.0f}" fill="#dbe7f1"/>']
    for cid, name, rings in countries():
        near = [ring for ring in rings if ring and _touches(ring, west - 2, south - 2, east + 2, north + 2)]
        if not near:
            continue
        fill = "#f6e3e1" if cid == terr else "#fbf3d9" if cid == targ else "#f7f6f2"
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (proj(lon, lat) for lon, lat in ring)) + " Z"
                     for ring in near)
        out.append(f'<path d="{d}" fill="{fill}" stroke="#8c96a3" stroke-width="0.7"><title>{escape(name)}</title></path>')
    colours = {"launch": "#a3231f", "impact": "#1f4f8a"}
    labels = []
    for r, pts in located:
        if "launch" in pts and "impact" in pts:
            (x1, y1), (x2, y2) = proj(pts["launch"]["lon"], pts["launch"]["lat"]), proj(pts["impact"]["lon"], pts["impact"]["lat"])
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#6b7280" '
                       f'stroke-width="1.2" stroke-dasharray="4 3"/>')
        for role, p in pts.items():
            x, y = proj(p["lon"], p["lat"])
            radius = max(proj.km(p.get("radius_km") or 0), 0)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colours[role]}" fill-opacity="0.08" '
                       f'stroke="{colours[role]}" stroke-opacity="0.6" stroke-width="0.8"/>')
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.6" fill="{colours[role]}" stroke="#fff" stroke-width="1"/>')
        anchor = pts.get("launch") or pts["impact"]
        labels.append((*proj(anchor["lon"], anchor["lat"]), r["id"]))
    placed: list[Point] = []
    for x, y, text in labels:  # nudge labels down where they would overlap
        while any(abs(x - px) < 36 and abs(y - py) < 10 for px, py in placed):
            y += 10
        placed.append((x, y))
        out.append(f'<text x="{x + 6:.1f}" y="{y + 3:.1f}" font-size="8.5" fill="#1d232b" '
                   f'font-family="DejaVu Sans, sans-serif">{escape(text)}</text>')
    lx, ly = 10, proj.height - 62
    out.append(f'<g font-size="9" font-family="DejaVu Sans, sans-serif" fill="#1d232b">'
               f'<rect x="{lx - 4}" y="{ly - 12}" width="150" height="66" fill="#fff" fill-opacity="0.92" stroke="#c8ced6"/>'
               f'<circle cx="{lx + 4}" cy="{ly - 2}" r="3.6" fill="#a3231f"/><text x="{lx + 12}" y="{ly + 1}">launch point</text>'
               f'<circle cx="{lx + 4}" cy="{ly + 11}" r="3.6" fill="#1f4f8a"/><text x="{lx + 12}" y="{ly + 14}">impact point</text>'
               f'<circle cx="{lx + 4}" cy="{ly + 24}" r="4.5" fill="none" stroke="#a3231f"/><text x="{lx + 12}" y="{ly + 27}">precision (radius)</text>'
               f'<line x1="{lx}" y1="{ly + 37}" x2="{lx + 9}" y2="{ly + 37}" stroke="#6b7280" stroke-dasharray="3 2"/>'
               f'<text x="{lx + 12}" y="{ly + 40}">launch → impact</text></g>')
    out.append(f'<text x="{width - 6:.0f}" y="{proj.height - 5:.0f}" font-size="7.5" text-anchor="end" fill="#5d6875" '
               f'font-family="DejaVu Sans, sans-serif">Borders: Natural Earth 1:50m (public domain)</text>')
    out.append("</svg>")
    return "\n".join(out)


def _touches(ring: list[Point], west: float, south: float, east: float, north: float) -> bool:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return not (max(lons) < west or min(lons) > east or max(lats) < south or min(lats) > north)


def country_at(lon: float, lat: float) -> str | None:
    """The numeric id of the shipped country polygon holding a point (even-odd rule)."""
    for cid, _, rings in countries():
        if sum(_inside(ring, lon, lat) for ring in rings) % 2:
            return cid
    return None
