"""Launch territory by point-in-polygon against the shipped de jure borders."""

from __future__ import annotations

import pytest
import yaml

from whopushed.extract.borders import decide, territory_at
from whopushed.extract.gazetteer import Gazetteer
from whopushed.ingest.launchplaces import LaunchGazetteer


@pytest.mark.parametrize("name,lat,lon,territory", [
    ("Sevastopol", 44.62, 33.52, "UA"), ("Simferopol", 44.95, 34.10, "UA"), ("Donetsk", 48.00, 37.80, "UA"),
    ("Kerch", 45.36, 36.47, "UA"), ("Mazyr", 52.05, 29.25, "BY"), ("Belgorod", 50.60, 36.59, "RU"),
    ("Murmansk", 68.97, 33.08, "RU"), ("Kyiv", 50.45, 30.52, "UA"), ("Minsk", 53.90, 27.56, "BY"),
    ("Black Sea", 43.4, 34.0, "SEA"), ("Sea of Azov", 46.1, 36.6, "SEA"), ("Caspian Sea", 42.0, 50.5, "SEA"),
])
def test_de_jure_borders_put_crimea_and_donetsk_in_ukraine(name, lat, lon, territory):
    assert territory_at(lat, lon) == territory


def test_a_name_list_alone_does_not_decide():
    # a place listed as Belarusian but lying deep in Ukraine is Ukrainian
    assert decide(50.5, 30.5, "BY") == "UA"
    # within the map's few kilometres of error, the listed state stands (a village on the border)
    assert decide(52.3551, 31.5979, "BY") == "BY"


def test_every_gazetteer_place_lies_in_its_listed_territory():
    from importlib import resources

    for pkg, name, key in (("whopushed.extract", "data/places.yaml", "country"),):
        data = yaml.safe_load(resources.files(pkg).joinpath(name).read_text("utf-8"))
        for p in data["places"]:
            assert decide(p["lat"], p["lon"], p[key]) == p[key], p["name"]
    data = yaml.safe_load(resources.files("whopushed.ingest").joinpath("mappings/launch-places.yaml").read_text("utf-8"))
    for n, p in data["places"].items():
        if "lat" in p:
            assert decide(p["lat"], p["lon"], p["territory"]) == p["territory"], n
    assert LaunchGazetteer.load().resolve("Sevastopol, Crimea").places[0].country == "UA"
    postal = [e for bucket in Gazetteer.load().places.by_key.values() for e in bucket if e.kind == "minor"]
    assert postal and all(e.country == "BY" for e in postal)


def _in_ring_by_edges(x: float, y: float, ring: list[list[float]]) -> bool:
    """The even-odd rule edge by edge: what borders._in_ring does with arrays."""
    inside = False
    for i in range(len(ring)):
        x1, y1 = ring[i]
        x2, y2 = ring[i - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def test_point_in_polygon_by_arrays_is_the_edge_by_edge_rule():
    import json
    import random
    from importlib import resources

    from whopushed.extract import borders

    data = json.loads(resources.files("whopushed.extract").joinpath("data", "borders.json").read_text("utf-8"))
    rng = random.Random(5)
    inside = 0
    for polys in data["countries"].values():
        for rings in polys[:3]:
            ring = rings[0]
            edges = borders._edges(ring)
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            points = [(rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))) for _ in range(40)]
            points += [tuple(p) for p in ring[:5]]  # on a vertex: the rule's edge cases
            for x, y in points:
                want = _in_ring_by_edges(x, y, ring)
                assert borders._in_ring(x, y, edges) == want, (x, y)
                inside += want
    assert inside > 50
