"""What is contested: claims about the same incident that disagree on a fact.

The case keeps conflicting claims side by side instead of merging them into one "truth";
this finds where they disagree so that the disagreement can be shown and weighed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from ..model import Claim, ClaimKind, Incident

# The facts a launch or operator claim can assert, as (label, how to read it off a claim).
_FACTS = {
    "time": lambda c: c.when.value if c.when else None,
    "launch territory": lambda c: c.launch_territory,
    "launch area": lambda c: c.launch_area.name if c.launch_area else None,
    "count": lambda c: (f"{c.count}-{c.count_max}" if c.count_max and c.count_max != c.count
                        else (str(c.count) if c.count is not None else None)),
    "weapons": lambda c: ", ".join(sorted(c.weapons)) if c.weapons else None,
    "operator": lambda c: (f"{'not ' if c.polarity.value == 'denies' else ''}"
                           f"{c.operator or c.operator_state}") if c.kind is ClaimKind.operator else None,
}


def _disagree(fact: str, values: dict[str, list[Claim]]) -> bool:
    """Different wording is not always disagreement: a day and a minute within it agree,
    and so do overlapping counts. Times and counts conflict only when they cannot both hold."""
    if fact == "time":
        spans = [c[0].when.bounds()[:2] for c in values.values()]
        spans = [s for s in spans if s[0] is not None]
        return any(a[1] < b[0] or b[1] < a[0] for i, a in enumerate(spans) for b in spans[i + 1:])
    if fact == "count":
        spans = [(c[0].count, c[0].count_max or c[0].count) for c in values.values()]
        return any(a[1] < b[0] or b[1] < a[0] for i, a in enumerate(spans) for b in spans[i + 1:])
    return True


@dataclass(frozen=True)
class Version:
    value: str
    claims: tuple[str, ...]
    parties: tuple[str, ...]


@dataclass(frozen=True)
class Contest:
    incident: str
    fact: str
    versions: tuple[Version, ...] = field(default_factory=tuple)


def contested(incidents: Iterable[Incident], claims: Iterable[Claim]) -> list[Contest]:
    """Per incident and fact, the distinct values claimed, when there is more than one.

    A polarity clash (one party affirms a launch or an operator, another denies it) counts
    as a contest on that fact too.
    """
    by_incident: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        for inc in claim.incidents:
            by_incident[inc].append(claim)
    out: list[Contest] = []
    for inc in incidents:
        group = by_incident.get(inc.id, [])
        for fact, read in _FACTS.items():
            values: dict[str, list[Claim]] = defaultdict(list)
            for claim in group:
                value = read(claim)
                if value is None and fact == "launch territory" and claim.kind is ClaimKind.launch \
                        and claim.polarity.value == "denies":
                    value = "no launch"
                if value is not None:
                    values[value].append(claim)
            if len(values) > 1 and _disagree(fact, values):
                out.append(Contest(inc.id, fact, tuple(
                    Version(v, tuple(c.id for c in cs), tuple(dict.fromkeys(c.party for c in cs)))
                    for v, cs in values.items())))
    return out
