"""The analyses run on a case with the shipped rule files or the user's own: what the CLI,
the demo and (later) the web call, so that each reads rule files in one way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model import Case
from .rulefiles import load_yaml


def attribution_rules(path: Path | None = None):
    """(RuleSet, WeaponLexicon): the shipped attribution rules, or the file at `path`."""
    from .reason.rules import RuleSet, WeaponLexicon

    rules = RuleSet.from_dict(load_yaml("attribution.yaml", path), name=str(path or "attribution.yaml"))
    return rules, WeaponLexicon.from_dict(load_yaml("weapons.yaml"))


def rulebook(path: Path | None = None):
    from .reason.rulebook import parse_rulebook

    return parse_rulebook(load_yaml("rulebook.yaml", path), name=str(path or "rulebook.yaml"))


def classifications(case: Case, path: Path | None = None) -> dict[str, Any]:
    """Each statement's Classification: by the stance rules, or the case file's override."""
    from .reason.stances import classify_case

    return classify_case(case, load_yaml("stances.yaml", path))


def stances_for(case: Case, path: Path | None = None) -> dict[str, tuple[str, ...]]:
    return {sid: tuple(c.stances) for sid, c in classifications(case, path).items()}


def lookup_for(case: Case):
    from .views import Lookup

    index = case.by_id()
    return Lookup(lambda rid: ("", index[rid]) if rid in index else None)


def attribute_case(case: Case, rules_path: Path | None = None, prior=None, only=None) -> list[dict[str, Any]]:
    """Every incident weighed, in the JSON shape of `whopushed attribute`."""
    from .reason.attribution import assess_case
    from .views import assessment_json

    rules, weapons = attribution_rules(rules_path)
    index = case.by_id()
    look = lookup_for(case)
    return [assessment_json(a, index[a.incident], look)
            for a in assess_case(case, rules, weapons, prior, only=only)]


def determine_case(case: Case, rulebook_path: Path | None = None, as_of: str | None = None,
                   rules_path: Path | None = None) -> dict[str, Any]:
    """The determination in the JSON shape of `whopushed determine`; with `as_of`, also
    what differs from the determination on all the evidence, and why."""
    from .reason.determination import determine
    from .views import determination_json

    book = rulebook(rulebook_path)
    rules, weapons = attribution_rules(rules_path)
    stances = stances_for(case)
    look = lookup_for(case)
    now = determine(case, book, rules, weapons, stances)
    if not as_of:
        return determination_json(now, look)
    then = determine(case, book, rules, weapons, stances, as_of)
    return determination_json(then, look, compared_with=now)
