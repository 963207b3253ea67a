"""Official statements: each one's stances on the territorial state's involvement, by the
declarative rules of rules/stances.yaml or by the statement's own override, and the
contradictions between the statements of one speaker (docs/statements.md).

Pure functions over plain records: the rule file comes in parsed; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import combinations
from typing import Any, Iterable, Mapping, Sequence

from ..model import Actor, Case, Stance, Statement
from ..model.actors import organ_of

STANCES: tuple[str, ...] = tuple(s.value for s in Stance)
RELATIONS = ("organ", "other")
SPEAKERS = ("organ", "other", "any")
RULE_FIELDS = {"id", "description", "stance", "speaker", "match", "and", "unless"}
PAIR_FIELDS = {"id", "stances", "speaker", "why"}
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_NEVER = "(?!x)x"  # a pattern that matches nothing: a state the rule file has no names for
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'", "\u00b4": "'",
                              "\u0451": "\u0435", "\u0401": "\u0415"})  # and ё -> е


class StanceRuleError(ValueError):
    """A stance rule file that cannot be used; the message names the rule and the field."""


@dataclass(frozen=True)
class Classification:
    """A statement's stances; `source` says whether the rules gave them (`rule`), the
    statement's own `stances:` did (`override`), or nothing did (`none`)."""

    stances: tuple[str, ...]
    source: str  # rule | override | none
    rules: tuple[str, ...] = ()  # the ids of the rules that gave the stances
    relation: str = "other"  # the speaker's relation to the territorial state: organ | other


@dataclass(frozen=True)
class Contradiction:
    """Two statements of one speaker whose stances cannot both be true; `first` is the
    earlier, and `stances` gives first's stance, then second's."""

    speaker: str
    first: str
    second: str
    stances: tuple[str, str]
    why: str
    rule: str


@dataclass(frozen=True)
class StanceRule:
    id: str
    description: str
    stance: str
    speaker: str
    match: tuple[str, ...]
    also: tuple[str, ...]  # `and` in the file
    unless: tuple[str, ...]


@dataclass(frozen=True)
class Incompatibility:
    id: str
    stances: tuple[str, str]
    why: str
    speaker: str = "any"


@dataclass(frozen=True)
class _Compiled:
    rule: StanceRule
    match: tuple[re.Pattern, ...]
    also: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]

    def holds(self, text: str) -> bool:
        return (any(p.search(text) for p in self.match)
                and (not self.also or any(p.search(text) for p in self.also))
                and not any(p.search(text) for p in self.unless))


@dataclass
class StanceRules:
    """The parsed rule file: rules in order, state names, fragments, incompatible pairs."""

    rules: tuple[StanceRule, ...]
    names: Mapping[str, tuple[str, ...]]
    fragments: Mapping[str, str]
    incompatible: tuple[Incompatibility, ...]
    _compiled: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Any, name: str = "stances.yaml") -> "StanceRules":
        if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
            raise StanceRuleError(f"{name}: expected a mapping with a 'rules' list")
        names = {}
        for code, words in (data.get("names") or {}).items():
            if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                raise StanceRuleError(f"{name}: names.{code}: expected a list of patterns")
            names[str(code).upper()] = tuple(words)
        fragments = data.get("fragments") or {}
        if not isinstance(fragments, Mapping) or not all(isinstance(v, str) for v in fragments.values()):
            raise StanceRuleError(f"{name}: fragments: expected a mapping of NAME: pattern")
        fragments = {str(k): v for k, v in fragments.items()}
        for key, text in fragments.items():
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key) or key in ("STATE", "OTHER"):
                raise StanceRuleError(f"{name}: fragments.{key}: a fragment name is upper case and not STATE or OTHER")
            _patterns(text, f"{name}: fragments.{key}", "pattern", fragments, True)
        rules, seen = [], set()
        for i, raw in enumerate(data["rules"]):
            where = f"{name}: rules[{i}]" + (f" ({raw.get('id')})" if isinstance(raw, Mapping) and raw.get("id") else "")
            rules.append(_rule(raw, where, seen, fragments))
        pairs, seen = [], set()
        for i, raw in enumerate(data.get("incompatible") or []):
            where = f"{name}: incompatible[{i}]" + (f" ({raw.get('id')})" if isinstance(raw, Mapping) and raw.get("id") else "")
            pairs.append(_pair(raw, where, seen))
        made = cls(tuple(rules), names, fragments, tuple(pairs))
        for code in names:  # a bad name pattern is named now, not at the first statement
            made._check_names(code, name)
        return made

    def _check_names(self, code: str, name: str) -> None:
        for word in self.names[code]:
            try:
                re.compile(word)
            except re.error as exc:
                raise StanceRuleError(f"{name}: names.{code}: bad pattern {word!r}: {exc}") from None

    def compiled(self, state: str, other: str | None) -> tuple[_Compiled, ...]:
        key = (state, other)
        if key not in self._compiled:
            subs = {**self.fragments, "STATE": self._alternation(state), "OTHER": self._alternation(other)}
            self._compiled[key] = tuple(
                _Compiled(r, *(tuple(re.compile(_expand(p, subs), re.IGNORECASE) for p in pats)
                               for pats in (r.match, r.also, r.unless)))
                for r in self.rules)
        return self._compiled[key]

    def _alternation(self, code: str | None) -> str:
        words = self.names.get((code or "").upper())
        return "(?:" + "|".join(words) + ")" if words else _NEVER


