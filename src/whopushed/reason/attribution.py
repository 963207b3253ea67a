"""Who operated the launcher: an incident's claims weighed against the case's hypotheses.

Claims become rows of an ACH matrix through the declarative rules of
rules/attribution.yaml; claims that share an origin count once; the matrix is scored by
`ach.score`. Pure functions over plain records: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from ..model import Actor, Capture, Claim, ClaimKind, Hypothesis, Incident, Source
from ..model.actors import organ_of, state_of
from .ach import AchResult, Matrix, Row, parse_credibility, score
from .rules import RuleSet, WeaponLexicon


@dataclass(frozen=True)
class Evidence:
    """One row of an incident's matrix and the claims behind it."""

    id: str
    rule: str
    description: str
    cells: tuple[str, ...]
    credibility: str
    cannot_be_judged: bool
    relevance: str
    grade: str  # the Admiralty code the credibility was read from, e.g. "B3"
    claims: tuple[str, ...]  # the representative first, then the claims that repeat it
    dependent: tuple[tuple[str, str], ...] = ()  # (claim id, why it counts with the first)


@dataclass(frozen=True)
class Assessment:
    incident: str
    hypotheses: tuple[Hypothesis, ...]
    evidence: tuple[Evidence, ...]
    result: AchResult
    not_weighed: tuple[tuple[str, str], ...] = ()  # (claim id, why)

    @property
    def matrix(self) -> Matrix:
        return to_matrix(self.hypotheses, self.evidence)

    @property
    def most_likely(self) -> str:
        return self.result.ranking[0]


@dataclass
class Context:
    """What the rules need to know beyond the claims themselves."""

    hypotheses: Sequence[Hypothesis]
    actors: Mapping[str, Actor]
    captures: Mapping[str, Capture]
    sources: Mapping[str, Source]
    rules: RuleSet
    weapons: WeaponLexicon
    target_state: str | None = None
    inventory: Mapping[tuple[str, str], tuple[datetime, tuple[str, ...], str]] = field(default_factory=dict)
    _readings: dict = field(default_factory=dict, repr=False)

    def speaks_for(self, actor_id: str | None) -> str | None:
        return organ_of(self.actors, actor_id)

    def reading(self, claim: Claim) -> tuple[Any, Any]:
        """(rule, cells) for a claim, or (None, why it is not weighed). Claims that agree on
        party, operator, kind, polarity and grade read alike, so each reading is kept."""
        key = (claim.party, claim.operator_state, claim.operator, claim.kind, claim.polarity, claim.credibility)
        found = self._readings.get(key)
        if found is None:
            found = self._readings[key] = self._read(claim)
        return found

    def _read(self, claim: Claim) -> tuple[Any, Any]:
        hyp_states = [h.state for h in self.hypotheses]
        subject = claim.operator_state or self.state_of(claim.operator)
        if subject is None:
            return None, ("reports the event, not who operated the launcher"
                          if claim.kind is ClaimKind.launch else "names no operator or state")
        party_state = self.speaks_for(claim.party)
        if party_state == subject:
            relation = "subject"
        elif party_state and party_state in hyp_states:
            relation = "rival"
        elif party_state and party_state == self.target_state:
            relation = "target"
        else:
            relation = "third"
        operator_kind = self.actors[claim.operator].kind.value if claim.operator in self.actors else None
        rule = self.rules.match(claim.kind.value, claim.polarity.value, relation, operator_kind,
                                claim.credibility.value)
        if rule is None:
            return None, f"no rule for a {claim.polarity.value} {claim.kind.value} claim"
        # "someone else" is the subject's own hypothesis when no other names its state
        open_role = "open" if subject in hyp_states else "same"
        return rule, tuple(rule.cells[open_role if s is None else "same" if s == subject else "other"]
                           for s in hyp_states)

    def state_of(self, actor_id: str | None) -> str | None:
        return state_of(self.actors, actor_id)


_credibility_of_grade = lru_cache(maxsize=64)(parse_credibility)


def build_inventory(claims: Iterable[Claim], weapons: WeaponLexicon, grade_of) -> dict:
    """(state, weapon) -> (in service from, claim ids, best grade) from capability claims."""
    found: dict[tuple[str, str], tuple[datetime, tuple[str, ...], str]] = {}
    for claim in claims:
        if claim.kind is not ClaimKind.capability or claim.polarity.value != "affirms":
            continue
        when = claim.when or claim.made
        state = claim.operator_state
        if not (when and when.earliest and state):
            continue
        for name in claim.weapons:
            key = (state, weapons.canonical(name))
            prev = found.get(key)
            if prev is None or when.earliest < prev[0]:
                found[key] = (when.earliest, (claim.id,), grade_of(claim))
            elif when.earliest == prev[0]:
                found[key] = (prev[0], prev[1] + (claim.id,), prev[2])
    return found


