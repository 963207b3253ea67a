"""Launch claims into incident records: what `whopushed cluster` writes. Pure, no I/O.

The claims grouped are the launch claims nobody has placed: those with no incident, or
only incidents this step made before (ids starting with AUTO_PREFIX). A claim a person
linked to an incident is left where it is. Running it again after new claims arrive
extends the incidents it made (an incident keeps its id while any of its reports stay in
it); one left with no reports is marked excluded, never deleted.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from ..model import Claim, Incident, When
from .cluster import Incident as Group
from .cluster import Report, cluster

AUTO_PREFIX = "INC-C-"


@dataclass
class Plan:
    incidents: list[Incident] = field(default_factory=list)  # new or changed
    claims: list[Claim] = field(default_factory=list)  # changed: their incident, what they repeat
    emptied: list[Incident] = field(default_factory=list)  # made before, now without reports
    groups: list[tuple[str, Group]] = field(default_factory=list)  # every incident id with its group
    unplaced: list[str] = field(default_factory=list)  # claims with no time to place them by

    def as_json(self) -> dict:
        return {"incidents": [{"id": iid, "reports": g.reports, "earliest": g.earliest.isoformat(),
                               "latest": g.latest.isoformat(), "launch_territory": g.territory,
                               "weapons": g.weapons, "dependent": g.dependent} for iid, g in self.groups],
                "written": {"incidents": len(self.incidents), "claims": len(self.claims),
                            "emptied": [i.id for i in self.emptied]},
                "unplaced": self.unplaced}


def is_candidate(claim: Claim) -> bool:
    return (claim.kind.value == "launch" and claim.polarity.value == "affirms" and claim.retracts is None
            and all(i.startswith(AUTO_PREFIX) for i in claim.incidents))


def report_of(claim: Claim) -> Report | None:
    when = claim.when or claim.made
    earliest, latest = (when.earliest, when.latest) if when else (None, None)
    if earliest is None or latest is None:
        return None
    area = None
    if claim.launch_area and claim.launch_area.lat is not None and claim.launch_area.lon is not None:
        a = claim.launch_area
        area = (a.lat, a.lon, a.effective_radius_km)
    return Report(id=claim.id, earliest=earliest, latest=latest, territory=claim.launch_territory,
                  weapons=frozenset(claim.weapons), text=claim.quote or claim.text,
                  published=claim.made.earliest if claim.made else None, area=area)


def _new_id(first_claim: str, taken: set[str]) -> str:
    base = AUTO_PREFIX + hashlib.sha256(first_claim.encode()).hexdigest()[:10].upper()
    iid, n = base, 1
    while iid in taken:
        n += 1
        iid = f"{base}-{n}"
    return iid


def _minute(dt) -> str:
    return dt.strftime("%Y-%m-%dT%H:%MZ")


def _incident(iid: str, group: Group, claims: dict[str, Claim], slack: timedelta, near: float,
              embedded: bool = False) -> Incident:
    members = [claims[r] for r in group.reports]
    parties = {c.party for c in members}
    where = group.territory or "an unstated territory"
    day = group.earliest.strftime("%Y-%m-%d")
    n = len(members)
    when = (When(value=_minute(group.earliest)) if _minute(group.earliest) == _minute(group.latest)
            else When(value=f"{_minute(group.earliest)}/{_minute(group.latest)}", approximate=True))
    areas = [c.launch_area for c in members if c.launch_area is not None]
    counts = sorted(c.count for c in members if c.count is not None)
    summary = (f"Grouped by whopushed cluster from {n} launch report{'s' * (n != 1)} by {len(parties)} "
               f"part{'ies' if len(parties) != 1 else 'y'} (time overlap within {slack}, same territory, area "
               f"and weapon kind where stated); {len(group.dependent)} repeat{'s' * (len(group.dependent) != 1)} "
               f"of another report counted once (near-identical text: 4-gram Jaccard >= {near}"
               + ("; or a translation: multilingual embeddings" if embedded else "") + ")."
               + (f" Counts stated: {counts[0]}–{counts[-1]}." if counts else ""))
    return Incident(id=iid, kind="launch", title=f"Launch report{'s' * (n != 1)} from {where}, {day} ({n})",
                    when=when, summary=summary, launch_territory=group.territory,
                    launch_area=min(areas, key=lambda a: a.effective_radius_km) if areas else None,
                    weapons=group.weapons)


def plan(claims: Iterable[Claim], existing: dict[str, Incident], slack: timedelta = timedelta(hours=2),
         near: float = 0.7, embed=None, embed_near: float = 0.95) -> Plan:
    """What to write so that every candidate claim sits in one incident. `existing`: the
    incidents this step made before (AUTO_PREFIX ids), by id."""
    out = Plan()
    by_id: dict[str, Claim] = {}
    reports = []
    for c in claims:
        if not is_candidate(c):
            continue
        r = report_of(c)
        if r is None:
            out.unplaced.append(c.id)
            continue
        by_id[c.id] = c
        reports.append(r)
    taken: set[str] = set()
    used: set[str] = set()
    for group in cluster(reports, slack=slack, near=near, embed=embed, embed_near=embed_near):
        before = Counter(i for r in group.reports for i in by_id[r].incidents if i in existing)
        reuse = [i for i, _ in sorted(before.items(), key=lambda x: (-x[1], x[0])) if i not in used]
        iid = reuse[0] if reuse else _new_id(group.reports[0], taken | set(existing) | used)
        used.add(iid)
        out.groups.append((iid, group))
        incident = _incident(iid, group, by_id, slack, near, embed is not None)
        if existing.get(iid) != incident:
            out.incidents.append(incident)
        for rid in group.reports:
            claim = by_id[rid]
            update = {"incidents": [iid], "repeats": group.dependent.get(rid)}
            if claim.incidents != update["incidents"] or claim.repeats != update["repeats"]:
                out.claims.append(claim.model_copy(update=update))
    for iid, inc in sorted(existing.items()):
        if iid not in used and inc.excluded is None:
            out.emptied.append(inc.model_copy(update={
                "excluded": "No launch report points here any more: whopushed cluster regrouped its reports "
                            "into other incidents (see the claims' revisions)."}))
    return out
