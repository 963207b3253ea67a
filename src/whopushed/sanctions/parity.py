"""Sanctions parity between the aggressor (RU) and the territorial state (BY): a pure function
over plain data (targets, the programme table, the case's measures), no I/O, so the CLI, the
web workspace and the dossier compute the same numbers. A policy comparison, not law.

How a target is tied to a state: through each of its programmes that the programme table
says answers RU's or BY's conduct (under that programme's jurisdiction); a target with no
programme at all (a source without programmes) is tied by its countries, under its source's
jurisdiction. Unknown programme codes tie nothing and are counted in `unknown_programmes`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..model import SanctionsMeasure, When
from ..model.when import TimePrecision
from .programmes import Programme

RU, BY = "RU", "BY"
STATES = (RU, BY)
TYPES = ("person", "company", "vessel", "aircraft", "other")
BY_COUNTRY = "(no programme: tied by country)"
LABEL = ("Policy: how the sanctions on the territorial state compare with those on the aggressor. "
         "Not part of the legal determination.")
_DAY = (TimePrecision.day, TimePrecision.hour, TimePrecision.minute)


@dataclass(frozen=True)
class TargetFacts:
    """One listed target, as parity needs it."""

    source: str
    source_id: str
    type: str  # person, company, vessel, aircraft, other
    programmes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sector: str | None = None
    listed: date | None = None  # the earliest listing date, where the source gives one
    programme_listed: Mapping[str, date] = field(default_factory=dict)  # per programme, where given


def _as_of(target: TargetFacts, as_of: date) -> tuple[tuple[str, ...] | None, bool]:
    """The programmes a target was listed under by `as_of` (None: listed only later), and
    whether some of it has no date, so that it is counted whatever the date."""
    def when(code: str | None) -> date | None:
        return target.programme_listed.get(code, target.listed) if code else target.listed

    if not target.programmes:
        listed = when(None)
        return (None if listed and listed > as_of else ()), listed is None
    kept = tuple(c for c in target.programmes if when(c) is None or when(c) <= as_of)
    return (kept or None), any(when(c) is None for c in kept)


def _block() -> dict[str, Any]:
    return {"targets": 0, "by_type": {t: 0 for t in TYPES}, "by_sector": Counter(), "programmes": Counter()}


def _count(block: dict[str, Any], target: TargetFacts, codes: Iterable[str]) -> None:
    block["targets"] += 1
    block["by_type"][target.type if target.type in TYPES else "other"] += 1
    if target.sector:
        block["by_sector"][target.sector] += 1
    block["programmes"].update(set(codes))


def _ranked(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _finish(block: dict[str, Any]) -> dict[str, Any]:
    return {"targets": block["targets"], "by_type": block["by_type"],
            "by_sector": _ranked(block["by_sector"]), "programmes": _ranked(block["programmes"])}


def _day(when: When | None) -> date | None:
    """The day, where the date is known to the day."""
    if when is None or not when.year_known or when.precision not in _DAY:
        return None
    return date.fromisoformat(when.value[:10])


def _by(when: When | None, as_of: date | None) -> bool:
    """Whether it had happened by `as_of` (an undated counterpart is taken as having happened)."""
    if as_of is None or when is None or when.earliest is None:
        return True
    return when.earliest.date() <= as_of


def _precision_why(label: str, when: When | None) -> str:
    if when is None:
        return f"the {label} has no date in the case"
    return f"the {label}'s date is known only to the {when.precision.value} ({when.value})"


def _measures(measures: Sequence[SanctionsMeasure], as_of: date | None) -> tuple[list, list, list]:
    lags, undated, gaps = [], [], []
    names = {RU: "Russian", BY: "Belarus"}
    for m in measures:
        if m.target_state not in STATES:
            continue
        other = BY if m.target_state == RU else RU
        base = {"measure": m.id, "title": m.title, "jurisdiction": m.jurisdiction}
        cp = m.counterpart if m.counterpart is not None and m.counterpart.state == other else None
        if not _by(m.when, as_of):
            if cp is not None and cp.when is not None and _by(cp.when, as_of):
                gaps.append({**base, "present_for": other, "absent_for": m.target_state, "from": "case",
                             "why": f"as of {as_of}: the {names[other]} measure ({cp.when.value}) had no "
                                    f"{names[m.target_state]} counterpart yet (it came on {m.when.value})"})
            continue
        if cp is None:
            gaps.append({**base, "present_for": m.target_state, "absent_for": other, "from": "case",
                         "why": f"the case records no {names[other]} counterpart"})
            continue
        if not _by(cp.when, as_of):
            gaps.append({**base, "present_for": m.target_state, "absent_for": other, "from": "case",
                         "why": f"as of {as_of}: the {names[other]} counterpart came later ({cp.when.value})"})
            continue
        ru_when, by_when = (m.when, cp.when) if m.target_state == RU else (cp.when, m.when)
        ru_day, by_day = _day(ru_when), _day(by_when)
        if ru_day is not None and by_day is not None:
            lags.append({**base, "russia_date": ru_day.isoformat(), "belarus_date": by_day.isoformat(),
                         "days": (by_day - ru_day).days})
            continue
        labels = {RU: "Russian", BY: "Belarus"}
        role = {m.target_state: "measure", other: "counterpart"}
        why = [_precision_why(f"{labels[state]} {role[state]}", when) for state, when, day in
               ((RU, ru_when, ru_day), (BY, by_when, by_day)) if day is None]
        undated.append({**base, "russia_date": ru_when.value if ru_when else None,
                        "belarus_date": by_when.value if by_when else None, "why": "; ".join(why)})
    lags.sort(key=lambda r: (r["belarus_date"], r["measure"]))
    return lags, undated, gaps


def _list_gaps(by_jurisdiction: dict[str, dict[str, dict]]) -> list[dict[str, Any]]:
    gaps = []
    for j, blocks in by_jurisdiction.items():
        def gap(measure: str, have: str, n: int, j: str = j) -> None:
            gaps.append({"measure": measure, "jurisdiction": j, "present_for": have,
                         "absent_for": BY if have == RU else RU, "from": "lists", "targets": n})

        ru, by = blocks[RU], blocks[BY]
        if bool(ru["targets"]) != bool(by["targets"]):
            have = RU if ru["targets"] else BY
            gap("designations of any target", have, blocks[have]["targets"])
            continue
        for kind in TYPES:
            a, b = ru["by_type"][kind], by["by_type"][kind]
            if bool(a) != bool(b):
                gap(f"designations of {kind} targets", RU if a else BY, a or b)
        sector_gaps = []
        for sector in set(ru["by_sector"]) | set(by["by_sector"]):
            a, b = ru["by_sector"].get(sector, 0), by["by_sector"].get(sector, 0)
            if bool(a) != bool(b):
                sector_gaps.append((-(a or b), sector, RU if a else BY, a or b))
        for _, sector, have, n in sorted(sector_gaps):
            gap(f"designations in the sector {sector!r}", have, n)
    return gaps


def parity(targets: Iterable[TargetFacts], programmes: Mapping[str, Programme],
           measures: Sequence[SanctionsMeasure] = (), sources: Mapping[str, Mapping[str, Any]] | None = None,
           as_of: date | None = None) -> dict[str, Any]:
    """The parity report (its JSON shape is in docs/sanctions.md).

    targets: listed targets of every imported source (streamed is fine: one pass);
    programmes: the programme table; measures: the case's sanctions measures;
    sources: source id -> {"jurisdiction", "format", "title"}; as_of: count only targets
    listed by then where the source gives listing dates, and measures taken by then."""
    sources = sources or {}
    by_jurisdiction: dict[str, dict[str, dict]] = defaultdict(lambda: {s: _block() for s in STATES})
    by_state = {s: _block() for s in STATES}
    both = {"targets": 0, "by_type": {t: 0 for t in TYPES}, "by_jurisdiction": Counter()}
    cross = {f"{a}_listed_{b}_country": {"targets": 0, "by_type": {t: 0 for t in TYPES}}
             for a, b in ((RU, BY), (BY, RU))}
    unknown: Counter = Counter()
    unknown_sources: dict[str, set[str]] = defaultdict(set)
    per_source: Counter = Counter()
    undated_targets: Counter = Counter()
    listed_later: Counter = Counter()
    for target in targets:
        codes = target.programmes
        if as_of is not None:
            kept, undated_part = _as_of(target, as_of)
            if kept is None:
                listed_later[target.source] += 1
                continue
            codes = kept
            undated_targets[target.source] += undated_part
        per_source[target.source] += 1
        ties: dict[str, dict[str | None, list[str]]] = {}
        for code in codes:
            programme = programmes.get(code)
            if programme is None:
                unknown[code] += 1
                unknown_sources[code].add(target.source)
            elif programme.state in STATES:
                ties.setdefault(programme.state, {}).setdefault(programme.jurisdiction, []).append(code)
        if not codes:
            jurisdiction = (sources.get(target.source) or {}).get("jurisdiction")
            for country in target.countries:
                if country in STATES:
                    ties.setdefault(country, {}).setdefault(jurisdiction, []).append(BY_COUNTRY)
        for state, per_j in ties.items():
            _count(by_state[state], target, (c for codes in per_j.values() for c in codes))
            for jurisdiction, codes in per_j.items():
                if jurisdiction is not None:  # a source of no single jurisdiction: by state only
                    _count(by_jurisdiction[jurisdiction][state], target, codes)
        for state in ties:  # e.g. a Belarusian company listed under a Russia programme
            other = BY if state == RU else RU
            if other not in ties and other in target.countries:
                cross[f"{state}_listed_{other}_country"]["targets"] += 1
                cross[f"{state}_listed_{other}_country"]["by_type"][target.type if target.type in TYPES else "other"] += 1
        if RU in ties and BY in ties:
            both["targets"] += 1
            both["by_type"][target.type if target.type in TYPES else "other"] += 1
            for jurisdiction in set(ties[RU]) & set(ties[BY]) - {None}:
                both["by_jurisdiction"][jurisdiction] += 1
    lags, undated, case_gaps = _measures(measures, as_of)
    ru_n, by_n = by_state[RU]["targets"], by_state[BY]["targets"]
    return {
        "label": LABEL,
        "by_jurisdiction": {j: {s: _finish(b[s]) for s in STATES} for j, b in sorted(by_jurisdiction.items())},
        "by_state": {s: _finish(by_state[s]) for s in STATES},
        "ratio_ru_to_by": round(ru_n / by_n, 2) if by_n else None,
        "both_states": {"targets": both["targets"], "by_type": both["by_type"],
                        "by_jurisdiction": dict(sorted(both["by_jurisdiction"].items())),
                        "cross_country": cross},
        "lags": lags,
        "undated": undated,
        "gaps": case_gaps + _list_gaps(by_jurisdiction),
        "unknown_programmes": [{"programme": code, "targets": n, "sources": sorted(unknown_sources[code])}
                               for code, n in sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))],
        "sources": [{"id": sid, **{k: info.get(k) for k in ("format", "jurisdiction", "title")},
                     "targets": per_source.get(sid, 0)} for sid, info in sorted(sources.items())],
        "as_of": None if as_of is None else {
            "date": as_of.isoformat(),
            "targets_left_out": dict(sorted(listed_later.items())),  # listed after the date
            "not_applied": [{"source": sid, "targets": n,
                             "why": "the source gives no listing date for these targets (or some of "
                                    "their programmes): they are counted whatever the date"}
                            for sid, n in sorted(undated_targets.items()) if n],
            "measures": "case measures taken after the date are left out; a measure whose counterpart "
                        "came after the date shows as a gap",
        },
    }
