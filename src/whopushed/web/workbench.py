"""What the pages and the API read: one snapshot of the case with its analyses, rebuilt
when the ledger grows (every import and claim command appends to it).

The pages and the API call the same methods, so they cannot disagree. In read-only mode
the snapshot is the public view of the case (report.exports.public_case): withheld
records are gone before any query, analysis or search result sees them.
"""

from __future__ import annotations

import gc
import math
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

import numpy as np
import sqlalchemy as sa

from ..analyses import attribution_rules, determine_case
from ..model import Case, Claim, Incident, Statement, When
from ..report.exports import attribution_summary, public_case
from ..store import Store
from ..views import Lookup, assessment_json, incident_json, record_json

_MIN = datetime.min.replace(tzinfo=timezone.utc)
SORTS = ("when", "id", "kind", "launched_from", "weapons", "most_likely", "posterior", "claims")


class QueryError(ValueError):
    """A query parameter that cannot be read (a malformed date, an unknown sort)."""


def _bound(text: str | None, side: str) -> float | None:
    if not text:
        return None
    try:
        earliest, latest, _ = When(value=text.strip()).bounds()
    except ValueError as exc:
        raise QueryError(f"{side}: {exc}") from None
    at = earliest if side == "since" else latest
    if at is None:
        raise QueryError(f"{side}: '{text}' has no year; give a date with a year")
    return at.timestamp()


@dataclass
class IncidentQuery:
    """The incident filters of the incidents page, the map, the timeline and /api."""

    since: str | None = None
    until: str | None = None
    launched_from: str | None = None
    weapon: str | None = None
    kind: str | None = None
    most_likely: str | None = None  # a hypothesis id, "tie" or "none" (no evidence)
    min_posterior: float | None = None  # of the most likely hypothesis, 0..1
    max_posterior: float | None = None
    include_excluded: bool = False
    sort: str = "when"
    order: str = "asc"
    page: int = 1
    per_page: int = 50

    def __post_init__(self) -> None:
        for name in ("since", "until", "launched_from", "weapon", "kind", "most_likely"):
            value = getattr(self, name)
            if isinstance(value, str) and not value.strip():
                setattr(self, name, None)
        if self.sort not in SORTS:
            raise QueryError(f"sort: one of {', '.join(SORTS)}")
        if self.order not in ("asc", "desc"):
            raise QueryError("order: asc or desc")

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query as URL parameters (only those set), with `changes` applied."""
        data = {k: v for k, v in vars(self).items()}
        data.update(changes)
        defaults = IncidentQuery.__dataclass_fields__
        return {k: v for k, v in data.items()
                if v not in (None, "", False) and v != defaults[k].default}

    @property
    def needs_attribution(self) -> bool:
        return (self.most_likely is not None or self.min_posterior is not None or self.max_posterior is not None
                or self.sort in ("most_likely", "posterior"))


@dataclass
class Page:
    total: int
    page: int
    per_page: int
    items: list[dict[str, Any]]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value is not None else math.nan


def _latlon(place) -> tuple[float, float]:
    if place is not None and place.lat is not None and place.lon is not None:
        return place.lat, place.lon
    return math.nan, math.nan


def _codes(values: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """Values as integer codes, and the code of each value."""
    table: dict[str, int] = {}
    codes = np.array([table.setdefault(v, len(table)) for v in values], dtype=np.int32)
    return codes, table


def _ranked(codes: np.ndarray, table: dict[str, int]) -> np.ndarray:
    """Codes replaced by their value's rank in alphabetical order: a sort key."""
    rank = np.zeros(max(len(table), 1), dtype=np.int32)
    for n, value in enumerate(sorted(table)):
        rank[table[value]] = n
    return rank[codes]


def _settle() -> None:
    """The snapshot does not change once built: move what exists now out of the cyclic
    collector's reach, so that its full collections (which a large case would make last
    whole seconds, stalling every request) walk only what requests create."""
    gc.collect()
    gc.freeze()