def _expand(pattern: str, subs: Mapping[str, str]) -> str:
    # fragments may use {STATE} and {OTHER}; expand twice so those inside are replaced too
    for _ in range(2):
        pattern = _PLACEHOLDER.sub(lambda m: subs.get(m.group(1), m.group(0)), pattern)
    return pattern


def _patterns(raw: Any, where: str, key: str, fragments: Mapping[str, str], required: bool) -> tuple[str, ...]:
    if raw is None and not required:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(p, str) and p for p in items):
        raise StanceRuleError(f"{where}: {key} must be a pattern or a non-empty list of patterns")
    known = {**fragments, "STATE": "(?:x)", "OTHER": "(?:x)"}
    for p in items:
        unknown = [m for m in _PLACEHOLDER.findall(p) if m not in known]
        if unknown:
            raise StanceRuleError(f"{where}: {key}: unknown placeholder {{{unknown[0]}}}; "
                                  f"use STATE, OTHER or a fragment ({', '.join(sorted(fragments)) or 'none defined'})")
        try:
            re.compile(_expand(p, known), re.IGNORECASE)
        except re.error as exc:
            raise StanceRuleError(f"{where}: {key}: bad pattern {p!r}: {exc}") from None
    return tuple(items)


def _rule(raw: Any, where: str, seen: set[str], fragments: Mapping[str, str]) -> StanceRule:
    if not isinstance(raw, Mapping) or not raw.get("id"):
        raise StanceRuleError(f"{where}: each rule needs an id")
    if raw["id"] in seen:
        raise StanceRuleError(f"{where}: duplicate rule id")
    seen.add(raw["id"])
    unknown = set(raw) - RULE_FIELDS
    if unknown:
        raise StanceRuleError(f"{where}: unknown field {sorted(map(str, unknown))[0]!r}")
    if raw.get("stance") not in STANCES:
        raise StanceRuleError(f"{where}: stance must be one of {', '.join(STANCES)}, not {raw.get('stance')!r}")
    speaker = raw.get("speaker", "any")
    if speaker not in SPEAKERS:
        raise StanceRuleError(f"{where}: speaker must be organ, other or any, not {speaker!r}")
    return StanceRule(id=str(raw["id"]), description=str(raw.get("description", "")), stance=raw["stance"],
                      speaker=speaker, match=_patterns(raw.get("match"), where, "match", fragments, True),
                      also=_patterns(raw.get("and"), where, "and", fragments, False),
                      unless=_patterns(raw.get("unless"), where, "unless", fragments, False))


def _pair(raw: Any, where: str, seen: set[str]) -> Incompatibility:
    if not isinstance(raw, Mapping) or not raw.get("id"):
        raise StanceRuleError(f"{where}: each incompatible pair needs an id")
    if raw["id"] in seen:
        raise StanceRuleError(f"{where}: duplicate id")
    seen.add(raw["id"])
    unknown = set(raw) - PAIR_FIELDS
    if unknown:
        raise StanceRuleError(f"{where}: unknown field {sorted(map(str, unknown))[0]!r}")
    stances = raw.get("stances")
    if not isinstance(stances, list) or len(stances) != 2 or not all(s in STANCES for s in stances):
        raise StanceRuleError(f"{where}: stances must be two of {', '.join(STANCES)}")
    speaker = raw.get("speaker", "any")
    if speaker not in SPEAKERS:
        raise StanceRuleError(f"{where}: speaker must be organ, other or any, not {speaker!r}")
    if not isinstance(raw.get("why"), str) or not raw["why"].strip():
        raise StanceRuleError(f"{where}: why must say why the two cannot both be true")
    return Incompatibility(id=str(raw["id"]), stances=(stances[0], stances[1]), why=raw["why"].strip(),
                           speaker=speaker)


