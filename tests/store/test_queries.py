"""Queries: incidents by territory, kind and time; claims; statements by speaker."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from whopushed.model import ClaimKind, IncidentKind
from whopushed.store import Store

from .fixtures import make_case


@pytest.fixture(scope="module")
def loaded(shared_store_url):
    """The test case, imported once per backend; these tests only read."""
    with Store.open(shared_store_url) as store:
        store.import_case(make_case())
        yield store


def ids(records) -> list[str]:
    return [r.id for r in records]


def test_launched_from_returns_only_launch_incidents_from_that_territory(loaded):
    found = loaded.incidents(launched_from="BY")
    assert ids(found) == ["INC-01", "INC-10", "INC-02", "INC-08", "INC-07"]
    assert all(i.kind is IncidentKind.launch and i.launch_territory == "BY" for i in found)
    # never the sortie (INC-03), the base activity (INC-04), nor the excluded launch (INC-06)
    assert not {"INC-03", "INC-04", "INC-06"} & set(ids(found))


def test_launched_from_includes_excluded_incidents_only_on_request(loaded):
    found = ids(loaded.incidents(launched_from="BY", include_excluded=True))
    assert "INC-06" in found and "INC-03" not in found


def test_launched_from_other_territories(loaded):
    assert ids(loaded.incidents(launched_from="RU")) == ["INC-05"]
    assert ids(loaded.incidents(launched_from="AIR")) == ["INC-09"]
    assert loaded.incidents(launched_from="SEA") == []
    assert loaded.incidents(launched_from="by") == loaded.incidents(launched_from="BY")


def test_incidents_are_ordered_by_earliest_time_then_id_with_yearless_ones_last(loaded):
    assert ids(loaded.incidents()) == ["INC-04", "INC-01", "INC-10", "INC-02", "INC-03",
                                       "INC-05", "INC-09", "INC-08", "INC-07"]


def test_incidents_by_kind_accepts_strings_and_enums(loaded):
    assert ids(loaded.incidents(kind="sortie")) == ["INC-03"]
    assert ids(loaded.incidents(kind=IncidentKind.base_activity)) == ["INC-04"]


def test_since_until_keep_incidents_whose_window_overlaps(loaded):
    # INC-04 is the whole of February 2022: it overlaps any day in it
    assert ids(loaded.incidents(since=date(2022, 2, 20), until=date(2022, 2, 23))) == ["INC-04"]
    # a date bound covers its whole day
    assert ids(loaded.incidents(since=date(2022, 3, 10), until=date(2022, 3, 10))) == ["INC-02", "INC-03"]
    # the range 04:00-06:00 overlaps from either side
    at = datetime(2022, 2, 24, 5, 59, tzinfo=timezone.utc)
    assert ids(loaded.incidents(launched_from="BY", since=at, until=at)) == ["INC-01", "INC-10"]
    after = datetime(2022, 2, 24, 6, 1, tzinfo=timezone.utc)  # 06:00 covers its whole minute
    assert ids(loaded.incidents(launched_from="BY", since=after, until=after + timedelta(days=1))) == []


def test_since_until_compare_in_utc(loaded):
    # INC-08 is 2022-10-10T01:30+03:00 = 2022-10-09T22:30Z
    assert ids(loaded.incidents(since=date(2022, 10, 9), until=date(2022, 10, 9))) == ["INC-08"]
    assert loaded.incidents(since=date(2022, 10, 10)) == []
    naive = datetime(2022, 10, 9, 22, 30)  # naive means UTC
    assert ids(loaded.incidents(since=naive, until=naive)) == ["INC-08"]
    kyiv = timezone(timedelta(hours=3))
    assert ids(loaded.incidents(until=datetime(2022, 2, 24, 7, 0, tzinfo=kyiv))) == ["INC-04", "INC-01", "INC-10"]


def test_since_or_until_leave_out_a_day_without_a_year(loaded):
    assert "INC-07" not in ids(loaded.incidents(since=date(2000, 1, 1)))
    assert "INC-07" not in ids(loaded.incidents(until=date(2100, 1, 1)))
    assert "INC-07" in ids(loaded.incidents())


def test_since_until_combine_with_territory_and_exclusion(loaded):
    june = dict(since=date(2022, 6, 1), until=date(2022, 6, 30))
    assert ids(loaded.incidents(**june)) == ["INC-09"]
    assert ids(loaded.incidents(launched_from="BY", **june)) == []
    assert ids(loaded.incidents(launched_from="BY", include_excluded=True, **june)) == ["INC-06"]


def test_claims_reporting_on_an_incident_in_import_order(loaded):
    assert ids(loaded.claims(incident="INC-01")) == ["CL-01", "CL-02", "CL-04"]
    assert ids(loaded.claims(incident="INC-10")) == ["CL-01"]
    assert loaded.claims(incident="INC-05") == []


def test_claims_by_party_and_kind(loaded):
    assert ids(loaded.claims(party="act-hajun")) == ["CL-02", "CL-03"]
    assert ids(loaded.claims(kind="operator")) == ["CL-04"]
    assert ids(loaded.claims(kind=ClaimKind.launch, party="act-uaf")) == ["CL-01"]
    assert ids(loaded.claims(incident="INC-01", kind="launch")) == ["CL-01", "CL-02"]
    assert ids(loaded.claims()) == ["CL-01", "CL-02", "CL-03", "CL-04", "CL-05"]


LUKASHENKA = ["ST-01", "ST-02", "ST-04"]


@pytest.mark.parametrize("speaker", ["act-lukashenka", "Лукашенко", "lukashenka", "LUKASHENKO",
                                     "Лукашэнка", "Lukašenka", "лукаш", "Alexander Lukashenka"])
def test_statements_by_speaker_id_name_or_alias_in_any_script(loaded, speaker):
    assert ids(loaded.statements(speaker=speaker)) == LUKASHENKA


def test_statements_by_speaker_alias_in_ukrainian(loaded):
    assert ids(loaded.statements(speaker="Повітряні сили")) == ["ST-03"]
    assert ids(loaded.statements(speaker="air force")) == ["ST-03"]


def test_statements_are_ordered_by_when_made_then_id_with_yearless_last(loaded):
    assert ids(loaded.statements()) == ["ST-01", "ST-03", "ST-02", "ST-04"]


def test_statements_of_an_unknown_speaker_are_none(loaded):
    assert loaded.statements(speaker="Zelensky") == []
    assert loaded.statements(speaker="act-lukash") == []  # ids match exactly, not in part
    assert loaded.statements(speaker="act-nobody") == []