def grade_of(claim: Claim, ctx_captures: Mapping[str, Capture], ctx_sources: Mapping[str, Source]) -> str:
    """The Admiralty code of a claim: the best judged source among its captures and the
    claim's own credibility; F when no source can be judged."""
    order = "ABCDE"
    letters = []
    for cid in claim.captures:
        cap = ctx_captures.get(cid)
        src = ctx_sources.get(cap.source) if cap else None
        if src is not None and src.reliability.value in order:
            letters.append(src.reliability.value)
    letter = min(letters, key=order.index) if letters else "F"
    return letter + claim.credibility.value


def _roots(claim: Claim, captures: Mapping[str, Capture]) -> set[str]:
    """The original captures behind a claim, following reposts."""
    roots = set()
    for cid in claim.captures:
        seen = set()
        while cid in captures and captures[cid].repost_of and cid not in seen:
            seen.add(cid)
            cid = captures[cid].repost_of
        roots.add(cid)
    return roots


def _why_dependent(a: Claim, b: Claim, captures: Mapping[str, Capture]) -> str | None:
    if b.repeats == a.id or a.repeats == b.id:
        return f"repeats {a.id if b.repeats == a.id else b.id} (a forward, repost or near-identical text)"
    if a.party == b.party:
        return f"the same party ({a.party}) saying the same thing as {a.id}"
    shared = set(a.captures) & set(b.captures)
    if shared:
        return f"cites the same capture as {a.id} ({', '.join(sorted(shared))})"
    common = _roots(a, captures) & _roots(b, captures)
    if common:
        return f"a repost of what {a.id} cites (origin {', '.join(sorted(common))})"
    return None


def first_said(claim: Claim, claims: Mapping[str, Claim]) -> tuple[Claim, str]:
    """Follow `repeats` from a claim to the claim said first: the last one found in
    `claims` and the id the chain ends at (which may lie outside `claims`)."""
    seen = {claim.id}
    while claim.repeats and claim.repeats not in seen:
        seen.add(claim.repeats)
        if claim.repeats not in claims:
            return claim, claim.repeats
        claim = claims[claim.repeats]
    return claim, claim.id


def _first_key(claim: Claim, captures: Mapping[str, Capture], position: int):
    reposted = bool(claim.repeats) or any(captures.get(c) and captures[c].repost_of for c in claim.captures)
    made = claim.made.earliest if claim.made and claim.made.earliest else None
    return (reposted, made is None, made.timestamp() if made else 0.0, position)


