"""Times as sources give them: often only a day, a month, a range, or a day without a year."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator


class TimePrecision(str, Enum):
    minute = "minute"
    hour = "hour"
    day = "day"
    month = "month"
    year = "year"
    range = "range"


_POINT = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2})(?::(?P<M>\d{2}))?(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
_NO_YEAR = re.compile(r"^--(?P<m>\d{2})-(?P<d>\d{2})$")

FORMS = (
    "YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH, YYYY-MM-DDTHH:MM (optionally +HH:MM or Z), "
    "--MM-DD for a day without a year, or START/END for a range"
)


def _point_bounds(text: str) -> tuple[datetime, datetime, TimePrecision]:
    """Earliest and latest instants (UTC) covered by one ISO point of any precision."""
    m = _POINT.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a time; use {FORMS}")
    tz = timezone.utc
    if m["tz"] and m["tz"] != "Z":
        sign = 1 if m["tz"][0] == "+" else -1
        hh, mm = int(m["tz"][1:3]), int(m["tz"][4:6])
        tz = timezone(sign * timedelta(hours=hh, minutes=mm))
    y = int(m["y"])
    mo = int(m["m"] or 1)
    d = int(m["d"] or 1)
    H = int(m["H"] or 0)
    M = int(m["M"] or 0)
    try:
        start = datetime(y, mo, d, H, M, tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"'{text}': {exc}") from None
    if m["M"] is not None:
        precision, end = TimePrecision.minute, start + timedelta(minutes=1)
    elif m["H"] is not None:
        precision, end = TimePrecision.hour, start + timedelta(hours=1)
    elif m["d"] is not None:
        precision, end = TimePrecision.day, start + timedelta(days=1)
    elif m["m"] is not None:
        precision = TimePrecision.month
        end = start.replace(year=y + (mo == 12), month=mo % 12 + 1)
    else:
        precision, end = TimePrecision.year, start.replace(year=y + 1)
    utc = timezone.utc
    return start.astimezone(utc), (end - timedelta(microseconds=1)).astimezone(utc), precision


class When(BaseModel):
    """A time with its precision.

    `value` is ISO 8601 at the precision the source supports; `stated` keeps the source's
    own words ("late April", "~23:00"); `approximate` marks "about". In case files a bare
    string is shorthand for `{value: ...}`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    stated: str | None = None
    approximate: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"value": data}
        if hasattr(data, "isoformat") and not isinstance(data, dict):
            return {"value": data.isoformat()}
        return data

    @model_validator(mode="after")
    def _check(self) -> "When":
        self.bounds()  # raises ValueError on a malformed value
        return self

    @model_serializer(mode="wrap")
    def _compact(self, handler):
        data = handler(self)
        if not self.stated and not self.approximate:
            return self.value
        return {k: v for k, v in data.items() if v not in (None, False)}

    def bounds(self) -> tuple[datetime | None, datetime | None, TimePrecision]:
        """(earliest, latest, precision); both bounds are None for a day without a year."""
        return _parse(self.value)

    @property
    def year_known(self) -> bool:
        return not self.value.startswith("--")

    @property
    def precision(self) -> TimePrecision:
        return self.bounds()[2]

    @property
    def earliest(self) -> datetime | None:
        return self.bounds()[0]

    @property
    def latest(self) -> datetime | None:
        return self.bounds()[1]

    def __str__(self) -> str:
        return ("~" if self.approximate else "") + self.value


@lru_cache(maxsize=1 << 16)  # the same values recur across many records; parse each once
def _parse(value: str) -> tuple[datetime | None, datetime | None, TimePrecision]:
    v = value.strip()
    nm = _NO_YEAR.match(v)
    if nm:
        datetime(2000, int(nm["m"]), int(nm["d"]))  # validates month and day
        return None, None, TimePrecision.day
    if "/" in v:
        a, b = v.split("/", 1)
        start = _point_bounds(a)[0]
        end = _point_bounds(b)[1]
        if end < start:
            raise ValueError(f"'{v}': the range ends before it starts")
        return start, end, TimePrecision.range
    return _point_bounds(v)
