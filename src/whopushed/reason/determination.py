"""The determination: findings from the evidence, the rulebook evaluated on them, and the
flips. Also the case as it stood on a date (`as_of`). Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping, Sequence

from ..model import Case
from .attribution import assess_case, case_context
from .findings import Finding, Inputs, compute_findings
from .rulebook import Evaluation, Flip, Rulebook, evaluate, flips
from .rules import RuleSet, WeaponLexicon


@dataclass(frozen=True)
class Determination:
    rulebook: Rulebook
    as_of: str | None
    findings: Mapping[str, Finding]
    evaluation: Evaluation
    flips: tuple[Flip, ...]
    left_out: Mapping[str, int]


def _published_by(case: Case, capture_ids: Sequence[str], limit: datetime) -> bool | None:
    """Whether any cited capture was published (or, undated, collected) by `limit`;
    None when no capture says when."""
    caps = {c.id: c for c in case.captures}
    known = False
    for cid in capture_ids:
        cap = caps.get(cid)
        when = cap and (cap.published or cap.collected_at)
        if when and when.latest is not None:
            known = True
            if when.latest <= limit:
                return True
    return False if known else None


def case_as_of(case: Case, day: str) -> tuple[Case, dict[str, int]]:
    """The case with only the claims and statements whose source was out by the end of
    `day` (and that were made by then, where the record says when)."""
    from ..model import When

    limit = When(value=day).latest or datetime.max.replace(tzinfo=timezone.utc)
    left = {"claims_later": 0, "claims_undated": 0, "statements_later": 0, "statements_undated": 0}

    def keep(rec, name: str) -> bool:
        made = getattr(rec, "made", None)
        if made is not None and made.earliest is not None and made.earliest > limit:
            left[f"{name}_later"] += 1
            return False
        out = _published_by(case, rec.captures, limit)
        if out is None:
            left[f"{name}_undated"] += 1
            return False
        if not out:
            left[f"{name}_later"] += 1
        return out

    return case.model_copy(update={"claims": [c for c in case.claims if keep(c, "claims")],
                                   "statements": [s for s in case.statements if keep(s, "statements")]}), left


def determine(case: Case, book: Rulebook, rules: RuleSet, weapons: WeaponLexicon,
              stances: Mapping[str, Sequence[str]], as_of: str | None = None) -> Determination:
    left: dict[str, int] = {}
    if as_of:
        case, left = case_as_of(case, as_of)
    ctx = case_context(case, rules, weapons)
    assessments = assess_case(case, rules, weapons)
    found = compute_findings(book.findings, Inputs(case, ctx, assessments, stances))
    weights = {f.id: (f.pro, f.con) for f in found.values()}
    return Determination(book, as_of, found, evaluate(book, weights), tuple(flips(book, weights)), left)
