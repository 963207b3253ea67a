"""Importing OpenSanctions and FollowTheMoney files, bad rows, unknown formats, re-imports
and delisting, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from whopushed.sanctions import store as sstore
from whopushed.sanctions.formats import FormatError, detect_format
from whopushed.sanctions.importer import import_file
from whopushed.store import Store
from whopushed.store import tables as t

from .conftest import FTM, OFAC, SIMPLE
from .helpers import cli, cli_json

OFAC_HEADERLESS = (  # OFAC's own form: no header, -0- for empty cells, a ^Z line at the end
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    '15037,"BELARUSKALI OAO",-0- ,"BELARUS-EO14038",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Organization Type: Mining of chemical and fertilizer minerals."\r\n'
    '\x1a\r\n')


def stored(store: Store, source: str) -> dict[str, dict]:
    tt, tp = t.sanctions_targets, t.sanctions_target_programmes
    with store.engine.connect() as conn:
        rows = {r.source_id: dict(r._mapping, programmes={}) for r in conn.execute(
            sa.select(tt).where(tt.c.source == source))}
        for link in conn.execute(sa.select(tp).where(tp.c.source == source)):
            rows[link.source_id]["programmes"][link.programme] = link.listed
    return rows


def test_opensanctions_simple_is_detected_and_its_semicolon_lists_split(store):
    summary = import_file(store.engine, SIMPLE)
    assert (summary.format, summary.source, summary.read, summary.imported) == ("opensanctions-simple", "opensanctions", 11, 9)
    rows = stored(store, "opensanctions")
    khrenin = rows["NK-fx2Qk7HbRm4vT9cWz3LdPa"]
    assert (khrenin["type"], khrenin["countries"], set(khrenin["programmes"])) == ("person", ["BY"], {"EU-BLR", "GB-RUS"})
    assert rows["NK-fx7YcQ2wHb9kF4sZm6TuVe"]["countries"] == ["BY", "RU"]
    assert rows["NK-fx4LmP8vNs3qC6tXe1JdRk"]["type"] == "vessel" and rows["NK-fx8KjH7gFd6sA5pO4iU3yT"]["type"] == "aircraft"
    assert rows["NK-fx5RnJ3tDg8mW1vKc7BpHs"]["programmes"] == {}  # no programme: tied by its country
    assert all(r["listed"] is None for r in rows.values())  # the export gives no listing dates
    assert summary.unknown_programmes == ["CA-SEMA"]


def test_a_malformed_row_is_reported_with_its_line_and_the_rest_imported(store):
    summary = import_file(store.engine, SIMPLE)
    assert [(p.line, p.field) for p in summary.problems] == [(10, None), (11, "name")]
    assert "6 cells" in summary.problems[0].message and summary.imported == 9


def test_ftm_targets_take_programmes_and_listing_dates_from_their_sanction_entities(store):
    summary = import_file(store.engine, FTM)
    assert (summary.format, summary.read, summary.imported) == ("ftm", 16, 5)
    assert [p.line for p in summary.problems] == [13, 14]
    assert {s: e["count"] for s, e in summary.skipped.items()} == {
        "Sanction entity: read for its target's programmes and dates": 6,
        "Address entity: not a sanctions target": 1, "Person entity: not a sanctions target": 1,
        "Family entity: not a sanctions target": 1}
    rows = stored(store, "ftm")
    khrenin = rows["NK-fx2Qk7HbRm4vT9cWz3LdPa"]  # its Sanctions come after it in the file
    assert khrenin["programmes"] == {"EU-BLR": date(2022, 2, 24), "GB-RUS": date(2022, 3, 1)}
    assert khrenin["listed"] == date(2022, 2, 24) and khrenin["countries"] == ["BY"]
    bank = rows["NK-fx3TgW9aLq7nZ2bYc8MsUe"]  # its Sanction comes before it
    assert (bank["type"], bank["sector"], bank["programmes"]) == ("company", "Banking", {"EU-BLR": date(2022, 6, 3)})
    assert rows["NK-fx8KjH7gFd6sA5pO4iU3yT"]["programmes"] == {"BELARUS-EO14038": date(2024, 8, 9)}  # named in words
    assert rows["NK-fx4LmP8vNs3qC6tXe1JdRk"]["countries"] == ["RU"]  # the vessel's flag
    assert "NK-fx0QwErTyUiOpAsDfGhJkL" not in rows and summary.unknown_programmes == ["CA-SEMA"]


def test_ofac_in_its_own_headerless_form_is_detected_without_an_address_file(store, tmp_path):
    path = tmp_path / "SDN.CSV"
    path.write_bytes(OFAC_HEADERLESS.encode())
    summary = import_file(store.engine, path)
    assert (summary.format, summary.imported, summary.problem_count) == ("ofac-sdn", 2, 0)
    assert summary.notes == ["no address file given or found beside the list: countries come from the remarks only",
                             "end-of-file marker on line 3"]
    assert stored(store, "us-ofac-sdn")["15037"]["sector"] == "Mining of chemical and fertilizer minerals"


def test_bad_ofac_rows_are_each_reported_with_their_line_and_the_rest_imported(store, tmp_path):
    good = '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    lines = [
        good,                                                                          # 1
        '307,"SHORT ROW",-0- ,"CUBA"\n',                                               # 2: 4 cells
        'X1,"NOT A NUMBER",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',     # 3
        '308,"SHIP",ship,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',             # 4: unknown type
        '309,"NO PROGRAMME",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',       # 5
        '306,"BANCO AGAIN",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',      # 6: repeats 1
        '310,"BAD "QUOTE",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',       # 7
        '311,"MULTI\nLINE NAME",individual,"IRAN] [SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',  # 8-9
        '312,"LAST",vessel,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',  # 10
    ]
    path = tmp_path / "sdn.csv"
    path.write_bytes("".join(lines).encode() + b'313,"BAD \xff BYTE",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n')
    summary = import_file(store.engine, path, format="ofac-sdn")
    assert [(p.line, p.field) for p in summary.problems] == [
        (2, None), (3, "id"), (4, "type"), (5, "programmes"), (6, "id"), (7, None)]
    assert "repeats line 1" in summary.problems[4].message
    rows = stored(store, "us-ofac-sdn")
    assert set(rows) == {"306", "311", "312", "313"}  # 313: a cp1252 byte, read as cp1252
    assert rows["311"]["name"] == "MULTI\nLINE NAME" and set(rows["311"]["programmes"]) == {"IRAN", "SDGT"}
    assert rows["313"]["name"] == "BAD ÿ BYTE"


def test_a_line_in_no_encoding_of_the_format_is_reported(store, tmp_path):
    path = tmp_path / "targets.simple.csv"
    header = SIMPLE.read_bytes().split(b"\n", 1)[0] + b"\n"
    row = b'"x1","Person","Bad \xff byte","","","ru","","","","","","GB-RUS","d","","",""\n'
    path.write_bytes(header + row + SIMPLE.read_bytes().split(b"\n")[2] + b"\n")
    summary = import_file(store.engine, path)
    assert [(p.line, "UTF-8" in p.message) for p in summary.problems] == [(2, True)] and summary.imported == 1


def test_a_file_of_no_known_format_is_refused_listing_the_formats(store_url, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,age\nAnna,34\n")
    result = cli("sanctions", "import", path, db=store_url, ok=False)
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "not a file of any known format" in message
    for name in ("ofac-sdn", "opensanctions-simple", "ftm"):
        assert name in message
    with Store.open(store_url) as store:
        assert sstore.sources(store.engine) == {}  # nothing imported
    with pytest.raises(FormatError, match="ofac-sdn"):
        detect_format(path)


def test_an_unknown_format_name_is_refused_listing_the_formats(store_url):
    result = cli("sanctions", "import", SIMPLE, "--format", "csv", db=store_url, ok=False)
    assert result.exit_code == 2 and "no format named 'csv'" in result.stderr and "ftm" in result.stderr


def test_a_header_that_lacks_a_mapped_column_is_refused(store, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"id","schema","name"\n"a","Person","A"\n')
    with pytest.raises(FormatError, match="the header lacks 'countries'"):
        import_file(store.engine, path, format="opensanctions-simple")


def test_import_json_gives_read_imported_and_skipped_with_reasons_and_lines(store_url):
    data = cli_json("sanctions", "import", FTM, db=store_url)
    assert (data["read"], data["imported"], data["problem_count"]) == (16, 5, 2)
    assert {"reason": "Address entity: not a sanctions target", "count": 1, "lines": [4]} in data["skipped"]
    assert [p["line"] for p in data["problems"]] == [13, 14]
    assert data["programmes"]["EU-BLR"] == 2 and data["unknown_programmes"] == ["CA-SEMA"]


def test_a_target_missing_from_a_newer_file_is_delisted_and_listed_again_when_it_returns(store, tmp_path):
    rows = SIMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    newer = tmp_path / "targets.simple.csv"
    newer.write_text("".join(r for r in rows if "Belinvestbank" not in r), encoding="utf-8")
    import_file(store.engine, SIMPLE)
    second = import_file(store.engine, newer)
    assert (second.delisted, second.unchanged, second.added) == (1, 8, 0)
    assert sstore.target_count(store.engine, "opensanctions") == 8
    assert sstore.target_count(store.engine, "opensanctions", include_delisted=True) == 9
    third = import_file(store.engine, SIMPLE)
    assert (third.updated, third.unchanged, third.delisted) == (1, 8, 0)
    assert sstore.target_count(store.engine, "opensanctions") == 9


def test_a_malformed_row_does_not_delist_the_target_it_names(store, tmp_path):
    import_file(store.engine, SIMPLE)
    broken = tmp_path / "targets.simple.csv"
    broken.write_text(SIMPLE.read_text(encoding="utf-8").replace('"Belinvestbank","', '"Belinvestbank","x","'),
                      encoding="utf-8")
    again = import_file(store.engine, broken)
    assert again.delisted == 0 and again.problem_count == 3


def test_a_source_id_holds_one_format(store):
    import_file(store.engine, SIMPLE)
    with pytest.raises(sstore.SourceError, match="give this file another --source"):
        import_file(store.engine, FTM, source="opensanctions")


@pytest.mark.skipif(not OFAC.is_file(), reason="the shared OFAC file is not here")
def test_the_ofac_list_is_detected_from_the_file(tmp_path):
    assert detect_format(OFAC).name == "ofac-sdn"
    assert detect_format(SIMPLE).name == "opensanctions-simple" and detect_format(FTM).name == "ftm"
