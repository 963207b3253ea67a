"""What the page and API routes share: the snapshot, the incident filters, one incident
in full."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Query, Request
from starlette.exceptions import HTTPException

from ...model import Incident
from ..workbench import SORTS, IncidentQuery, QueryError, Snapshot

KINDS = ("launch", "sortie", "base_activity", "other")
Sort = Literal[SORTS]  # type: ignore[valid-type]


def snapshot(request: Request) -> Snapshot:
    snap = request.app.state.workbench.snapshot()
    if snap is None:
        raise HTTPException(503, "the database holds no case yet: import one with 'whopushed import case PATH'")
    return snap


# a time as the CLI takes it: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH[:MM][offset] (a
# well-formed but impossible date, 2022-02-30, still gets 400)
TIME = r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?)?)?$"


def incident_query(
    since: str | None = Query(None, max_length=64, pattern=TIME, description="Incidents that may have happened on or after this (2022, 2022-06, 2022-06-25)."),
    until: str | None = Query(None, max_length=64, pattern=TIME, description="Incidents that may have happened on or before this."),
    launched_from: str | None = Query(None, pattern=r"^([A-Za-z]{2}|SEA|AIR|sea|air)$", description="Launch incidents launched from this territory (ISO 3166 code, SEA or AIR)."),
    weapon: str | None = Query(None, max_length=100, description="Part of a weapon's name, in any letter case."),
    kind: Literal["launch", "sortie", "base_activity", "other"] | None = Query(None),
    most_likely: str | None = Query(None, max_length=128, description="A hypothesis id (H-BY), 'tie', or 'none' (no evidence on the operator)."),
    min_posterior: float | None = Query(None, ge=0, le=1, description="Posterior of the most likely hypothesis, at least."),
    max_posterior: float | None = Query(None, ge=0, le=1),
    include_excluded: bool = Query(False, description="Also strikes checked and excluded."),
    sort: Sort = Query("when"),
    order: Literal["asc", "desc"] = Query("asc"),
    page: int = Query(1, ge=1, le=1_000_000),
    per_page: int = Query(50, ge=1, le=500),
) -> IncidentQuery:
    return IncidentQuery(since=since, until=until, launched_from=launched_from, weapon=weapon, kind=kind,
                         most_likely=most_likely, min_posterior=min_posterior, max_posterior=max_posterior,
                         include_excluded=include_excluded, sort=sort, order=order, page=page, per_page=per_page)


def lenient_query(params) -> IncidentQuery:
    """The filters as a page's form sends them (empty fields are unset); a value that
    cannot be read raises QueryError, shown on the page."""
    def text(name: str) -> str | None:
        value = (params.get(name) or "").strip()
        return value[:128] or None

    def number(name: str, low: float, high: float, default=None, kind=float):
        value = text(name)
        if value is None:
            return default
        try:
            n = kind(value)
        except ValueError:
            raise QueryError(f"{name}: '{value}' is not a number") from None
        if not low <= n <= high:
            raise QueryError(f"{name}: between {low:g} and {high:g}")
        return n

    kind = text("kind")
    if kind is not None and kind not in KINDS:
        raise QueryError(f"kind: one of {', '.join(KINDS)}")
    return IncidentQuery(
        since=text("since"), until=text("until"), launched_from=text("launched_from"), weapon=text("weapon"),
        kind=kind, most_likely=text("most_likely"),
        min_posterior=number("min_posterior", 0, 1), max_posterior=number("max_posterior", 0, 1),
        include_excluded=(params.get("include_excluded") or "").lower() in ("1", "true", "on", "yes"),
        sort=text("sort") or "when", order=text("order") or "asc",
        page=number("page", 1, 1_000_000, 1, int), per_page=number("per_page", 1, 500, 50, int))


def incident_detail(snap: Snapshot, incident_id: str) -> dict[str, Any]:
    """One incident in full: its claims, sources, weighing and what is contested in it."""
    inc = snap.index.get(incident_id)
    if not isinstance(inc, Incident):
        raise HTTPException(404, "no incident with that id")
    data = snap.record(incident_id)
    data["assessment"] = snap.attribution(incident_id)
    data["contested"] = snap.contested_in.get(incident_id, [])
    return data


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError:
        raise QueryError("bbox: west,south,east,north in degrees (e.g. 22,44,41,57)") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise QueryError("bbox: longitudes within -180..180, latitudes within -90..90, south <= north")
    return west, south, east, north