class Snapshot:
    """The case at one ledger size, with indexes for the filters and analyses computed
    when first asked for (and kept)."""

    def __init__(self, case: Case, fingerprint: Any, read_only: bool):
        self.case, self.fingerprint, self.read_only = case, fingerprint, read_only
        self.index = case.by_id()
        self.collection = {rec.id: name for name, _, rec in case.records()}
        self.look = Lookup(lambda rid: (self.collection[rid], self.index[rid]) if rid in self.index else None)
        self.claims_of: dict[str, list[Claim]] = {}
        for claim in case.claims:
            for inc in claim.incidents:
                self.claims_of.setdefault(inc, []).append(claim)
        incidents = list(case.incidents)
        bounds = [i.when.bounds() for i in incidents]
        order = sorted(range(len(incidents)), key=lambda k: (bounds[k][0] is None, bounds[k][0] or _MIN,
                                                              incidents[k].id))
        self.incidents: list[Incident] = [incidents[k] for k in order]
        self.position = {inc.id: n for n, inc in enumerate(self.incidents)}
        b = [bounds[k] for k in order]
        self.earliest = np.array([_ts(x[0]) for x in b], dtype=float)
        self.latest = np.array([_ts(x[1]) for x in b], dtype=float)
        # kinds, territories and operators as small integer codes: comparing object arrays
        # costs a Python call per element, and the filters run on every request
        self.kind, self._kind_code = _codes([i.kind.value for i in self.incidents])
        self.territory, self._territory_code = _codes([i.launch_territory or "" for i in self.incidents])
        self.excluded = np.array([i.excluded is not None for i in self.incidents], dtype=bool)
        self.n_claims = np.array([len(self.claims_of.get(i.id, ())) for i in self.incidents], dtype=int)
        la = np.array([_latlon(i.launch_area) for i in self.incidents], dtype=float).reshape(-1, 2)
        ia = np.array([_latlon(i.impact_area) for i in self.incidents], dtype=float).reshape(-1, 2)
        self.launch_lat, self.launch_lon, self.impact_lat, self.impact_lon = la[:, 0], la[:, 1], ia[:, 0], ia[:, 1]
        self.weapons_of = [tuple(w.casefold() for w in i.weapons) for i in self.incidents]
        self._weapon_masks: dict[str, np.ndarray] = {}
        self._attributions: dict[str, dict | None] = {}
        self._lock = threading.RLock()
        self._all_attributed: tuple[np.ndarray, np.ndarray] | None = None
        self._likely_code: dict[str, int] = {}
        self._determinations: dict[str | None, dict] = {}
        self._rows_html: dict[str, str] = {}

    # analyses

    @cached_property
    def _context(self):
        from ..reason.attribution import case_context

        rules, weapons = attribution_rules()
        return case_context(self.case, rules, weapons)

    def attribution(self, incident_id: str) -> dict | None:
        """The incident's weighing (the shape of `whopushed attribute ID --json`); None for
        a checked-and-excluded incident, as `attribute --all` leaves those out."""
        if incident_id in self._attributions:
            return self._attributions[incident_id]
        from ..reason.attribution import assess

        inc = self.index.get(incident_id)
        if not isinstance(inc, Incident) or inc.excluded:
            result = None
        else:
            with self._lock:
                ctx = self._context
            result = assessment_json(assess(inc, self.claims_of.get(inc.id, []), ctx), inc, self.look)
        self._attributions[incident_id] = result
        return result

    def _attributed(self) -> tuple[np.ndarray, np.ndarray]:
        """(most likely, top posterior) per incident, for filters and sorts: every incident
        weighed once, on first need."""
        with self._lock:
            if self._all_attributed is None:
                likely, post = [], []
                for inc in self.incidents:
                    s = attribution_summary(self.attribution(inc.id))
                    likely.append("none" if not s or s["top_posterior"] is None else (s["most_likely"] or "tie"))
                    post.append(math.nan if not s or s["top_posterior"] is None else s["top_posterior"])
                codes, self._likely_code = _codes(likely)
                self._all_attributed = (codes, np.array(post, dtype=float))
                _settle()
            return self._all_attributed

    def determination(self, as_of: str | None = None) -> dict:
        """The determination (on the evidence published by `as_of`, if given); the last
        few are kept."""
        if as_of is not None:
            _bound(as_of, "as_of")  # a date that cannot be read is the caller's error
        with self._lock:
            if as_of not in self._determinations:
                if len(self._determinations) > 8:
                    self._determinations.pop(next(k for k in self._determinations if k is not None))
                self._determinations[as_of] = determine_case(self.case, as_of=as_of)
            return self._determinations[as_of]

    @cached_property
    def stances(self) -> tuple[dict, list]:
        from ..report.summary import stance_analysis

        return stance_analysis(self.case)

    @cached_property
    def summary(self) -> dict:
        from ..report.summary import summarise

        return summarise(self.case, self.stances[0])

    @cached_property
    def contested_in(self) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for c in self.summary["contested"]:
            found.setdefault(c["incident"], []).append(c)
        return found

    @cached_property
    def hypotheses(self) -> list[dict[str, Any]]:
        return [h.model_dump(mode="json") for h in self.case.case.operator_hypotheses()]

    @cached_property
    def weapons(self) -> list[str]:
        return sorted({w for i in self.incidents for w in i.weapons}, key=str.casefold)

    @cached_property
    def territories(self) -> list[str]:
        return sorted({i.launch_territory for i in self.incidents if i.launch_territory})

    # incidents

    def _weapon_mask(self, text: str) -> np.ndarray:
        key = text.casefold().strip()
        if key not in self._weapon_masks:
            self._weapon_masks[key] = np.array([any(key in w for w in ws) for ws in self.weapons_of], dtype=bool)
        return self._weapon_masks[key]

    def select(self, q: IncidentQuery) -> np.ndarray:
        """Positions (in time order) of the incidents matching the filters, sorted as asked."""
        n = len(self.incidents)
        mask = np.ones(n, dtype=bool)
        if not q.include_excluded:
            mask &= ~self.excluded
        if q.kind:
            mask &= self.kind == self._kind_code.get(q.kind, -1)
        if q.launched_from:  # as `incidents --launched-from`: launch incidents from there
            mask &= ((self.kind == self._kind_code.get("launch", -1))
                     & (self.territory == self._territory_code.get(q.launched_from.upper(), -1)))
        since, until = _bound(q.since, "since"), _bound(q.until, "until")
        with np.errstate(invalid="ignore"):
            if since is not None:
                mask &= self.latest >= since
            if until is not None:
                mask &= self.earliest <= until
        if q.weapon:
            mask &= self._weapon_mask(q.weapon)
        if q.needs_attribution:
            likely, post = self._attributed()
            if q.most_likely:
                mask &= likely == self._likely_code.get(q.most_likely, -1)
            with np.errstate(invalid="ignore"):
                if q.min_posterior is not None:
                    mask &= post >= q.min_posterior
                if q.max_posterior is not None:
                    mask &= post <= q.max_posterior
        found = np.flatnonzero(mask)
        if q.sort != "when":
            found = found[np.argsort(self._sort_key(q.sort)[found], kind="stable")]
        if q.order == "desc":
            found = found[::-1]
        return found

    def _sort_key(self, sort: str) -> np.ndarray:
        if sort == "id":
            return np.array([i.id for i in self.incidents], dtype=object)
        if sort == "kind":
            return _ranked(self.kind, self._kind_code)
        if sort == "launched_from":
            return _ranked(self.territory, self._territory_code)
        if sort == "weapons":
            return np.array([", ".join(w) for w in self.weapons_of], dtype=object)
        if sort == "claims":
            return self.n_claims
        likely, post = self._attributed()
        if sort == "most_likely":
            return _ranked(likely, self._likely_code)
        return np.nan_to_num(post, nan=-1.0)

    def incident_row(self, inc: Incident) -> dict[str, Any]:
        row = incident_json(inc, self.claims_of.get(inc.id, []), self.look)
        row["attribution"] = attribution_summary(self.attribution(inc.id))
        return row

    def table_row(self, inc: Incident) -> dict[str, Any]:
        """What a row of the incidents table shows: the incident without its sources (the
        API's rows have them; the table links to the incident for them)."""
        from ..views import place_json, when_json

        claims = self.claims_of.get(inc.id, [])
        return {"id": inc.id, "kind": inc.kind.value, "title": inc.title, "when": when_json(inc.when),
                "aggregate": inc.aggregate, "excluded": inc.excluded, "launch_territory": inc.launch_territory,
                "launch_area": place_json(inc.launch_area), "impact_area": place_json(inc.impact_area),
                "weapons": inc.weapons, "n_claims": len(claims),
                "parties": [self.look.name(p) for p in dict.fromkeys(c.party for c in claims)],
                "attribution": attribution_summary(self.attribution(inc.id))}

    def rendered_row(self, inc: Incident, render) -> str:
        """A table row's HTML: rendered once per snapshot (the records do not change within
        one), kept for the most recent 20,000 incidents shown."""
        html = self._rows_html.get(inc.id)
        if html is None:
            html = render(self.table_row(inc))
            if len(self._rows_html) >= 20_000:
                self._rows_html.pop(next(iter(self._rows_html)))
            self._rows_html[inc.id] = html
        return html

    def incident_page(self, q: IncidentQuery, row=None) -> Page:
        """One page of the matching incidents; `row` makes each item (default: the API's
        full incident row)."""
        found = self.select(q)
        start = (q.page - 1) * q.per_page
        row = row or self.incident_row
        items = [row(self.incidents[k]) for k in found[start:start + q.per_page]]
        return Page(total=len(found), page=q.page, per_page=q.per_page, items=items)

    def geojson(self, q: IncidentQuery, bbox: tuple[float, float, float, float] | None, limit: int,
                cluster_above: int = 300, grid: tuple[int, int] = (24, 16)) -> dict[str, Any]:
        """Features of the matching incidents with a launch or impact point in the box
        (west, south, east, north). When more than `cluster_above` match, the answer is
        one feature per occupied cell of a grid over the box (or over all points), with
        its count and extent, so that a dense viewport costs what a sparse one does;
        otherwise at most `limit` incidents, each as its points and path."""
        found = self.select(q)
        lat = np.where(np.isnan(self.launch_lat), self.impact_lat, self.launch_lat)  # an incident's anchor
        lon = np.where(np.isnan(self.launch_lon), self.impact_lon, self.launch_lon)
        with np.errstate(invalid="ignore"):
            if bbox is not None:
                west, south, east, north = bbox
                inside = np.zeros(len(self.incidents), dtype=bool)
                for la, lo in ((self.launch_lat, self.launch_lon), (self.impact_lat, self.impact_lon)):
                    in_lon = (lo >= west) & (lo <= east) if west <= east else (lo >= west) | (lo <= east)
                    inside |= (la >= south) & (la <= north) & in_lon
                found = found[inside[found]]
            else:
                found = found[~np.isnan(lat[found])]
        matched = int(len(found))
        if matched > max(cluster_above, 0) and matched > 0:
            return self._clusters(found, lat, lon, bbox, grid, matched)
        features = []
        for k in found[:limit]:
            features.extend(self._features(self.incidents[k]))
        return {"type": "FeatureCollection", "features": features, "matched": matched,
                "returned": int(min(matched, limit)), "truncated": bool(matched > limit), "clustered": False}

    def _clusters(self, found: np.ndarray, lat: np.ndarray, lon: np.ndarray, bbox, grid, matched: int) -> dict[str, Any]:
        la, lo = lat[found], lon[found]
        if bbox is None or bbox[0] > bbox[2]:
            bbox = (float(np.nanmin(lo)), float(np.nanmin(la)), float(np.nanmax(lo)) + 1e-9, float(np.nanmax(la)) + 1e-9)
        west, south, east, north = bbox
        nx, ny = grid
        cx = np.clip(((lo - west) / max(east - west, 1e-9) * nx).astype(int), 0, nx - 1)
        cy = np.clip(((la - south) / max(north - south, 1e-9) * ny).astype(int), 0, ny - 1)
        cell = cy * nx + cx
        cells, first, inverse, counts = np.unique(cell, return_index=True, return_inverse=True, return_counts=True)
        mean_lat = np.bincount(inverse, weights=la) / counts
        mean_lon = np.bincount(inverse, weights=lo) / counts
        features = []
        for n, c in enumerate(cells):
            x, y = int(c % nx), int(c // nx)
            extent = [west + x * (east - west) / nx, south + y * (north - south) / ny,
                      west + (x + 1) * (east - west) / nx, south + (y + 1) * (north - south) / ny]
            props = {"cluster": True, "count": int(counts[n]), "bbox": [round(v, 5) for v in extent]}
            if counts[n] == 1:  # a cell of one: which incident it is
                props["incident"] = self.incidents[int(found[first[n]])].id
            features.append({"type": "Feature", "id": f"cell:{x}:{y}",
                             "geometry": {"type": "Point", "coordinates": [round(float(mean_lon[n]), 5),
                                                                           round(float(mean_lat[n]), 5)]},
                             "properties": props})
        return {"type": "FeatureCollection", "features": features, "matched": matched, "returned": 0,
                "truncated": True, "clustered": True}

    def _features(self, inc: Incident) -> list[dict[str, Any]]:
        """An incident as the map draws it: its launch and impact points (with precision
        and radius) and the path between, with what a popup shows. Leaner than the
        GeoJSON export (report.exports.incident_features), which carries everything."""
        att = attribution_summary(self.attribution(inc.id)) or {}
        base = {"incident": inc.id, "title": inc.title, "kind": inc.kind.value, "when": inc.when.value,
                "weapons": inc.weapons, "most_likely": att.get("most_likely"), "top_posterior": att.get("top_posterior")}
        features, points = [], {}
        for role, place in (("launch", inc.launch_area), ("impact", inc.impact_area)):
            if place is not None and place.lat is not None and place.lon is not None:
                points[role] = [place.lon, place.lat]
                features.append({"type": "Feature", "id": f"{inc.id}:{role}",
                                 "geometry": {"type": "Point", "coordinates": points[role]},
                                 "properties": {**base, "role": role, "place": place.name,
                                                "precision": place.precision.value,
                                                "radius_km": place.effective_radius_km}})
        if len(points) == 2:
            features.append({"type": "Feature", "id": f"{inc.id}:path",
                             "geometry": {"type": "LineString", "coordinates": [points["launch"], points["impact"]]},
                             "properties": {"incident": inc.id, "role": "path"}})
        return features

    # records

    def record(self, rid: str) -> dict[str, Any] | None:
        rec = self.index.get(rid)
        if rec is None:
            return None
        collection = self.collection[rid]
        claims = self.claims_of.get(rid, []) if collection == "incidents" else None
        classification = self.stances[0].get(rid) if isinstance(rec, Statement) else None
        return record_json(collection, rec, self.look, claims, classification)

    def claims_citing(self, capture_id: str) -> list[Claim]:
        return [c for c in self.case.claims if capture_id in c.captures]

    def statements(self, speaker: str | None = None) -> list[dict[str, Any]]:
        from ..views import statement_json

        cls, _ = self.stances
        found = sorted(self.case.statements, key=lambda s: (s.made.bounds()[0] is None,
                                                            s.made.bounds()[0] or _MIN, s.id))
        if speaker:
            found = [s for s in found if s.speaker in self.speakers_matching(speaker)]
        return [statement_json(s, self.look, cls.get(s.id)) for s in found]

    def speakers_matching(self, text: str) -> set[str]:
        """As `statements --speaker`: an actor id exactly, or part of a name or alias in any
        script or spelling."""
        from ..text import folded_contains

        wanted = text.casefold().strip()
        found = {text}
        for actor in self.case.actors:
            if any(wanted in n.casefold() or folded_contains(n, text) for n in (actor.name, *actor.aliases)):
                found.add(actor.id)
        return found

    def contradictions(self) -> list[dict[str, Any]]:
        from ..views import contradiction_json

        cls, found = self.stances
        by_id = {s.id: s for s in self.case.statements}
        return [contradiction_json(c, by_id, cls, self.look) for c in found]


class Workbench:
    """A store and the snapshot of its case; thread-safe for the server's worker threads."""

    def __init__(self, db_url: str, read_only: bool = False):
        self.store = Store.open(db_url)
        self.read_only = read_only
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self.store.close()

    def _fingerprint(self) -> Any:
        from ..store import tables as t

        with self.store.engine.connect() as conn:
            size = conn.execute(sa.select(sa.func.max(t.ledger_entries.c.seq))).scalar() or 0
            meta = conn.execute(sa.select(sa.func.count()).select_from(t.case_meta)).scalar()
        return size, meta

    def snapshot(self) -> Snapshot | None:
        """The current snapshot; None while the database holds no case."""
        fp = self._fingerprint()
        snap = self._snapshot
        if snap is not None and snap.fingerprint == fp:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.fingerprint != fp:
                if self.store.case_meta() is None:
                    return None
                case = self.store.export_case()
                if self.read_only:
                    case = public_case(case)
                self._snapshot = Snapshot(case, fp, self.read_only)
                _settle()
            return self._snapshot

    def search(self, text: str, limit: int = 50) -> list[dict[str, Any]]:
        """Full-text search (the store's, in any script), only over what the snapshot holds."""
        snap = self.snapshot()
        if snap is None or not text.strip():
            return []
        hits = self.store.search(text, limit=limit * 4 if self.read_only else limit)
        return [{"collection": h.collection, "id": h.record_id, "field": h.field, "snippet": h.snippet,
                 "rank": h.rank} for h in hits if h.record_id in snap.index][:limit]


__all__ = ["IncidentQuery", "Page", "QueryError", "Snapshot", "Workbench", "SORTS"]
