"""The parity computation on plain data: ties, counts, lags, gaps, --as-of."""

from __future__ import annotations

from datetime import date

import pytest

from whopushed.ingest.casefile import read_case
from whopushed.sanctions.parity import TargetFacts, parity
from whopushed.sanctions.programmes import TableError, load_programmes, parse_programmes

from .conftest import BELARUS

TABLE = load_programmes()
US = {"us": {"jurisdiction": "US", "format": "ofac-sdn", "title": "t"}}


def facts(sid, programmes=(), kind="person", source="us", **kw) -> TargetFacts:
    return TargetFacts(source, sid, kind, tuple(programmes), **kw)


@pytest.fixture(scope="module")
def measures():
    return read_case(BELARUS).sanctions


def test_a_target_under_two_programmes_of_one_state_counts_once_for_that_state():
    data = parity([facts("1", ["RUSSIA-EO14024", "UKRAINE-EO13661"])], TABLE, sources=US)
    ru = data["by_jurisdiction"]["US"]["RU"]
    assert ru["targets"] == 1 and ru["programmes"] == {"RUSSIA-EO14024": 1, "UKRAINE-EO13661": 1}
    assert data["by_state"]["RU"]["targets"] == 1 and data["by_state"]["BY"]["targets"] == 0
    assert data["ratio_ru_to_by"] is None  # no Belarus target: no ratio, rather than infinity


def test_a_target_listed_for_both_states_counts_for_each_and_among_both_states():
    data = parity([facts("1", ["EU-BLR", "GB-RUS"]), facts("2", ["BELARUS-EO14038"], "company")], TABLE)
    assert data["by_jurisdiction"]["EU"]["BY"]["targets"] == 1 and data["by_jurisdiction"]["GB"]["RU"]["targets"] == 1
    assert data["by_state"]["BY"]["targets"] == 2 and data["by_state"]["RU"]["targets"] == 1
    assert data["both_states"]["targets"] == 1 and data["both_states"]["by_type"]["person"] == 1
    assert data["both_states"]["by_jurisdiction"] == {}  # tied to each by a different jurisdiction
    assert data["ratio_ru_to_by"] == 0.5


def test_a_belarusian_company_listed_under_a_russia_programme_is_counted_across():
    data = parity([facts("1", ["RUSSIA-EO14024"], "company", countries=("BY",))], TABLE)
    assert data["both_states"]["cross_country"]["RU_listed_BY_country"]["targets"] == 1


def test_unknown_programmes_are_counted_and_listed_never_dropped():
    data = parity([facts("1", ["XX-NEW"]), facts("2", ["XX-NEW", "BELARUS"]), facts("3", ["CA-SEMA"], source="os")],
                  TABLE, sources=US)
    assert data["unknown_programmes"] == [{"programme": "XX-NEW", "targets": 2, "sources": ["us"]},
                                          {"programme": "CA-SEMA", "targets": 1, "sources": ["os"]}]
    assert data["by_state"]["BY"]["targets"] == 1  # the known programme still ties target 2


def test_a_thematic_programme_ties_no_state():
    data = parity([facts("1", ["CYBER2"], countries=("RU",))], TABLE, sources=US)
    assert data["by_state"]["RU"]["targets"] == 0 and data["unknown_programmes"] == []


def test_a_target_without_programmes_is_tied_by_its_country_under_its_sources_jurisdiction():
    sources = {"us": US["us"], "os": {"jurisdiction": None, "format": "opensanctions-simple", "title": "t"}}
    data = parity([facts("1", countries=("RU",)), facts("2", countries=("BY", "DE"), source="os")], TABLE,
                  sources=sources)
    assert data["by_jurisdiction"]["US"]["RU"]["programmes"] == {"(no programme: tied by country)": 1}
    assert data["by_state"]["BY"]["targets"] == 1 and "BY" not in str(data["by_jurisdiction"].get("os"))
    assert data["by_jurisdiction"]["US"]["BY"]["targets"] == 0  # no jurisdiction for the os source


