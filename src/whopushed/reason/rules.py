"""The attribution rules and the weapon lexicon, parsed from their data files and checked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

RATINGS = {"CC", "C", "N", "I", "II"}
LEVELS = {"high", "medium", "low"}
ROLES = ("same", "other", "open")
INVENTORY_ROLES = ("lacks", "has", "unknown", "open")
CONDITIONS = ("kind", "polarity", "relation", "operator_kind", "credibility")


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    when: Mapping[str, frozenset[str]]
    cells: Mapping[str, str]
    relevance: str

    def holds(self, facts: Mapping[str, str | None]) -> bool:
        return all(facts.get(key) in allowed for key, allowed in self.when.items())


def _cells(raw: Any, roles: tuple[str, ...], where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(roles):
        raise RuleError(f"{where}: cells must give exactly {', '.join(roles)}")
    cells = {k: str(v).upper() for k, v in raw.items()}
    bad = [v for v in cells.values() if v not in RATINGS]
    if bad:
        raise RuleError(f"{where}: unknown cell rating {bad[0]!r}; use one of CC, C, N, I, II")
    return cells


def _relevance(raw: Any, where: str) -> str:
    if raw not in LEVELS:
        raise RuleError(f"{where}: relevance must be high, medium or low, not {raw!r}")
    return raw


class RuleSet:
    """Rules in order; the first whose conditions hold gives a claim's row."""

    def __init__(self, rules: list[Rule], inventory: Rule | None):
        self.rules = rules
        self.inventory = inventory
        self._match = lru_cache(maxsize=4096)(self._first)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str = "rules") -> "RuleSet":
        if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
            raise RuleError(f"{name}: expected a mapping with a 'rules' list")
        rules, seen = [], set()
        for i, raw in enumerate(data["rules"]):
            where = f"{name}: rules[{i}]" + (f" ({raw.get('id')})" if isinstance(raw, dict) else "")
            if not isinstance(raw, dict) or not raw.get("id"):
                raise RuleError(f"{where}: each rule needs an id")
            if raw["id"] in seen:
                raise RuleError(f"{where}: duplicate rule id")
            seen.add(raw["id"])
            unknown = set(raw) - {"id", "description", "when", "cells", "relevance"}
            if unknown:
                raise RuleError(f"{where}: unknown field {sorted(unknown)[0]!r}")
            when = raw.get("when") or {}
            bad = set(when) - set(CONDITIONS)
            if bad:
                raise RuleError(f"{where}: unknown condition {sorted(bad)[0]!r}; use {', '.join(CONDITIONS)}")
            rules.append(Rule(
                id=str(raw["id"]), description=str(raw.get("description", "")),
                when={k: frozenset([v] if isinstance(v, str) else map(str, v)) for k, v in when.items()},
                cells=_cells(raw.get("cells"), ROLES, where),
                relevance=_relevance(raw.get("relevance"), where)))
        inventory = None
        if data.get("inventory"):
            raw = data["inventory"]
            where = f"{name}: inventory"
            inventory = Rule(id=str(raw.get("id", "weapon-in-service")), description=str(raw.get("description", "")),
                             when={}, cells=_cells(raw.get("cells"), INVENTORY_ROLES, where),
                             relevance=_relevance(raw.get("relevance"), where))
        return cls(rules, inventory)

    def _first(self, kind: str, polarity: str, relation: str, operator_kind: str | None,
               credibility: str) -> Rule | None:
        facts = {"kind": kind, "polarity": polarity, "relation": relation, "operator_kind": operator_kind,
                 "credibility": credibility}
        return next((r for r in self.rules if r.holds(facts)), None)

    def match(self, kind: str, polarity: str, relation: str, operator_kind: str | None,
              credibility: str) -> Rule | None:
        return self._match(kind, polarity, relation, operator_kind, credibility)


class WeaponLexicon:
    """Weapon names as written -> the one name used for each."""

    def __init__(self, canonical: Mapping[str, str]):
        self._canonical = dict(canonical)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "WeaponLexicon":
        table: dict[str, str] = {}
        for name, aliases in (data.get("weapons") or {}).items():
            for alias in [name, *(aliases or [])]:
                table[str(alias).casefold()] = name
        return cls(table)

    def canonical(self, name: str) -> str:
        return self._canonical.get(name.casefold().strip(), name.strip())