def _rules(rules: StanceRules | Mapping[str, Any]) -> StanceRules:
    return rules if isinstance(rules, StanceRules) else StanceRules.from_dict(rules)


def normalise(text: str) -> str:
    """The text the patterns see: typographic apostrophes as ', ё as е, spaces collapsed."""
    return " ".join(text.translate(_APOSTROPHES).split())


def relation(speaker: str, actors: Mapping[str, Actor], territorial_state: str) -> str:
    """`organ` when the speaker is, or is placed within (part_of), a state, agency, force or
    unit of the territorial state; else `other`. The first such actor up the chain decides:
    a Belarusian national speaking for themselves, or for another state, is `other`."""
    return "organ" if organ_of(actors, speaker) == territorial_state.upper() else "other"


def _ordered(stances: Iterable[str]) -> tuple[str, ...]:
    found = set(stances)
    return tuple(s for s in STANCES if s in found)


def classify(statements: Iterable[Statement], actors: Mapping[str, Actor], territorial_state: str,
             rules: StanceRules | Mapping[str, Any], other_state: str | None = None) -> dict[str, Classification]:
    """Each statement's stances: its override where it has one, else what the rules give on
    its quote and rendering_en for a speaker in its relation to the territorial state.
    `other_state` is the state {OTHER} names in the patterns (the case's aggressor); without
    it, {OTHER} matches nothing."""
    compiled = _rules(rules).compiled(territorial_state.upper(), other_state.upper() if other_state else None)
    found: dict[str, Classification] = {}
    for st in statements:
        rel = relation(st.speaker, actors, territorial_state)
        if st.stances:
            found[st.id] = Classification(_ordered(s.value for s in st.stances), "override", (), rel)
            continue
        texts = [normalise(t) for t in (st.quote, st.rendering_en) if t]
        fired = [c.rule for c in compiled
                 if c.rule.speaker in ("any", rel) and any(c.holds(t) for t in texts)]
        stances = _ordered(r.stance for r in fired)
        found[st.id] = Classification(stances, "rule" if stances else "none", tuple(r.id for r in fired), rel)
    return found


def classify_case(case: Case, rules_data: StanceRules | Mapping[str, Any] | None = None) -> dict[str, Classification]:
    """Every statement of a case classified. `rules_data` is the parsed rule file, which the
    caller reads (`rulefiles.load_yaml("stances.yaml")`): reason/ does no I/O."""
    if rules_data is None:
        raise StanceRuleError("classify_case needs the stance rules: pass "
                              "whopushed.rulefiles.load_yaml('stances.yaml') or your own file's data")
    actors = {a.id: a for a in case.actors}
    meta = case.case
    return classify(case.statements, actors, meta.territorial_state, rules_data, meta.aggressor_state)


def _when_key(st: Statement) -> tuple:
    earliest = st.made.earliest
    if earliest is not None and earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=timezone.utc)
    return (earliest is None, earliest or datetime.min.replace(tzinfo=timezone.utc), st.id)


def contradictions(statements: Sequence[Statement], classifications: Mapping[str, Classification],
                   rules: StanceRules | Mapping[str, Any]) -> list[Contradiction]:
    """Pairs of statements by one speaker whose stances the rule file declares incompatible,
    ordered by speaker, then by the dates of the first and the second. A pair is listed once,
    with the first incompatibility (in file order) it shows."""
    pairs = _rules(rules).incompatible
    by_speaker: dict[str, list[Statement]] = {}
    for st in statements:
        if st.id in classifications:
            by_speaker.setdefault(st.speaker, []).append(st)
    found = []
    for speaker in sorted(by_speaker):
        ordered = sorted(by_speaker[speaker], key=_when_key)
        rank = {st.id: i for i, st in enumerate(ordered)}
        mine = []
        for a, b in combinations(ordered, 2):
            ca, cb = classifications[a.id], classifications[b.id]
            for pair in pairs:
                if pair.speaker != "any" and not (ca.relation == cb.relation == pair.speaker):
                    continue
                x, y = pair.stances
                if x in ca.stances and y in cb.stances:
                    mine.append(Contradiction(speaker, a.id, b.id, (x, y), pair.why, pair.id))
                    break
                if y in ca.stances and x in cb.stances:
                    mine.append(Contradiction(speaker, a.id, b.id, (y, x), pair.why, pair.id))
                    break
        found += sorted(mine, key=lambda c: (rank[c.first], rank[c.second]))
    return found
