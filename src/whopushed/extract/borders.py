"""Which state's territory a point lies in, by de jure borders shipped with the package
(extract/data/borders.json: Natural Earth 1:50m, public domain, via world-atlas; Crimea
moved from Russia to Ukraine, where Natural Earth's default layer does not put it).

`territory_at(lat, lon)` is point-in-polygon (even-odd rule, holes respected); a point that
falls in no country by a hair (a coastal town at 1:50m) is snapped to the nearest country
within `snap_km`; a point at sea inside the Black Sea, the Sea of Azov or the Caspian is SEA.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

import numpy as np

# rough boxes of the seas a launch may come from (lon0, lat0, lon1, lat1)
SEAS = {"Black Sea": (27.3, 40.9, 41.8, 46.7), "Sea of Azov": (34.8, 45.2, 39.4, 47.3),
        "Caspian Sea": (46.5, 36.5, 54.8, 47.2)}


@lru_cache(maxsize=1)
def _borders() -> list[tuple[str, tuple[float, float, float, float], list[tuple]]]:
    data = json.loads(resources.files("whopushed.extract").joinpath("data", "borders.json").read_text("utf-8"))
    out = []
    for code, polys in data["countries"].items():
        for rings in polys:
            xs = [p[0] for p in rings[0]]
            ys = [p[1] for p in rings[0]]
            out.append((code, (min(xs), min(ys), max(xs), max(ys)), [_edges(r) for r in rings]))
    return out


def _edges(ring: list[list[float]]) -> tuple:
    """A ring as the arrays _in_ring takes: each point (x1, y1) with the one before it (x2, y2)."""
    a = np.asarray(ring, dtype=np.float64)
    b = np.roll(a, 1, axis=0)
    return a[:, 0].copy(), a[:, 1].copy(), b[:, 0].copy(), b[:, 1].copy()


def _in_ring(x: float, y: float, ring: tuple) -> bool:
    """Even-odd rule over all edges at once (the same arithmetic, edge by edge, as the loop
    `if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1: inside = not inside`)."""
    x1, y1, x2, y2 = ring
    crosses = (y1 > y) != (y2 > y)
    if not crosses.any():
        return False
    x1, y1, x2, y2 = x1[crosses], y1[crosses], x2[crosses], y2[crosses]
    return bool(np.count_nonzero(x < (x2 - x1) * (y - y1) / (y2 - y1) + x1) & 1)


def country_at(lat: float, lon: float) -> str | None:
    """The country whose polygon holds the point, or None (sea, or outside the shipped area)."""
    for code, (x0, y0, x1, y1), rings in _borders():
        if x0 <= lon <= x1 and y0 <= lat <= y1 and _in_ring(lon, lat, rings[0]) \
                and not any(_in_ring(lon, lat, hole) for hole in rings[1:]):
            return code
    return None


def sea_at(lat: float, lon: float) -> str | None:
    for name, (x0, y0, x1, y1) in SEAS.items():
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return name
    return None


def _probes(lat: float, lon: float, km: float):
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.1))
    for k in (0.25, 0.5, 1.0):  # nearest ring of probes first
        for a in range(0, 360, 30):
            r = math.radians(a)
            yield lat + k * dlat * math.sin(r), lon + k * dlon * math.cos(r)


@lru_cache(maxsize=65536)
def territory_at(lat: float, lon: float, snap_km: float = 12.0) -> str | None:
    """ISO 3166 alpha-2 by de jure borders, SEA for a point at sea in the Black Sea, the Sea
    of Azov or the Caspian, or None. Land first: a coastal point is snapped to the land."""
    found = country_at(lat, lon)
    if found:
        return found
    for plat, plon in _probes(lat, lon, snap_km) if snap_km > 0 else ():
        near = country_at(plat, plon)
        if near:
            return near
    return "SEA" if sea_at(lat, lon) else None


@lru_cache(maxsize=65536)
def decide(lat: float, lon: float, stated: str | None = None, tolerance_km: float = 5.0) -> str | None:
    """The launch territory of a place at (lat, lon) that a gazetteer lists in `stated`.

    The polygons decide. Two allowances for the map's scale (1:50m draws borders and coasts
    a few kilometres off): a place listed in a state whose border lies within
    `tolerance_km` keeps that state (a Belarusian village on the Russian border); a place
    listed as a sea stays SEA unless the point is on land."""
    land = country_at(lat, lon)
    if stated == "SEA":
        return land or "SEA"
    if land is None:
        return territory_at(lat, lon)
    if stated and stated != land and stated not in ("SEA", "AIR"):
        if any(country_at(plat, plon) == stated for plat, plon in _probes(lat, lon, tolerance_km)):
            return stated
    return land
