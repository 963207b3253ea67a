"""Launch claims into incidents, and reposts into dependent reports. Pure, no I/O.

An incident is one event, so every report in it must allow one common moment: each report's
time window, widened by half of `slack` on each side, must overlap all the others' (their
intersection is never empty; a chain of overlapping windows does not make one event of a
night of posts). Its reports' launch territories agree (or one does not say), their launch
areas can be the same place (the circles of their stated precision touch, or one does not
say), and their weapons agree (a shared weapon or kind, or one does not say). Reports are
taken earliest first (then by id), each into the open incident whose window is nearest, so
the result does not depend on the order they are given in.

A report is **dependent** on an earlier one when it is a forward of it, or its text is the
same or nearly the same once folded (character 4-grams, Jaccard >= `near`): the attribution
engine then counts the origin once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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
    area: tuple[float, float, float] | None = None  # the launch area: lat, lon, radius in km


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


def _km(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _weapons_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    return not a or not b or bool(a & b or _kinds(a) & _kinds(b))


@dataclass
class _Open:
    """An incident being built: the moment all its reports allow, and what they agree on."""

    lo: datetime
    hi: datetime
    territory: str | None
    weapons: frozenset[str]
    areas: list[tuple[float, float, float]]
    members: list[Report]

    def admits(self, r: Report, lo: datetime, hi: datetime) -> bool:
        if lo > self.hi or hi < self.lo:
            return False
        if r.territory and self.territory and r.territory != self.territory:
            return False
        if r.area and any(_km(r.area, a) > r.area[2] + a[2] for a in self.areas):
            return False  # Mazyr and Brest are both Belarus, but not one launch area
        return _weapons_agree(r.weapons, self.weapons)

    def add(self, r: Report, lo: datetime, hi: datetime) -> None:
        self.lo, self.hi = max(self.lo, lo), min(self.hi, hi)
        self.territory = self.territory or r.territory
        self.weapons = self.weapons | r.weapons
        if r.area and r.area not in self.areas:
            self.areas.append(r.area)
        self.members.append(r)


def _shingles(text: str, k: int = 4) -> frozenset[str]:
    """Character k-grams of the folded text: robust to one changed word in a short post."""
    folded = fold(text)
    if len(folded) <= k:
        return frozenset([folded]) if folded else frozenset()
    return frozenset(folded[i:i + k] for i in range(len(folded) - k + 1))


Embed = Callable[[list[str]], Any]  # texts -> L2-normalised vectors, one row each (incidents/embed.py)


def dependents(reports: list[Report], near: float = 0.7, embed: Embed | None = None,
               embed_near: float = 0.95) -> dict[str, str]:
    """report id -> the id of the earliest report it repeats (forward, same or near text;
    with `embed`, also a text whose embedding lies within `embed_near` cosine: a translation)."""
    order = sorted(reports, key=lambda r: (r.published or r.earliest, r.id))
    vectors = embed([r.text for r in order]) if embed is not None and len(order) > 1 else None
    out: dict[str, str] = {}
    seen: list[tuple[int, Report, frozenset[str]]] = []
    by_key: dict[str, str] = {}
    for k, r in enumerate(order):
        if r.forward_of:
            out[r.id] = r.forward_of
            continue
        sh = _shingles(r.text)
        key = " ".join(sorted(sh))
        if key and key in by_key:
            out[r.id] = by_key[key]
            continue
        for j, earlier, esh in seen:
            if sh and esh and len(sh & esh) / len(sh | esh) >= near:
                out[r.id] = earlier.id
                break
        else:
            match = None
            if vectors is not None and seen and r.text.strip():
                cos = [(float(vectors[k] @ vectors[j]), earlier.id) for j, earlier, _ in seen if earlier.text.strip()]
                match = next((eid for c, eid in cos if c >= embed_near), None)
            if match is not None:
                out[r.id] = match
                continue
            if key:
                by_key[key] = r.id
            seen.append((k, r, sh))
    return out


def cluster(reports: list[Report], slack: timedelta = timedelta(hours=2), near: float = 0.7,
            embed: Embed | None = None, embed_near: float = 0.95) -> list[Incident]:
    """Launch reports grouped into incidents, earliest first, each with its dependent reports."""
    half = slack / 2
    rs = sorted(reports, key=lambda r: (r.earliest, r.latest, r.id))
    groups: list[_Open] = []
    live: list[_Open] = []  # groups a later report can still join
    for r in rs:
        lo, hi = r.earliest - half, r.latest + half
        live = [g for g in live if g.hi >= lo]  # later reports start later still: these are done
        mid = lo + (hi - lo) / 2
        fits = [g for g in live if g.admits(r, lo, hi)]
        if fits:
            min(fits, key=lambda g: abs((g.lo + (g.hi - g.lo) / 2) - mid)).add(r, lo, hi)
        else:
            g = _Open(lo, hi, r.territory, r.weapons, [r.area] if r.area else [], [r])
            groups.append(g)
            live.append(g)
    out = []
    for g in groups:
        members = g.members
        terrs = [m.territory for m in members if m.territory]
        out.append(Incident(reports=[m.id for m in members], earliest=min(m.earliest for m in members),
                            latest=max(m.latest for m in members),
                            territory=max(set(terrs), key=terrs.count) if terrs else None,
                            weapons=sorted({w for m in members for w in m.weapons}),
                            dependent=dependents(members, near, embed, embed_near)))  # repeats are of a report on the same event
    out.sort(key=lambda i: (i.earliest, i.reports[0]))
    return out
