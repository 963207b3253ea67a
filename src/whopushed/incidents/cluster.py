"""Launch claims into incidents, and reposts into dependent reports. Pure, no I/O.

Two launch reports are one incident when their times overlap (within `slack`), their launch
territories agree (or one does not say), and their weapons agree (a shared weapon or kind,
or one does not say). Grouping is a union-find over those pairs: the result does not depend
on the order of the reports.

A report is **dependent** on an earlier one when it is a forward of it, or its text is the
same or nearly the same once folded (character 4-grams, Jaccard >= `near`): the attribution
engine then counts the origin once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..text import fold

# weapon kinds, so that "Shahed-136" and "UAV" agree, and "Kalibr" and "missile"
KIND = {"Shahed-136": "UAV", "Shahed-131": "UAV", "Gerbera": "UAV", "Lancet": "UAV", "UAV": "UAV",
        "Iskander-M": "missile", "Iskander-K": "missile", "Tochka-U": "missile", "Kh-101": "missile",
        "Kh-555": "missile", "Kh-59": "missile", "Kh-69": "missile", "Kh-22": "missile", "Kh-32": "missile",
        "Kh-31P": "missile", "Kh-35": "missile", "Kh-47M2 Kinzhal": "missile", "Kalibr": "missile",
        "Oniks": "missile", "Zircon": "missile", "S-300": "missile", "S-400": "missile", "Polonez": "missile",
        "Oreshnik": "missile", "missile": "missile", "KAB": "bomb", "bomb": "bomb", "artillery": "artillery"}


@dataclass(frozen=True)
class Report:
    """One launch report: a claim, or a detected message."""

    id: str
    earliest: datetime
    latest: datetime
    territory: str | None = None
    weapons: frozenset[str] = frozenset()
    text: str = ""
    published: datetime | None = None
    forward_of: str | None = None  # the id of the report it forwards, when known
    forwarded_from: str | None = None  # the name of the channel it forwards, when only that is known


@dataclass
class Incident:
    reports: list[str]
    earliest: datetime
    latest: datetime
    territory: str | None
    weapons: list[str]
    dependent: dict[str, str] = field(default_factory=dict)  # report -> the report it repeats


def _kinds(weapons: frozenset[str]) -> set[str]:
    return {KIND.get(w, w) for w in weapons}


def compatible(a: Report, b: Report, slack: timedelta) -> bool:
    if a.earliest - slack > b.latest or b.earliest - slack > a.latest:
        return False
    if a.territory and b.territory and a.territory != b.territory:
        return False
    if a.weapons and b.weapons and not (a.weapons & b.weapons or _kinds(a.weapons) & _kinds(b.weapons)):
        return False
    return True


def _shingles(text: str, k: int = 4) -> frozenset[str]:
    """Character k-grams of the folded text: robust to one changed word in a short post."""
    folded = fold(text)
    if len(folded) <= k:
        return frozenset([folded]) if folded else frozenset()
    return frozenset(folded[i:i + k] for i in range(len(folded) - k + 1))


def dependents(reports: list[Report], near: float = 0.7) -> dict[str, str]:
    """report id -> the id of the earliest report it repeats (forward, same or near text)."""
    order = sorted(reports, key=lambda r: (r.published or r.earliest, r.id))
    out: dict[str, str] = {}
    seen: list[tuple[Report, frozenset[str]]] = []
    by_key: dict[str, str] = {}
    for r in order:
        if r.forward_of:
            out[r.id] = r.forward_of
            continue
        sh = _shingles(r.text)
        key = " ".join(sorted(sh))
        if key and key in by_key:
            out[r.id] = by_key[key]
            continue
        for earlier, esh in seen:
            if sh and esh and len(sh & esh) / len(sh | esh) >= near:
                out[r.id] = earlier.id
                break
        else:
            if key:
                by_key[key] = r.id
            seen.append((r, sh))
    return out


def cluster(reports: list[Report], slack: timedelta = timedelta(hours=2), near: float = 0.7) -> list[Incident]:
    """Launch reports grouped into incidents (union-find: independent of the input order),
    earliest first, each with its dependent reports."""
    parent = {r.id: r.id for r in reports}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rs = sorted(reports, key=lambda r: (r.earliest, r.id))
    # a sweep over time: only reports whose windows come within `slack` are compared
    active: list[Report] = []
    for r in rs:
        active = [a for a in active if a.latest + slack >= r.earliest]
        for a in active:
            if compatible(a, r, slack):
                ra, rb = find(a.id), find(r.id)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        active.append(r)
    groups: dict[str, list[Report]] = {}
    for r in rs:
        groups.setdefault(find(r.id), []).append(r)
    deps = dependents(reports, near)
    out = []
    for members in groups.values():
        terrs = [m.territory for m in members if m.territory]
        weapons = sorted({w for m in members for w in m.weapons})
        ids = [m.id for m in members]
        out.append(Incident(reports=ids, earliest=min(m.earliest for m in members),
                            latest=max(m.latest for m in members),
                            territory=max(set(terrs), key=terrs.count) if terrs else None, weapons=weapons,
                            dependent={k: v for k, v in deps.items() if k in ids}))
    out.sort(key=lambda i: (i.earliest, i.reports[0]))
    return out
