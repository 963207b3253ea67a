"""Exports (GeoJSON, CSV, TimeMap) and the dossier (HTML, PDF): what they hold, and that
only public records go in unless asked."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from whopushed.cli import app as cli_app
from whopushed.model import Sensitivity
from whopushed.report.dossier_map import country_at, svg_map
from whopushed.report.exports import csv_text, geojson, incident_rows, public_case, timemap


@pytest.fixture(scope="module")
def rows(belarus):
    from whopushed.analyses import attribute_case

    return incident_rows(belarus, {a["incident"]: a for a in attribute_case(belarus)})


def test_geojson_export_has_launch_impact_points_with_precision_and_a_line_between(rows):
    fc = geojson(rows)
    by_role = {}
    for f in fc["features"]:
        by_role.setdefault(f["properties"]["role"], []).append(f)
    assert by_role["launch"] and by_role["impact"] and by_role["path"]
    inc04 = [f for f in fc["features"] if f["properties"]["incident"] == "INC-04"]
    launch = next(f for f in inc04 if f["properties"]["role"] == "launch")
    assert launch["geometry"]["coordinates"] == [29.2456, 52.0495]
    assert launch["properties"]["precision"] == "locality" and launch["properties"]["radius_km"] > 0
    path = next(f for f in inc04 if f["properties"]["role"] == "path")
    assert path["geometry"]["type"] == "LineString" and len(path["geometry"]["coordinates"]) == 2


def test_csv_export_has_one_row_per_incident_and_neutralises_spreadsheet_formulas(rows, belarus):
    table = list(csv.DictReader(io.StringIO(csv_text(rows))))
    assert [r["id"] for r in table] == [r["id"] for r in rows] and len(table) == len(belarus.incidents)
    hostile = [{**rows[0], "title": "=HYPERLINK(\"http://x\")"}]
    assert list(csv.DictReader(io.StringIO(csv_text(hostile))))[0]["title"].startswith("'=")


def test_timemap_export_has_events_sources_and_associations_that_refer_to_each_other(rows):
    tm = timemap(rows)
    assert {"events", "sources", "associations"} <= set(tm)
    assoc = {a["id"] for a in tm["associations"]}
    for e in tm["events"]:
        assert e["description"] and set(e["associations"]) <= assoc and set(e["sources"]) <= set(tm["sources"])
        assert (e["latitude"] == "") == (e["longitude"] == "")
    inc04 = next(e for e in tm["events"] if e["id"] == "INC-04")
    assert inc04["date"] == "02/27/2022" and inc04["time"] == "15:00" and inc04["latitude"] == "52.0495"
    assert all(a["mode"] == "FILTER" and a["filter_paths"] for a in tm["associations"])


def test_public_view_drops_withheld_records_and_whatever_rests_only_on_them(belarus):
    cap = belarus.claims[0].captures[0]
    marked = belarus.model_copy(update={"captures": [c.model_copy(update={"sensitivity": Sensitivity.private})
                                                     if c.id == cap else c for c in belarus.captures]})
    public = public_case(marked)
    ids = set(public.by_id())
    assert cap not in ids
    for claim in public.claims:
        assert cap not in claim.captures and claim.captures
    only_on_it = [c.id for c in belarus.claims if c.captures == [cap]]
    assert only_on_it and not set(only_on_it) & ids
    assert public_case(belarus) == belarus  # all public: nothing changes


def test_export_commands_write_only_public_records_unless_withheld_are_asked_for(belarus_db, belarus, tmp_path):
    from whopushed.store import Store

    url = f"sqlite:///{tmp_path / 'r.db'}"
    marked = belarus.model_copy(update={"incidents": [i.model_copy(update={"sensitivity": Sensitivity.restricted})
                                                      if i.id == "INC-04" else i for i in belarus.incidents]})
    with Store.open(url) as store:
        store.import_case(marked)
    runner = CliRunner()
    for kind in ("geojson", "csv", "timemap"):
        out = tmp_path / f"x.{kind}"
        r = runner.invoke(cli_app, ["--db", url, "export", kind, str(out)])
        assert r.exit_code == 0, r.output
        assert "INC-04" not in out.read_text() and "INC-14" in out.read_text()
        r = runner.invoke(cli_app, ["--db", url, "export", kind, str(out), "--include-withheld"])
        assert "INC-04" in out.read_text()
    assert json.loads((tmp_path / "x.geojson").read_text())["type"] == "FeatureCollection"


def test_dossier_html_has_determination_flips_map_incidents_citations_statements_and_hashes(belarus_db, tmp_path):
    runner = CliRunner()
    out = tmp_path / "dossier.html"
    r = runner.invoke(cli_app, ["--db", belarus_db, "export", "dossier", "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    for part in ('id="determination"', 'id="flips"', "<svg", 'id="incidents"', 'id="statements"', 'id="appendix"',
                 "Ledger head", "https://interfax.com/newsroom/top-stories/74581/", "citation-only"):
        assert part in html, part
    assert "Лукашенко" in html or "Лукашэнка" in html or "Лукашенк" in html
    assert "<script" not in html  # a document, nothing to run


def test_dossier_pdf_opens_with_the_determination_the_map_and_cyrillic_text(belarus, tmp_path):
    from pypdf import PdfReader

    from whopushed.report.dossier import write_dossier

    path = write_dossier(belarus, tmp_path / "d.pdf")
    reader = PdfReader(str(path))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) > 10
    assert "What follows in law" in text and "What would change the answer" in text and "3. Map" in text
    assert any("\u0400" <= ch <= "\u04ff" for ch in text), "no Cyrillic came through"
    assert "interfax.com" in text


def test_dossier_map_draws_crimea_as_ukraine_by_de_jure_borders():
    assert country_at(34.1, 44.95) == "804" and country_at(37.6, 55.75) == "643" and country_at(29.24, 52.05) == "112"
    svg = svg_map([{"id": "X-1", "launch_area": {"lat": 52.0, "lon": 29.2, "radius_km": 15},
                    "impact_area": {"lat": 50.45, "lon": 30.52, "radius_km": 5}}], "BY", "UA")
    assert svg.startswith("<svg") and "X-1" in svg and "<line" in svg and "Natural Earth" in svg


def test_public_view_leaves_no_reference_to_a_withheld_record_for_any_reference_the_model_declares(belarus):
    from whopushed.model import REFERENCES

    for (collection, field), _ in REFERENCES.items():
        holder = next((r for r in getattr(belarus, collection) if getattr(r, field)), None)
        if holder is None:
            continue  # the bundled case uses no such reference
        value = getattr(holder, field)
        target = value[0] if isinstance(value, list) else value
        marked = belarus.model_copy(update={name: [r.model_copy(update={"sensitivity": Sensitivity.restricted})
                                                   if r.id == target else r for r in getattr(belarus, name)]
                                            for name in ("actors", "sources", "captures", "incidents", "claims",
                                                         "statements", "sanctions")})
        public = public_case(marked)
        for rec in getattr(public, collection):
            refs = getattr(rec, field)
            assert target not in (refs if isinstance(refs, list) else [refs]), (collection, field, rec.id)
        assert target not in public.by_id()


def test_public_view_drops_a_repeats_mark_pointing_at_a_withheld_claim(belarus):
    first, second = belarus.claims[0], belarus.claims[1]
    claims = [first.model_copy(update={"sensitivity": Sensitivity.restricted}),
              second.model_copy(update={"repeats": first.id})] + list(belarus.claims[2:])
    public = public_case(belarus.model_copy(update={"claims": claims}))
    kept = public.by_id()[second.id]
    assert kept.repeats is None and first.id not in public.by_id()
    shown = public_case(belarus.model_copy(update={"claims": [first, claims[1], *claims[2:]]}))
    assert shown.by_id()[second.id].repeats == first.id  # public original: the mark stays


def test_dossier_appendix_lists_every_capture_with_its_hash_even_one_no_claim_cites(belarus, tmp_path):
    from whopushed.model import Capture
    from whopushed.report.dossier import write_dossier

    sha = "ab" * 32
    kept = Capture(id="cap-case-file", source=belarus.sources[0].id, title="incidents.yaml", sha256=sha, size=10)
    html = write_dossier(belarus.model_copy(update={"captures": [*belarus.captures, kept]}),
                         tmp_path / "d.html").read_text()
    appendix = html[html.index('id="appendix"'):]
    assert sha in appendix and "cap-case-file" in appendix and "cap-001" in appendix


def test_a_claims_page_links_the_claim_it_repeats(belarus, tmp_path):
    from fastapi.testclient import TestClient

    from whopushed.web import create_app

    from .conftest import import_into

    first, second = belarus.claims[0], belarus.claims[1]
    case = belarus.model_copy(update={"claims": [first, second.model_copy(update={"repeats": first.id}),
                                                 *belarus.claims[2:]]})
    with TestClient(create_app(import_into(case, tmp_path))) as client:
        html = client.get(f"/records/{second.id}").text
        assert f'Repeats <a href="/records/{first.id}">{first.id}</a>' in html
        assert client.get(f"/api/records/{second.id}").json()["repeats"] == first.id
