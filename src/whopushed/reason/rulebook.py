"""The legal rulebook as data: parsed, checked, and evaluated on finding weights.

Findings enter as arguments pro and con with their evidence weights; each rule is an
argument of weight 1 for its conclusion. `evaluate` says which conclusions are
established, on what support, through which rules; `flips` says which single finding,
settled one way or the other, would change a conclusion. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping

from .carneades import CAES, STANDARDS, Argument, CycleError, Premise, Thresholds, meets


FEEDS = ("claims", "statements", "incidents", "attribution")


class RulebookError(ValueError):
    """A rulebook that cannot be used; the message names the rule or section."""


@dataclass(frozen=True)
class Rule:
    id: str
    conclusion: str
    premises: tuple[Premise, ...]
    exceptions: tuple[Premise, ...]
    source: str


@dataclass(frozen=True)
class Conclusion:
    id: str
    label: str
    kind: str  # law or policy
    standard: str
    note: str = ""
    consequences: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Rulebook:
    title: str
    thresholds: Thresholds
    findings: Mapping[str, Mapping[str, Any]]  # id -> {label, pro: [...], con: [...]}
    conclusions: Mapping[str, Conclusion]
    rules: tuple[Rule, ...]
    priorities: tuple[Mapping[str, Any], ...]
    sha256: str

    def findings_behind(self, conclusion: str, _seen: frozenset[str] = frozenset()) -> list[str]:
        """The findings a conclusion rests on, directly or through other conclusions."""
        out: list[str] = []
        for r in self.rules:
            if r.conclusion != conclusion:
                continue
            for p in (*r.premises, *r.exceptions):
                if p.ref in self.findings:
                    refs = [p.ref]
                elif p.ref not in _seen:
                    refs = self.findings_behind(p.ref, _seen | {conclusion})
                else:
                    refs = []
                out += [f for f in refs if f not in out]
        return out

    @property
    def defeaters(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for p in self.priorities:
            for loser in p["defeats"]:
                found.setdefault(loser, []).append(p["winner"])
        return {k: tuple(v) for k, v in found.items()}


def rulebook_sha256(data: Mapping[str, Any]) -> str:
    """The hash of the rulebook's content (canonical JSON), recorded with every determination."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _premise(raw: Any, where: str, findings, conclusions) -> Premise:
    if not isinstance(raw, Mapping):
        raise RulebookError(f"{where}: a premise is a mapping like {{finding: crew_organ, standard: preponderance}}")
    refs = [k for k in ("finding", "conclusion") if k in raw]
    if len(refs) != 1:
        raise RulebookError(f"{where}: a premise names exactly one finding or conclusion")
    ref = str(raw[refs[0]])
    known = findings if refs[0] == "finding" else conclusions
    if ref not in known:
        raise RulebookError(f"{where}: unknown premise {refs[0]} '{ref}'; known: {', '.join(sorted(known))}")
    standard = raw.get("standard")
    if standard is None:
        raise RulebookError(f"{where}: premise '{ref}' has no standard; use one of {', '.join(STANDARDS)}")
    if standard not in STANDARDS:
        raise RulebookError(f"{where}: premise '{ref}' has unknown standard '{standard}'")
    unknown = set(raw) - {"finding", "conclusion", "standard", "negated"}
    if unknown:
        raise RulebookError(f"{where}: unknown field '{sorted(unknown)[0]}'")
    return Premise(ref, standard, bool(raw.get("negated", False)))


def parse_rulebook(data: Any, name: str = "rulebook") -> Rulebook:
    if not isinstance(data, Mapping):
        raise RulebookError(f"{name}: expected a mapping with standards, findings, conclusions and rules")
    std = data.get("standards") or {}
    for key in ("alpha", "beta", "gamma"):
        value = std.get(key)
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise RulebookError(f"{name}: standards.{key} must be a number in [0, 1], not {value!r}")
    findings = data.get("findings") or {}
    for fid, spec in findings.items():
        if not isinstance(spec, Mapping) or "label" not in spec:
            raise RulebookError(f"{name}: finding '{fid}' needs a label (and pro/con feeds)")
        for side in ("pro", "con"):
            for j, feed in enumerate(spec.get(side) or []):
                where = f"{name}: finding '{fid}' {side}[{j}]"
                kinds = [k for k in FEEDS if k in (feed or {})]
                if len(kinds) != 1:
                    raise RulebookError(f"{where}: a feed names one of {', '.join(FEEDS)}")
                w = feed.get("weight", 1.0)
                if not isinstance(w, (int, float)) or not 0 <= w <= 1:
                    raise RulebookError(f"{where}: weight must be a number in [0, 1], not {w!r}")
    conclusions: dict[str, Conclusion] = {}
    for cid, spec in (data.get("conclusions") or {}).items():
        where = f"{name}: conclusion '{cid}'"
        if not isinstance(spec, Mapping) or spec.get("standard") not in STANDARDS:
            raise RulebookError(f"{where}: needs a standard, one of {', '.join(STANDARDS)}")
        if cid in findings:
            raise RulebookError(f"{where}: the same id is also a finding")
        conclusions[cid] = Conclusion(cid, str(spec.get("label", cid)), str(spec.get("kind", "law")),
                                      spec["standard"], str(spec.get("note", "")),
                                      tuple(spec.get("consequences") or ()))
    rules, seen = [], set()
    for i, raw in enumerate(data.get("rules") or []):
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"{name}: rules[{i}]" + (f" ({rid})" if rid else "")
        if not rid or rid in seen:
            raise RulebookError(f"{where}: each rule needs a unique id")
        seen.add(rid)
        if raw.get("conclusion") not in conclusions:
            raise RulebookError(f"{where}: concludes unknown '{raw.get('conclusion')}'; declare it under conclusions")
        if not raw.get("premises"):
            raise RulebookError(f"{where}: a rule needs at least one premise")
        if not raw.get("source"):
            raise RulebookError(f"{where}: a rule cites its legal source")
        rules.append(Rule(rid, raw["conclusion"],
                          tuple(_premise(p, where, findings, conclusions) for p in raw["premises"]),
                          tuple(_premise(p, where, findings, conclusions) for p in raw.get("unless") or ()),
                          str(raw["source"])))
    for p in data.get("priorities") or []:
        for ref in [p.get("winner"), *(p.get("defeats") or [])]:
            if ref not in conclusions:
                raise RulebookError(f"{name}: priority names unknown conclusion '{ref}'")
    book = Rulebook(str(data.get("title", name)), Thresholds(std["alpha"], std["beta"], std["gamma"]),
                    findings, conclusions, tuple(rules), tuple(data.get("priorities") or ()),
                    rulebook_sha256(data))
    _check_cycles(book, name)
    return book


