"""The OFAC SDN list imported (once per backend): counts checked against the raw CSV."""

from __future__ import annotations

import csv
from collections import Counter

import sqlalchemy as sa

from whopushed.sanctions import parity_report
from whopushed.sanctions import store as sstore
from whopushed.sanctions.importer import import_file
from whopushed.store import tables as t

from .conftest import OFAC, OFAC_ADD
from .helpers import cli_json

RU_PROGRAMMES = {"RUSSIA-EO14024", "RUSSIA-EO14065", "UKRAINE-EO13660", "UKRAINE-EO13661", "UKRAINE-EO13662",
                 "UKRAINE-EO13685", "CAATSA - RUSSIA", "SSIDES", "MAGNIT", "PEESA", "PEESA-EO14039"}
BY_PROGRAMMES = {"BELARUS", "BELARUS-EO14038"}


def raw_rows() -> list[list[str]]:
    """The list's rows, straight from the file with the csv module: this copy has a header
    row, and OFAC ends its files with a ^Z line."""
    with OFAC.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["ID", "Name", "Type", "Country"] and rows[-1][0] == "\x1a"
    return rows[1:-1]


def raw_programmes(row: list[str]) -> set[str]:
    return {p.strip() for p in row[3].split("] [")}  # the column headed "Country" holds the programmes


def test_each_programme_count_equals_an_independent_count_of_the_raw_csv(ofac_store):
    store, summary = ofac_store
    expected = Counter(p for row in raw_rows() for p in raw_programmes(row))
    assert sstore.programme_counts(store.engine, "us-ofac-sdn") == dict(expected)
    assert dict(summary.programmes) == dict(expected)


def test_russia_and_belarus_programme_counts_are_those_of_the_january_2023_list(ofac_store):
    store, _ = ofac_store
    counts = sstore.programme_counts(store.engine, "us-ofac-sdn")
    assert {p: counts.get(p, 0) for p in RU_PROGRAMMES | BY_PROGRAMMES} == {
        "RUSSIA-EO14024": 1843, "UKRAINE-EO13661": 197, "UKRAINE-EO13660": 154, "UKRAINE-EO13685": 101,
        "UKRAINE-EO13662": 77, "MAGNIT": 60, "CAATSA - RUSSIA": 54, "PEESA-EO14039": 25, "RUSSIA-EO14065": 8,
        "SSIDES": 2, "PEESA": 2, "BELARUS-EO14038": 91, "BELARUS": 73}


def test_a_target_under_several_programmes_counts_once_per_programme_and_once_in_total(ofac_store):
    store, summary = ofac_store
    rows = raw_rows()
    multi = next(r for r in rows if r[3] == "NPWMD] [IFSR")
    tp = t.sanctions_target_programmes
    with store.engine.connect() as conn:
        stored = set(conn.execute(sa.select(tp.c.programme).where(tp.c.source_id == multi[0])).scalars())
    assert stored == {"NPWMD", "IFSR"}
    assert summary.read == summary.added + summary.unchanged == len(rows) == 11443
    assert sstore.target_count(store.engine, "us-ofac-sdn") == len(rows)
    assert sum(sstore.programme_counts(store.engine, "us-ofac-sdn").values()) == \
        sum(len(raw_programmes(r)) for r in rows) > len(rows)


