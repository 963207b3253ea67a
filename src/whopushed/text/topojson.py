"""Decoding TopoJSON (world-atlas, Natural Earth): quantised, delta-encoded arcs into
polygons of (lon, lat) rings. Used by the dossier's SVG map and the borders build."""

from __future__ import annotations

from typing import Any, Iterator

Point = tuple[float, float]  # lon, lat


def polygons(topo: dict[str, Any], obj: str = "countries") -> Iterator[tuple[dict[str, Any], list[list[list[Point]]]]]:
    """(geometry, its polygons, each a list of rings) for every geometry of `obj`."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices) -> list[Point]:
        pts: list[Point] = []
        for i in indices:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]  # a negative index runs the arc backwards
            pts.extend(arc[1:] if pts else arc)
        return pts

    for geom in topo["objects"][obj]["geometries"]:
        parts = ([geom["arcs"]] if geom["type"] == "Polygon"
                 else geom.get("arcs", []) if geom["type"] == "MultiPolygon" else [])
        yield geom, [[ring(r) for r in part] for part in parts]
