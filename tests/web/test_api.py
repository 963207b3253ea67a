"""The REST API answers the same queries as the CLI and the pages, in the shapes of
docs/json.md."""

from __future__ import annotations

from datetime import date

import pytest

from whopushed.analyses import attribute_case, determine_case
from whopushed.store import Store
from whopushed.views import Lookup, incident_json


def test_incidents_api_lists_what_the_store_query_lists_with_the_same_json(client, belarus_db):
    with Store.open(belarus_db) as store:
        expected = store.incidents(launched_from="BY", since=date(2022, 3, 1), until=date(2022, 12, 31))
        look = Lookup(store.get)
        shapes = {i.id: incident_json(i, store.claims(incident=i.id), look) for i in expected}
    got = client.get("/api/incidents", params={"launched_from": "BY", "since": "2022-03", "until": "2022"}).json()
    assert [i["id"] for i in got["items"]] == [i.id for i in expected]
    assert got["total"] == len(expected)
    for item in got["items"]:
        item.pop("attribution")
        assert item == shapes[item["id"]]


def test_incidents_api_paginates_and_sorts_without_losing_or_repeating_rows(client):
    everything = client.get("/api/incidents", params={"include_excluded": True, "per_page": 500}).json()
    pages = [client.get("/api/incidents", params={"include_excluded": True, "per_page": 5, "page": n}).json()
             for n in range(1, everything["pages"] + 6)]
    ids = [i["id"] for p in pages for i in p["items"]]
    assert ids == [i["id"] for i in everything["items"]] and len(set(ids)) == everything["total"] == 28
    assert pages[0]["pages"] == 6
    desc = client.get("/api/incidents", params={"sort": "posterior", "order": "desc"}).json()["items"]
    posts = [(i["attribution"] or {}).get("top_posterior") or -1 for i in desc]
    assert posts == sorted(posts, reverse=True)


def test_incident_filters_by_weapon_operator_and_posterior_agree_with_attribution(client, belarus):
    weighed = {a["incident"]: a for a in attribute_case(belarus)}
    got = client.get("/api/incidents", params={"most_likely": "H-RU", "min_posterior": 0.6, "per_page": 500}).json()
    assert got["total"] > 0
    for item in got["items"]:
        a = weighed[item["id"]]
        top = next(h for h in a["hypotheses"] if h["id"] == "H-RU")
        assert a["most_likely"] == "H-RU" and not a["tied"] and top["posterior"] >= 0.6
    iskander = client.get("/api/incidents", params={"weapon": "iskander"}).json()["items"]
    assert iskander and all(any("iskander" in w.lower() for w in i["weapons"]) for i in iskander)


def test_incident_api_gives_claims_sources_and_the_same_weighing_as_the_attribute_command(client, belarus):
    data = client.get("/api/incidents/INC-14").json()
    assert data["collection"] == "incidents" and data["claims"] and all(c["sources"] for c in data["claims"])
    assert data["assessment"] == attribute_case(belarus, only=["INC-14"])[0]


def test_determination_api_is_the_determine_command_output(client, belarus):
    assert client.get("/api/determination").json() == determine_case(belarus)


def test_statements_api_narrows_to_a_speaker_named_in_any_script(client):
    everyone = client.get("/api/statements").json()
    by_cyrillic = client.get("/api/statements", params={"speaker": "Лукашенко"}).json()
    assert 0 < len(by_cyrillic) < len(everyone)
    assert {s["speaker"]["id"] for s in by_cyrillic} == {"act-lukashenka"}


def test_search_api_finds_a_place_in_another_spelling(client):
    hits = client.get("/api/search", params={"q": "Мазыр"}).json()
    assert any(h["collection"] == "incidents" for h in hits)


def test_geojson_returns_only_points_inside_the_viewport_with_precision(client):
    everything = client.get("/api/geojson").json()
    south_east = client.get("/api/geojson", params={"bbox": "20,40,30,60"}).json()
    assert 0 < south_east["matched"] < everything["matched"]
    for f in south_east["features"]:
        if f["geometry"]["type"] == "Point":
            assert {"precision", "radius_km", "role", "incident"} <= set(f["properties"])
    ids = {f["properties"]["incident"] for f in south_east["features"]}
    for inc in ids:
        points = [f["geometry"]["coordinates"] for f in south_east["features"]
                  if f["properties"]["incident"] == inc and f["geometry"]["type"] == "Point"]
        assert any(20 <= lon <= 30 and 40 <= lat <= 60 for lon, lat in points)
    limited = client.get("/api/geojson", params={"limit": 2}).json()
    assert limited["truncated"] and limited["returned"] == 2


@pytest.mark.parametrize("url", ["/api/incidents?since=2022-13", "/api/geojson?bbox=1,2,3",
                                 "/api/geojson?bbox=10,60,20,50"])
def test_unreadable_parameters_get_400_with_a_reason(client, url):
    r = client.get(url)
    assert r.status_code == 400 and r.json()["detail"]


def test_unknown_ids_get_404_in_the_api(client):
    assert client.get("/api/incidents/INC-99").status_code == 404
    assert client.get("/api/records/no-such-thing").status_code == 404
    assert client.get("/api/incidents/cap-001").status_code == 404  # a record, but not an incident


def test_openapi_document_lists_every_api_route(client, app):
    paths = client.get("/openapi.json").json()["paths"]
    from whopushed.web.app import registered_routes

    api = {r.path for r in registered_routes(app) if (r.path or "").startswith("/api/")}
    assert api == set(paths)


def test_geojson_answers_a_dense_viewport_with_grid_cells_that_count_every_incident(client):
    points = client.get("/api/geojson").json()
    cells = client.get("/api/geojson", params={"cluster_above": 2}).json()
    assert cells["clustered"] and not points["clustered"]
    assert sum(f["properties"]["count"] for f in cells["features"]) == cells["matched"] == points["matched"]
    for f in cells["features"]:
        west, south, east, north = f["properties"]["bbox"]
        lon, lat = f["geometry"]["coordinates"]
        assert west - 1e-6 <= lon <= east + 1e-6 and south - 1e-6 <= lat <= north + 1e-6