def _origins(matched, captures: Mapping[str, Capture]):
    """Groups of claims with one origin (order-independent), each sorted original first,
    and for every other member why it counts with the group."""
    by_assertion: dict[tuple, list[int]] = {}
    for i, (_, rule, cells, _) in enumerate(matched):
        by_assertion.setdefault((rule.id, cells), []).append(i)
    if all(len(v) == 1 for v in by_assertion.values()):
        return [[m] for m in matched], {}  # nothing is said twice: every claim is its own origin
    parent = list(range(len(matched)))
    link: dict[int, tuple[int, str]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_id = {m[0].id: m[0] for m in matched}
    seen: dict[tuple, int] = {}
    for i, (claim, rule, cells, _) in enumerate(matched):
        assertion = (rule.id, cells)
        keys = [("party", claim.party), ("said", first_said(claim, by_id)[1])] + \
               [("capture", c) for c in claim.captures] + [("origin", r) for r in _roots(claim, captures)]
        for key in keys:
            j = seen.setdefault(assertion + key, i)
            if j != i and find(j) != find(i):
                why = _why_dependent(matched[j][0], claim, captures) or "shares an origin"
                link.setdefault(i, (j, why))
                parent[find(i)] = find(j)
    by_root: dict[int, list[int]] = {}
    for i in range(len(matched)):
        by_root.setdefault(find(i), []).append(i)
    groups, reasons = [], {}
    for members in by_root.values():
        members.sort(key=lambda i: _first_key(matched[i][0], captures, matched[i][3]))
        head = matched[members[0]][0]
        for i in members[1:]:
            claim = matched[i][0]
            reasons[claim.id] = _why_dependent(head, claim, captures) or link.get(i, (0, ""))[1] or \
                f"shares an origin with {head.id} through other claims"
        groups.append([matched[i] for i in members])
    return groups, reasons


def derive_evidence(incident: Incident, claims: Sequence[Claim], ctx: Context) -> tuple[list[Evidence], list[tuple[str, str]]]:
    """The rows of an incident's matrix, one per independent origin, and the claims not weighed."""
    matched: list[tuple[Claim, Any, tuple[str, ...], int]] = []
    not_weighed: list[tuple[str, str]] = []
    for position, claim in enumerate(claims):
        rule, found = ctx.reading(claim)
        if rule is None:
            not_weighed.append((claim.id, found))
        else:
            matched.append((claim, rule, found, position))

    # Claims asserting the same thing from one origin count once: union the claims of one
    # assertion that share a party, a capture or, through reposts, an original capture.
    groups, reasons = _origins(matched, ctx.captures)

    rows: list[Evidence] = []
    for group in sorted(groups, key=lambda g: g[0][3]):
        head, rule, cells, _ = group[0]
        grade = grade_of(head, ctx.captures, ctx.sources)
        level, unjudged = _credibility_of_grade(grade)
        rows.append(Evidence(
            id=head.id, rule=rule.id, description=head.text, cells=cells, credibility=level,
            cannot_be_judged=unjudged, relevance=rule.relevance, grade=grade,
            claims=tuple(m[0].id for m in group),
            dependent=tuple((m[0].id, reasons[m[0].id]) for m in group[1:])))
    inventory_row = _inventory_evidence(incident, claims, ctx)
    if inventory_row:
        rows.append(inventory_row)
    return rows, not_weighed


def _inventory_evidence(incident: Incident, claims: Sequence[Claim], ctx: Context) -> Evidence | None:
    rule = ctx.rules.inventory
    if rule is None or not incident.weapons or incident.when.latest is None or not ctx.inventory:
        return None
    weapons = {ctx.weapons.canonical(w) for w in incident.weapons}
    cells, behind, grades = [], [], []
    for hyp in ctx.hypotheses:
        if hyp.state is None:
            cells.append(rule.cells["open"])
            continue
        status = "unknown"
        for w in weapons:
            entry = ctx.inventory.get((hyp.state, w))
            if entry is None:
                continue
            since, claim_ids, grade = entry
            behind.extend(claim_ids)
            grades.append(grade)
            if incident.when.latest < since:
                status = "lacks" if status != "has" else status
            else:
                status = "has"
        cells.append(rule.cells[status])
    if len(set(cells)) <= 1:
        return None  # all alike: no diagnostic value, and nothing to show
    naming = [c.id for c in claims if {ctx.weapons.canonical(w) for w in c.weapons} & weapons]
    rank = {"high": 0, "medium": 1, "low": 2}
    grade = min(grades, key=lambda g: rank[parse_credibility(g)[0]]) if grades else "F6"
    level, unjudged = parse_credibility(grade)
    return Evidence(id=f"{incident.id}:{rule.id}", rule=rule.id, description=rule.description,
                    cells=tuple(cells), credibility=level, cannot_be_judged=unjudged,
                    relevance=rule.relevance, grade=grade,
                    claims=tuple(dict.fromkeys(behind + naming)))


def to_matrix(hypotheses: Sequence[Hypothesis], evidence: Sequence[Evidence]) -> Matrix:
    return Matrix(hypotheses=tuple(h.id for h in hypotheses),
                  rows=tuple(Row(id=e.id, cells=e.cells, credibility=e.credibility, relevance=e.relevance,
                                 description=e.description, cannot_be_judged=e.cannot_be_judged)
                             for e in evidence))


def assess(incident: Incident, claims: Sequence[Claim], ctx: Context,
           prior: Mapping[str, float] | None = None) -> Assessment:
    evidence, not_weighed = derive_evidence(incident, claims, ctx)
    result = score(to_matrix(ctx.hypotheses, evidence), prior)
    return Assessment(incident=incident.id, hypotheses=tuple(ctx.hypotheses), evidence=tuple(evidence),
                      result=result, not_weighed=tuple(not_weighed))


def case_context(case, rules: RuleSet, weapons: WeaponLexicon) -> Context:
    """The context for weighing a whole case's incidents."""
    captures = {c.id: c for c in case.captures}
    sources = {s.id: s for s in case.sources}
    return Context(
        hypotheses=case.case.operator_hypotheses(), actors={a.id: a for a in case.actors},
        captures=captures, sources=sources, rules=rules, weapons=weapons,
        target_state=case.case.target_state,
        inventory=build_inventory(case.claims, weapons, lambda c: grade_of(c, captures, sources)))


def claims_by_incident(claims: Iterable[Claim]) -> dict[str, list[Claim]]:
    found: dict[str, list[Claim]] = {}
    for claim in claims:
        for inc in claim.incidents:
            found.setdefault(inc, []).append(claim)
    return found


def assess_case(case, rules: RuleSet, weapons: WeaponLexicon, prior: Mapping[str, float] | None = None,
                only: Iterable[str] | None = None) -> list[Assessment]:
    """Every incident of the case that is not excluded (or those named in `only`)."""
    ctx = case_context(case, rules, weapons)
    by_incident = claims_by_incident(case.claims)
    wanted = set(only) if only is not None else None
    return [assess(inc, by_incident.get(inc.id, []), ctx, prior) for inc in case.incidents
            if (wanted is None and not inc.excluded) or (wanted is not None and inc.id in wanted)]