def test_ofac_types_map_to_person_company_vessel_aircraft(ofac_store):
    store, _ = ofac_store
    expected = Counter({"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "-0-": "company"}
                       [r[2].strip()] for r in raw_rows())
    tt = t.sanctions_targets
    with store.engine.connect() as conn:
        got = dict(conn.execute(sa.select(tt.c.type, sa.func.count()).group_by(tt.c.type)).all())
    assert got == dict(expected)


def test_every_programme_of_the_list_is_in_the_programme_table(ofac_store):
    _, summary = ofac_store
    assert summary.unknown_programmes == [] and summary.problem_count == 0
    assert summary.notes == ["header row on line 1", "end-of-file marker on line 11445"]


def test_the_address_file_beside_the_list_gives_each_target_its_countries(ofac_store):
    store, summary = ofac_store
    assert summary.addresses == str(OFAC_ADD)
    with OFAC_ADD.open(newline="", encoding="utf-8") as fh:
        in_russia = sorted({r[0] for r in csv.reader(fh) if len(r) > 4 and r[4] == "Russia"}, key=int)
    tt = t.sanctions_targets
    with store.engine.connect() as conn:
        countries = dict(conn.execute(sa.select(tt.c.source_id, tt.c.countries)
                                      .where(tt.c.source_id.in_(in_russia[:50]))).all())
    assert len(countries) == 50 and all("RU" in c for c in countries.values())


def test_the_sector_comes_from_the_organization_type_remark(ofac_store):
    store, _ = ofac_store
    tt = t.sanctions_targets
    with store.engine.connect() as conn:
        sectors = Counter(conn.execute(sa.select(tt.c.sector).where(tt.c.sector.is_not(None))).scalars())
    expected = Counter()
    for row in raw_rows():
        found = [p.strip()[len("Organization Type: "):] for p in row[11].split(";")
                 if p.strip().startswith("Organization Type: ")]
        if found:  # the first one; a final period is not part of the sector
            expected[found[0].removesuffix(".")] += 1
    assert sectors == expected and sectors["Activities of holding companies"] == 27


def test_parity_json_has_the_issue_shape_for_the_ofac_list_and_the_belarus_measures(ofac_store, shared_store_url):
    data = cli_json("sanctions", "parity", db=shared_store_url)
    for key in ("by_jurisdiction", "by_state", "ratio_ru_to_by", "lags", "undated", "gaps", "unknown_programmes"):
        assert key in data
    raw = raw_rows()
    ru = sum(1 for r in raw if raw_programmes(r) & RU_PROGRAMMES)
    by = sum(1 for r in raw if raw_programmes(r) & BY_PROGRAMMES)
    assert (ru, by) == (2383, 164)
    for blocks in (data["by_jurisdiction"]["US"], data["by_state"]):
        assert blocks["RU"]["targets"] == ru and blocks["BY"]["targets"] == by
        assert set(blocks["RU"]["by_type"]) == {"person", "company", "vessel", "aircraft", "other"}
        assert sum(blocks["RU"]["by_type"].values()) == ru
    assert data["by_jurisdiction"]["US"]["RU"]["programmes"]["RUSSIA-EO14024"] == 1843
    assert data["ratio_ru_to_by"] == round(ru / by, 2)
    assert data["unknown_programmes"] == []
    for lag in data["lags"]:
        assert set(lag) >= {"measure", "russia_date", "belarus_date", "days"}
    assert {g["measure"] for g in data["gaps"] if g["from"] == "case"} == {"SN-14"}
    assert {"measure": "designations of vessel targets", "jurisdiction": "US", "present_for": "RU",
            "absent_for": "BY", "from": "lists", "targets": 117} in data["gaps"]


def test_the_case_lags_are_counted_in_days_between_the_russian_and_belarus_measures(ofac_store):
    store, _ = ofac_store
    data = parity_report(store)
    lags = {lag["measure"]: (lag["russia_date"], lag["belarus_date"], lag["days"]) for lag in data["lags"]}
    assert lags == {
        "SN-01": ("2022-02-24", "2022-02-24", 0),  # US, same day
        "SN-02": ("2022-02-24", "2022-02-24", 0),  # EU, same day
        "SN-05": ("2022-02-24", "2022-03-02", 6),  # US export controls extended to Belarus
        "SN-06": ("2022-03-09", "2022-03-09", 0),
        "SN-07": ("2022-03-15", "2022-03-15", 0),
        "SN-09": ("2022-06-03", "2022-06-03", 0),
        "SN-13": ("2024-06-24", "2024-06-26", 2),  # the June 2024 EU package after the 14th on Russia
    }
    undated = {u["measure"]: u["why"] for u in data["undated"]}
    assert set(undated) == {"SN-03", "SN-04", "SN-08", "SN-10", "SN-11", "SN-12"}
    assert "month" in undated["SN-08"] and "no date" in undated["SN-08"]


def test_importing_the_same_file_again_changes_nothing(ofac_store):
    store, first = ofac_store
    before = sstore.programme_counts(store.engine)
    again = import_file(store.engine, OFAC)
    assert (again.added, again.updated, again.delisted, again.unchanged) == (0, 0, 0, first.read)
    assert sstore.programme_counts(store.engine) == before
    assert again.sha256 == first.sha256 and len(sstore.imports(store.engine)) == 2
