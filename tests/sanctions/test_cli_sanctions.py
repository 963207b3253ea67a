"""`whopushed sanctions ...` as a user types it: tables, --json, --as-of."""

from __future__ import annotations

from .conftest import BELARUS, FTM, SIMPLE
from .helpers import cli, cli_json


def test_parity_as_of_counts_what_was_listed_by_then_and_says_where_it_cannot(store_url):
    cli("import", "case", BELARUS, db=store_url)
    cli("sanctions", "import", FTM, db=store_url)
    cli("sanctions", "import", SIMPLE, db=store_url)
    data = cli_json("sanctions", "parity", "--as-of", "2022-03", db=store_url)
    assert data["as_of"]["date"] == "2022-03-31"  # a month runs to its last day
    assert data["as_of"]["targets_left_out"] == {"ftm": 3}  # listed from June 2022 on
    assert [(n["source"], n["targets"]) for n in data["as_of"]["not_applied"]] == [("opensanctions", 9)]
    assert data["unknown_programmes"] == [{"programme": "CA-SEMA", "targets": 2, "sources": ["ftm", "opensanctions"]}]
    assert data["both_states"]["targets"] == 3  # Khrenin twice (two sources) and JSC 558
    assert "SN-13" not in {lag["measure"] for lag in data["lags"]}


def test_parity_prints_tables_labelled_as_policy(store_url):
    cli("import", "case", BELARUS, db=store_url)
    cli("sanctions", "import", SIMPLE, db=store_url)
    text = " ".join(cli("sanctions", "parity", db=store_url).stdout.split())
    assert "Policy" in text and "Not part of the legal determination" in text
    assert "SN-13" in text and "CA-SEMA (1)" in text


def test_parity_refuses_an_as_of_that_is_not_a_date(store_url):
    result = cli("sanctions", "parity", "--as-of", "soon", db=store_url, ok=False)
    assert result.exit_code == 2 and "--as-of" in result.stderr


def test_formats_and_programmes_list_what_import_and_parity_use(store_url):
    assert [f["name"] for f in cli_json("sanctions", "formats", db=store_url)] == ["ftm", "ofac-sdn", "opensanctions-simple"]
    rows = {r["programme"]: r for r in cli_json("sanctions", "programmes", db=store_url)}
    assert rows["BELARUS-EO14038"]["state"] == "BY" and rows["SDGT"]["state"] is None
