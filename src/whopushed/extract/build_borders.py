"""Build extract/data/borders.json from world-atlas's countries-50m.json (Natural Earth).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m whopushed.extract.build_borders package/countries-50m.json

Keeps the countries around Belarus, Ukraine and Russia, clipped to lon 10..62, lat 35..72
(Sutherland-Hodgman against the box, after making rings that cross the antimeridian
continuous), rounded to 0.001 degree, and moves the Crimean
polygon (with Sevastopol) from Russia, where Natural Earth's default layer draws it, to
Ukraine, as UN GA Res. 68/262 has it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..text.topojson import polygons

BOX = (10.0, 35.0, 62.0, 72.0)  # lon0, lat0, lon1, lat1
CRIMEA = (32.3, 44.2, 36.8, 46.3)
COUNTRIES = {"Belarus": "BY", "Ukraine": "UA", "Russia": "RU", "Poland": "PL", "Lithuania": "LT", "Latvia": "LV",
             "Estonia": "EE", "Moldova": "MD", "Romania": "RO", "Slovakia": "SK", "Hungary": "HU", "Georgia": "GE",
             "Azerbaijan": "AZ", "Kazakhstan": "KZ", "Turkey": "TR", "Bulgaria": "BG", "Finland": "FI",
             "Norway": "NO", "Iran": "IR", "Turkmenistan": "TM", "Armenia": "AM"}


def decode(topo: dict) -> dict[str, list]:
    found: dict[str, list] = {}
    for g, polys in polygons(topo):
        found.setdefault(g["properties"]["name"], []).extend(polys)
    return found


def unwrap(ring: list) -> list:
    """A ring that crosses the antimeridian (Russia's, at Chukotka) made continuous in
    longitude, so that the even-odd test does not see its jumps across the globe as edges."""
    out = [ring[0]]
    offset = 0.0
    for a, b in zip(ring, ring[1:]):
        if b[0] - a[0] > 180:
            offset -= 360
        elif b[0] - a[0] < -180:
            offset += 360
        out.append((b[0] + offset, b[1]))
    return out


def clip(ring: list, box=BOX) -> list:
    x0, y0, x1, y1 = box
    edges = [(lambda p: p[0] >= x0, lambda a, b: _at_x(a, b, x0)), (lambda p: p[0] <= x1, lambda a, b: _at_x(a, b, x1)),
             (lambda p: p[1] >= y0, lambda a, b: _at_y(a, b, y0)), (lambda p: p[1] <= y1, lambda a, b: _at_y(a, b, y1))]
    out = ring
    for inside, cross in edges:
        src, out = out, []
        for i, cur in enumerate(src):
            prev = src[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
        if not out:
            break
    return out


def _at_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def build(src: Path) -> dict:
    found = decode(json.loads(src.read_text()))
    out: dict[str, list] = {}
    crimea = []
    for name, code in COUNTRIES.items():
        polys = []
        for rings in found[name]:
            outer = clip(unwrap(rings[0]))
            if len(outer) < 4:
                continue
            kept = [outer] + [h for h in (clip(unwrap(r)) for r in rings[1:]) if len(h) >= 4]
            rounded = [[[round(x, 3), round(y, 3)] for x, y in r] for r in kept]
            xs, ys = [p[0] for p in outer], [p[1] for p in outer]
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            if code == "RU" and CRIMEA[0] <= cx <= CRIMEA[2] and CRIMEA[1] <= cy <= CRIMEA[3]:
                crimea.append(rounded)
                continue
            polys.append(rounded)
        out[code] = polys
    if len(crimea) != 1:
        raise SystemExit(f"expected one Crimean polygon inside Russia, found {len(crimea)}")
    out["UA"].extend(crimea)
    return {"about": "Country borders for the launch-territory decision, by de jure borders. Natural Earth 1:50m "
                     "admin-0 (public domain) as packaged by world-atlas 2.0.2 (ISC licence, Mike Bostock), clipped "
                     "to lon 10..62, lat 35..72, coordinates rounded to 0.001 degree. Correction: Natural Earth's "
                     "default layer draws Crimea (with Sevastopol) inside Russia; its polygon is moved to Ukraine "
                     "here, as UN GA Res. 68/262 has it. Built by whopushed.extract.build_borders.",
            "countries": out}


if __name__ == "__main__":
    doc = build(Path(sys.argv[1]))
    target = Path(__file__).parent / "data" / "borders.json"
    target.write_text(json.dumps(doc, separators=(",", ":")))
    print(target, target.stat().st_size, "bytes")