def _check_cycles(book: Rulebook, name: str) -> None:
    depends: dict[str, set[str]] = {c: set() for c in book.conclusions}
    for r in book.rules:
        depends[r.conclusion] |= {p.ref for p in (*r.premises, *r.exceptions) if p.ref in book.conclusions}
    for p in book.priorities:
        for loser in p["defeats"]:
            depends[loser].add(p["winner"])
    state: dict[str, int] = {}

    def visit(c: str, path: list[str]) -> None:
        if state.get(c) == 1:
            cycle = path[path.index(c):] + [c]
            rule = next((r.id for r in book.rules if r.conclusion == cycle[0]), cycle[0])
            raise RulebookError(f"{name}: rule {rule} is part of a cycle: {' -> '.join(cycle)}")
        if state.get(c) == 2:
            return
        state[c] = 1
        for d in sorted(depends[c]):
            visit(d, path + [c])
        state[c] = 2

    for c in book.conclusions:
        visit(c, [])


@dataclass(frozen=True)
class PremiseResult:
    ref: str
    kind: str  # finding or conclusion
    standard: str
    negated: bool
    holds: bool
    pro: float
    con: float


@dataclass(frozen=True)
class RuleResult:
    id: str
    applicable: bool
    premises: tuple[PremiseResult, ...]
    exceptions: tuple[PremiseResult, ...]
    defeated_by: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ConclusionResult:
    id: str
    established: bool
    standard: str
    pro: float
    con: float
    rules: tuple[RuleResult, ...]


@dataclass(frozen=True)
class Evaluation:
    conclusions: Mapping[str, ConclusionResult]

    def status(self) -> dict[str, bool]:
        return {c: r.established for c, r in self.conclusions.items()}


def _caes(book: Rulebook, weights: Mapping[str, tuple[float, float]]) -> CAES:
    args = []
    for fid in book.findings:
        pro, con = weights.get(fid, (0.0, 0.0))
        args.append(Argument(f"{fid}:pro", fid, weight=pro))
        args.append(Argument(f"{fid}:con", "-" + fid, weight=con))
    args += [Argument(r.id, r.conclusion, r.premises, r.exceptions, 1.0) for r in book.rules]
    return CAES(args, standards={c.id: c.standard for c in book.conclusions.values()},
                thresholds=book.thresholds, defeaters=book.defeaters)


def evaluate(book: Rulebook, weights: Mapping[str, tuple[float, float]]) -> Evaluation:
    caes = _caes(book, weights)

    def premise(p: Premise) -> PremiseResult:
        pro, con = caes.support(p.ref)
        return PremiseResult(p.ref, "conclusion" if p.ref in book.conclusions else "finding",
                             p.standard or "", p.negated, caes.holds(p), pro, con)

    results = {}
    try:
        for c in book.conclusions.values():
            pro, con = caes.support(c.id)
            rules = tuple(
                RuleResult(r.id, caes.applicable(arg), tuple(map(premise, r.premises)),
                           tuple(map(premise, r.exceptions)), tuple(caes.defeated_by(arg)), r.source)
                for r in book.rules if r.conclusion == c.id
                for arg in [next(a for a in caes.arguments if a.id == r.id)])
            results[c.id] = ConclusionResult(c.id, meets(c.standard, pro, con, book.thresholds),
                                             c.standard, pro, con, rules)
    except CycleError as exc:
        raise RulebookError(str(exc)) from None
    return Evaluation(results)


def settled(book: Rulebook, pro: float, con: float) -> bool:
    """A finding is settled when it, or its negation, is beyond reasonable doubt."""
    t = book.thresholds
    return meets("beyond_reasonable_doubt", pro, con, t) or meets("beyond_reasonable_doubt", con, pro, t)


@dataclass(frozen=True)
class Flip:
    finding: str
    to: str  # established or not_established
    changes: tuple[tuple[str, bool, bool], ...]  # (conclusion, from, to)


def flips(book: Rulebook, weights: Mapping[str, tuple[float, float]]) -> list[Flip]:
    """For every finding not settled: set it established (pro 1, con 0) and not
    established (pro 0, con 1), re-evaluate, and list each conclusion that changes."""
    base = evaluate(book, weights).status()
    found = []
    for fid in book.findings:
        pro, con = weights.get(fid, (0.0, 0.0))
        if settled(book, pro, con):
            continue
        for to, value in (("established", (1.0, 0.0)), ("not_established", (0.0, 1.0))):
            after = evaluate(book, {**weights, fid: value}).status()
            changes = tuple((c, base[c], after[c]) for c in base if base[c] != after[c])
            if changes:
                found.append(Flip(fid, to, changes))
    return found
