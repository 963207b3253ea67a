"""CSV event datasets with a mapping file: one incident per row, territories by de jure
borders, border crossings never launches, bad input reported with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whopushed.cli import app
from whopushed.ingest.csvmap import (
    CsvReport,
    MappingError,
    import_csv,
    load_mapping,
    mapping_names,
    parse_cell,
    read_rows,
)
from whopushed.ingest.launchplaces import LaunchGazetteer
from whopushed.store import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MISSILES = SHARED / "missile_attacks_daily.2026-03.csv"
ACLED = SHARED / "acled_ukraine_sample.csv"
BELARUS = Path(__file__).resolve().parents[2] / "cases" / "belarus"
needs_shared = pytest.mark.skipif(not MISSILES.is_file(), reason="../shared/data is not beside the repository")
runner = CliRunner()

HEADER = ("time_start,time_end,model,launch_place,target,target_main,launched,destroyed,not_reach_goal,"
          "still_attacking,border_crossing,is_shahed,num_hit_location,num_fall_fragment_location,carrier,"
          "turbojet,turbojet_destroyed,affected region,destroyed_details,launched_details,launch_place_details,source")


def missile_csv(tmp_path: Path, *rows: str, name: str = "mma.csv") -> Path:
    """A file in the missile dataset's format; each row gives the first 11 columns, the rest empty."""
    lines = [HEADER] + [r + ",,,,,,,,,,," + "kpszsu/posts/x" + str(i) for i, r in enumerate(rows)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(*args, db, ok=True):
    result = runner.invoke(app, [str(a) for a in args], env={"WHOPUSHED_DB": db}, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def rows_of(path: Path, mapping: str = "missile-attacks"):
    report = CsvReport(str(path), mapping)
    return list(read_rows(path, load_mapping(mapping), report)), report


# --- the must-show, on the real files ---------------------------------------------------


@needs_shared
def test_missile_dataset_lists_one_by_incident_per_row_naming_belarus_with_counts(tmp_path):
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    summary = json.loads(cli("import", "csv", MISSILES, "--mapping", "missile-attacks", "--json", db=db).stdout)
    assert summary["read"] == summary["imported"] == 3378 and summary["skipped"] == 0
    found = json.loads(cli("incidents", "--launched-from", "BY", "--json", db=db).stdout)
    import csv

    with MISSILES.open(encoding="utf-8") as fh:
        naming_by = [r for r in csv.DictReader(fh) if "belarus" in r["launch_place"].lower()]
        fh.seek(0)
        crossing_by = [r for r in csv.DictReader(fh) if "belarus" in r["border_crossing"]]
    assert len(found) == len(naming_by) == 3
    assert len(crossing_by) > 30  # many rows count drones flying INTO Belarus; none is listed
    for inc in found:
        assert inc["kind"] == "launch" and "Belarus" in inc["launch_area"]["name"]
        assert "launched" in inc["summary"] and "destroyed" in inc["summary"]
        claim = json.loads(cli("show", inc["claims"][0], "--json", db=db).stdout)
        assert claim["count"] > 0 and claim["launch_territory"] == "BY"
    assert sorted(i["title"].split(", ")[1] for i in found) == ["10 launched", "13 launched", "5 launched"]


@needs_shared
def test_acled_sample_yields_no_incident_launched_from_belarus(tmp_path):
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    summary = json.loads(cli("import", "csv", ACLED, "--mapping", "acled", "--json", db=db).stdout)
    assert summary["read"] == 155 and summary["imported"] + summary["filtered"] == 155
    assert summary["imported"] > 100 and summary["skipped"] == 0
    assert json.loads(cli("incidents", "--launched-from", "BY", "--json", db=db).stdout) == []
    every = json.loads(cli("incidents", "--json", db=db).stdout)
    assert all(i["launch_territory"] is None and i["impact_area"]["country"] == "UA" for i in every)


# --- rows to incidents ------------------------------------------------------------------


def test_border_crossing_into_belarus_is_never_a_launch_from_it(tmp_path):
    path = missile_csv(tmp_path, "2024-11-10 20:00,2024-11-11 09:30,Shahed-136/131,Kursk oblast,Ukraine,,74.0,39.0,,,"
                                 "\"{'belarus': 3.0}\"")
    (row,), _ = rows_of(path)
    assert row.incident.launch_territory == "RU" and row.claim.launch_territory == "RU"
    assert "not launches from it): belarus: 3" in row.incident.summary


def test_several_territories_in_one_row_make_one_incident_listed_under_the_preferred(tmp_path):
    path = missile_csv(tmp_path, "2022-10-11 15:00,2022-10-11 18:30,Shahed-136/131,Kursk oblast and Belarus,Ukraine,,13,13,,,{}",
                       "2025-01-01 19:00,2025-01-02 08:00,Shahed-136/131,\"Primorsko-Akhtarsk and Hvardiiske, Crimea\",Ukraine,,50,40,,,{}")
    (by, ru), _ = rows_of(path)
    assert by.incident.launch_territory == "BY"  # territory_prefer: [BY]
    assert "RU: Kursk oblast; BY: Belarus" in by.incident.summary
    assert by.incident.launch_area.country is None  # the area spans two states
    assert ru.incident.launch_territory == "RU"  # else the first named
    assert by.claim.count == 13 and by.claim.incidents == [by.incident.id]


def test_occupied_crimea_is_ukraine_and_seas_are_sea(tmp_path):
    path = missile_csv(tmp_path, "2025-01-01 19:00,2025-01-02 08:00,Shahed-136/131,\"Chauda, Crimea\",Ukraine,,5,5,,,{}",
                       "2025-01-02 05:00,2025-01-02 07:00,Kalibr,Black Sea,Ukraine,,8,6,,,{}",
                       "2025-01-03 05:00,2025-01-03 07:00,X-101/X-555,Caspian Sea,Ukraine,,21,14,,,{}")
    rows, _ = rows_of(path)
    assert [r.incident.launch_territory for r in rows] == ["UA", "SEA", "SEA"]
    assert rows[2].incident.weapons == ["Kh-101", "Kh-555"]


def test_a_direction_states_no_territory(tmp_path):
    path = missile_csv(tmp_path, "2025-01-01 19:00,2025-01-02 08:00,Shahed-136/131,north,Ukraine,,5,5,,,{}",
                       "2025-01-01 19:00,2025-01-02 08:00,Shahed-136/131,,south,,5,5,,,{}")
    (north, empty), report = rows_of(path)
    assert north.incident.launch_territory is None and north.incident.launch_area.name == "north"
    assert empty.incident.launch_territory is None and empty.incident.launch_area is None
    assert report.warnings == []


def test_a_place_missing_from_the_gazetteer_is_imported_without_territory_and_warned(tmp_path):
    path = missile_csv(tmp_path, "2025-01-01 19:00,2025-01-02 08:00,Shahed-136/131,Atlantis and Kursk oblast,Ukraine,,5,5,,,{}")
    (row,), report = rows_of(path)
    assert row.incident.launch_territory == "RU"
    assert report.warnings[0].line == 2 and "Atlantis" in report.warnings[0].message


def test_local_times_carry_their_offset_winter_and_summer(tmp_path):
    path = missile_csv(tmp_path, "2025-01-01 19:00,2025-01-02 08:00,Kalibr,Black Sea,Ukraine,,1,1,,,{}",
                       "2025-07-01 19:00,,Kalibr,Black Sea,Ukraine,,1,1,,,{}",
                       "2023-10-28,2023-10-28 01:00,Kalibr,Black Sea,Ukraine,,1,1,,,{}")
    rows, report = rows_of(path)
    assert rows[0].incident.when.value == "2025-01-01T19:00+02:00/2025-01-02T08:00+02:00"
    assert rows[1].incident.when.value == "2025-07-01T19:00+03:00"
    # a day alone beside a time is that local day, not a UTC one that would end before it starts
    assert rows[2].incident.when.value == "2023-10-28T00:00+03:00/2023-10-28T01:00+03:00"
    assert report.skipped == []


def test_identical_rows_import_once_and_rows_differing_beyond_the_key_both_import(tmp_path):
    row = "2025-01-01 19:00,2025-01-02 08:00,Kalibr,Black Sea,Ukraine,,8,6,,,{}"
    path = tmp_path / "d.csv"
    path.write_text("\n".join([HEADER, row + ",,,,,,,,,,,s", row + ",,,,,,,,,,,s", row.replace(",8,6", ",9,6") + ",,,,,,,,,,,s"]) + "\n")
    rows, report = rows_of(path)
    assert len(rows) == 2 and len({r.incident.id for r in rows}) == 2
    assert [(f.line, f.reason) for f in report.filtered] == [(3, "duplicate of line 2")]


# --- bad input --------------------------------------------------------------------------


def test_an_unknown_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + ",surprise\n")
    with pytest.raises(MappingError) as exc:
        rows_of(path)
    assert exc.value.issues[0].field == "surprise" and "unknown column 'surprise'" in exc.value.render()


def test_a_mapping_naming_a_column_the_file_lacks_is_refused_naming_it(tmp_path, store_url):
    path = tmp_path / "x.csv"
    path.write_text(HEADER.replace(",launched,", ",") + "\n")
    result = cli("import", "csv", path, "--mapping", "missile-attacks", db=store_url, ok=False)
    assert result.exit_code == 2
    assert "names column 'launched'" in result.output and "nothing was imported" in result.output


def test_a_mapping_using_an_undeclared_column_is_refused_naming_it(tmp_path):
    from whopushed.ingest import csvmap

    src = Path(csvmap.__file__).parent / "mappings" / "acled.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(src.read_text().replace("summary: notes", "summary: notez"))
    with pytest.raises(MappingError) as exc:
        load_mapping(bad)
    assert "column 'notez'" in exc.value.render()


def test_malformed_rows_are_skipped_with_their_line_and_the_rest_imported(tmp_path, store_url):
    good = "2025-01-01 19:00,2025-01-02 08:00,Kalibr,Black Sea,Ukraine,,8,6,,,{}"
    path = tmp_path / "d.csv"
    path.write_text("\n".join([
        HEADER,
        good + ",,,,,,,,,,,s1",
        good.replace("8,6", "many,6") + ",,,,,,,,,,,s2",  # line 3: not a number
        good.replace("2025-01-01 19:00", "yesterday") + ",,,,,,,,,,,s3",  # line 4: not a time
        "a,b,c",  # line 5: too few fields
        good.replace(",{}", ",\"{'belarus': __import__('os')}\"") + ",,,,,,,,,,,s4",  # line 6: code, not a literal
        good.replace("8,6", "9,6") + ",,,,,,,,,,,s5",
    ]) + "\n")
    store = Store.open(store_url)
    try:
        report = import_csv(store, path, load_mapping("missile-attacks"))
        assert report.read == 6 and report.imported == 2
        assert {i.line: i.field for i in report.skipped} == {3: "launched", 4: "time_start", 5: None,
                                                             6: "border_crossing"}
        assert len(store.incidents()) == 2
    finally:
        store.close()


def test_a_file_that_stops_being_utf8_keeps_the_rows_before_and_says_where(tmp_path, store_url):
    good = "2025-01-01 19:00,2025-01-02 08:00,Kalibr,Black Sea,Ukraine,,8,6,,,{},,,,,,,,,,,s"
    body = "\n".join([HEADER] + [good.replace("8,6", f"{n},6") for n in range(1, 4)]).encode() + b"\n\xff\xfe broken\n"
    path = tmp_path / "d.csv"
    path.write_bytes(body)
    store = Store.open(store_url)
    try:
        report = import_csv(store, path, load_mapping("missile-attacks"), batch_rows=2)
        assert report.stopped is not None and "not utf-8" in report.stopped.message
        assert len(store.incidents()) == report.imported == 3
    finally:
        store.close()


# --- the workspace and the store --------------------------------------------------------


def test_reimporting_a_dataset_changes_nothing(tmp_path, store_url):
    path = missile_csv(tmp_path, "2025-01-01 19:00,2025-01-02 08:00,Kalibr,Black Sea,Ukraine,,8,6,,,{}",
                       "2022-10-19 12:00,2022-10-19 15:30,Shahed-136/131,Belarus,Ukraine,,10,10,,,{}")
    store = Store.open(store_url)
    try:
        first = import_csv(store, path, load_mapping("missile-attacks"), batch_rows=1)
        again = import_csv(store, path, load_mapping("missile-attacks"))
        assert first.added["incidents"] == 2 and again.unchanged["incidents"] == 2
        assert again.added["incidents"] == again.updated["incidents"] == 0
        assert [i.id for i in store.incidents(launched_from="BY")] == [first_by(store)]
    finally:
        store.close()


def first_by(store) -> str:
    return store.incidents(launched_from="BY")[0].id


def test_importing_a_dataset_keeps_the_case_meta_of_the_workspace(tmp_path, store_url):
    cli("import", "case", BELARUS, db=store_url)
    store = Store.open(store_url)
    try:
        before = store.case_meta()
        path = missile_csv(tmp_path, "2022-10-19 12:00,2022-10-19 15:30,Shahed-136/131,Belarus,Ukraine,,10,10,,,{}")
        report = import_csv(store, path, load_mapping("missile-attacks"))
        assert report.case == "belarus-2022" and store.case_meta() == before
    finally:
        store.close()


def test_a_case_imported_after_a_dataset_replaces_the_placeholder_meta(tmp_path, store_url):
    path = missile_csv(tmp_path, "2022-10-19 12:00,2022-10-19 15:30,Shahed-136/131,Belarus,Ukraine,,10,10,,,{}")
    store = Store.open(store_url)
    try:
        import_csv(store, path, load_mapping("missile-attacks"))
        assert store.case_meta().id == "unnamed-workspace"
    finally:
        store.close()
    cli("import", "case", BELARUS, db=store_url)
    store = Store.open(store_url)
    try:
        assert store.case_meta().id == "belarus-2022"
        assert len(store.incidents(launched_from="BY")) > 15  # the case's and the dataset's
        assert [r.collection for r in store.revisions("unnamed-workspace")] == ["case"]
    finally:
        store.close()


# --- parsers, mappings, gazetteer -------------------------------------------------------


def test_dict_like_cells_read_nan_as_null_and_never_run_code():
    m = load_mapping("missile-attacks")
    col = m.columns["destroyed_details"]
    assert parse_cell(col, "{'south': 11, 'west': 3, 'east': NaN}") == {"south": 11, "west": 3, "east": None}
    assert parse_cell(m.columns["affected region"], "['Kyiv oblast', 'Sumy oblast']") == ["Kyiv oblast", "Sumy oblast"]
    with pytest.raises(ValueError):
        parse_cell(col, "{'a': (lambda: 1)()}")
    assert parse_cell(m.columns["model"], "X-101/X-555 and Kalibr") == ["X-101/X-555", "Kalibr"]
    assert parse_cell(m.columns["launched"], "101.0") == 101 and parse_cell(m.columns["launched"], "NaN") is None


def test_every_shipped_mapping_loads():
    assert {"missile-attacks", "acled"} <= set(mapping_names())
    for name in mapping_names():
        assert load_mapping(name).name == name


def test_an_unknown_mapping_name_lists_the_shipped_ones():
    with pytest.raises(MappingError) as exc:
        load_mapping("nope")
    assert "missile-attacks" in exc.value.render()


def test_the_gazetteer_resolves_the_dataset_spellings():
    g = LaunchGazetteer.load()
    terr = lambda entry: [p.country for p in g.resolve(entry).places]
    assert terr("Kursk oblast") == terr("and Shatalovo") == terr("Millerovo") == ["RU"]
    assert terr("Hvardiiske, Crimea") == terr("Crimea") == terr("Donetsk oblast") == ["UA"]
    assert terr("Sevastopol, Crimea") == ["UA"] and terr("Dzhankoi, Crimea") == ["UA"]
    assert terr("Belarus") == terr("Gomel") == terr("Mozyr") == ["BY"]
    assert terr("Caspian Sea, Saratov oblast") == ["SEA", "RU"]
    assert terr("Black Sea, Yalta") == ["SEA"] and terr("Sea of Azov") == ["SEA"]
    assert g.resolve("north").directions == ("north",) and g.resolve("Mariupol direction").places == ()


@needs_shared
def test_every_launch_place_of_the_missile_dataset_is_known():
    rows, report = rows_of(MISSILES)
    assert report.warnings == [] and report.skipped == []
    assert {r.incident.launch_territory for r in rows} <= {"RU", "UA", "SEA", "BY", None}


def test_the_ledger_verifies_after_a_case_replaces_the_placeholder(tmp_path):
    env = {"WHOPUSHED_WORKSPACE": str(tmp_path)}
    path = missile_csv(tmp_path, "2022-10-19 12:00,2022-10-19 15:30,Shahed-136/131,Belarus,Ukraine,,10,10,,,{}")
    for args in (["init"], ["import", "csv", str(path), "-m", "missile-attacks"], ["import", "case", str(BELARUS)]):
        assert runner.invoke(app, args, env=env, catch_exceptions=False).exit_code == 0
    verify = runner.invoke(app, ["verify", "--json"], env=env, catch_exceptions=False)
    assert verify.exit_code == 0, verify.output