def test_gaps_name_types_and_sectors_that_reach_one_state_only():
    data = parity([facts("1", ["RUSSIA-EO14024"], "vessel"), facts("2", ["RUSSIA-EO14024"], "company", sector="Banking"),
                   facts("3", ["BELARUS"], "company", sector="Potash")], TABLE)
    gaps = {(g["measure"], g["present_for"], g["targets"]) for g in data["gaps"]}
    assert gaps == {("designations of vessel targets", "RU", 1), ("designations in the sector 'Banking'", "RU", 1),
                    ("designations in the sector 'Potash'", "BY", 1)}
    only_ru = parity([facts("1", ["RUSSIA-EO14024"])], TABLE)["gaps"]
    assert only_ru == [{"measure": "designations of any target", "jurisdiction": "US", "present_for": "RU",
                        "absent_for": "BY", "from": "lists", "targets": 1}]


def test_case_measures_give_lags_in_days_undated_with_why_and_a_gap_without_counterpart(measures):
    data = parity([], TABLE, measures)
    assert [(lag["measure"], lag["days"]) for lag in data["lags"]] == [
        ("SN-01", 0), ("SN-02", 0), ("SN-05", 6), ("SN-06", 0), ("SN-07", 0), ("SN-09", 0), ("SN-13", 2)]
    sn13 = next(lag for lag in data["lags"] if lag["measure"] == "SN-13")
    assert (sn13["jurisdiction"], sn13["russia_date"], sn13["belarus_date"]) == ("EU", "2024-06-24", "2024-06-26")
    why = {u["measure"]: u["why"] for u in data["undated"]}
    assert why["SN-12"] == "the Russian counterpart has no date in the case"
    assert why["SN-08"] == ("the Russian counterpart has no date in the case; the Belarus measure's date is "
                            "known only to the month (2022-04)")
    assert [(g["measure"], g["present_for"], g["absent_for"]) for g in data["gaps"]] == [("SN-14", "BY", "RU")]


def test_as_of_leaves_out_later_measures_and_shows_a_russia_package_awaiting_its_belarus_counterpart(measures):
    data = parity([], TABLE, measures, as_of=date(2024, 6, 25))
    assert "SN-13" not in {lag["measure"] for lag in data["lags"]}
    assert [(g["measure"], g["present_for"], g["absent_for"]) for g in data["gaps"]] == [("SN-13", "RU", "BY")]
    early = parity([], TABLE, measures, as_of=date(2022, 2, 28))
    assert [lag["measure"] for lag in early["lags"]] == ["SN-01", "SN-02"]
    assert [g["measure"] for g in early["gaps"]] == ["SN-05"]  # Russia's export controls, Belarus's to come


def test_as_of_applies_listing_dates_per_programme_and_says_where_it_cannot():
    targets = [facts("1", ["EU-BLR", "GB-RUS"], source="ftm", listed=date(2022, 2, 24),
                     programme_listed={"EU-BLR": date(2022, 2, 24), "GB-RUS": date(2022, 3, 1)}),
               facts("2", ["EU-BLR"], source="ftm", listed=date(2022, 6, 3), programme_listed={"EU-BLR": date(2022, 6, 3)}),
               facts("3", ["RUSSIA-EO14024"])]
    data = parity(targets, TABLE, as_of=date(2022, 2, 28))
    assert data["by_state"]["BY"]["targets"] == 1 and data["by_state"]["RU"]["targets"] == 1  # GB-RUS came later
    assert data["as_of"]["targets_left_out"] == {"ftm": 1}
    assert data["as_of"]["not_applied"] == [{"source": "us", "targets": 1, "why": data["as_of"]["not_applied"][0]["why"]}]
    assert parity(targets, TABLE)["as_of"] is None


def test_the_programme_table_refuses_an_entry_without_a_state_code_or_reading():
    with pytest.raises(TableError, match="programme 'X'.*state 'Russia'"):
        parse_programmes({"programmes": {"X": {"jurisdiction": "US", "state": "Russia", "reading": "r"}}})
    with pytest.raises(TableError, match="reading"):
        parse_programmes({"programmes": {"X": {"jurisdiction": "US", "state": "RU"}}})


def test_the_shipped_table_reads_the_issue_programmes_as_answering_russia_or_belarus():
    ru = {"RUSSIA-EO14024", "UKRAINE-EO13660", "UKRAINE-EO13661", "UKRAINE-EO13662", "UKRAINE-EO13685"}
    assert {TABLE[c].state for c in ru} == {"RU"}
    assert TABLE["BELARUS"].state == TABLE["BELARUS-EO14038"].state == "BY"
    assert all(p.reading for p in TABLE.values())
