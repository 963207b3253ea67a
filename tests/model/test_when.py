from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from whopushed.model import TimePrecision, When


@pytest.mark.parametrize("value,precision", [
    ("2022", TimePrecision.year),
    ("2022-07", TimePrecision.month),
    ("2022-07-28", TimePrecision.day),
    ("2022-07-28T05", TimePrecision.hour),
    ("2022-07-28T05:20+03:00", TimePrecision.minute),
    ("2022-12-16/2022-12-27", TimePrecision.range),
    ("--04-30", TimePrecision.day),
])
def test_precision_is_read_from_the_form_of_the_value(value, precision):
    assert When.model_validate(value).precision is precision


def test_bounds_cover_the_whole_period_in_utc():
    earliest, latest, _ = When(value="2022-02").bounds()
    assert earliest == datetime(2022, 2, 1, tzinfo=timezone.utc)
    assert latest.date().isoformat() == "2022-02-28"
    e, _, _ = When(value="2022-02-23T23:00+02:00").bounds()
    assert e == datetime(2022, 2, 23, 21, 0, tzinfo=timezone.utc)


def test_day_without_a_year_has_no_bounds_but_keeps_its_precision():
    when = When(value="--04-30")
    assert not when.year_known
    assert when.earliest is None and when.latest is None


@pytest.mark.parametrize("bad", ["30 April", "2022-13", "2022-02-30", "2022-05/2022-01", "--02-31", ""])
def test_malformed_times_are_rejected(bad):
    with pytest.raises(ValidationError):
        When.model_validate(bad)


def test_a_bare_value_serialises_back_to_a_string_and_long_form_to_a_mapping():
    assert When.model_validate("2022-07").model_dump() == "2022-07"
    long = When(value="2022-02-23T23:00+03:00", approximate=True, stated="about 11 p.m.")
    dumped = long.model_dump(mode="json")
    assert dumped == {"value": "2022-02-23T23:00+03:00", "approximate": True, "stated": "about 11 p.m."}
    assert When.model_validate(dumped) == long


def test_yaml_dates_are_accepted():
    from datetime import date
    assert When.model_validate(date(2022, 2, 24)).value == "2022-02-24"
