"""The case at a glance: incidents by year and weapon, statements by speaker, what is
contested. A pure function of the case's records (and the stance rule file)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..model import Case, IncidentKind
from ..reason.contested import contested


def _name_ids(value: str, actors: dict[str, str]) -> str:
    """Operator versions hold actor ids; people read names."""
    negated = value.startswith("not ")
    rid = value[4:] if negated else value
    return ("not " if negated else "") + actors.get(rid, rid)


def stance_analysis(case: Case, stances: dict | None = None, stance_rules=None) -> tuple[dict, list]:
    """(classifications, contradictions) of the case's statements: `stance_rules` is the
    parsed rule file (default: the shipped one); `stances` classifications already made."""
    from ..reason.stances import StanceRules, classify_case, contradictions

    if stance_rules is None:
        from ..rulefiles import load_yaml

        stance_rules = load_yaml("stances.yaml")
    if not isinstance(stance_rules, StanceRules):
        stance_rules = StanceRules.from_dict(stance_rules)
    if stances is None:
        stances = classify_case(case, stance_rules)
    return stances, contradictions(case.statements, stances, stance_rules)


def summarise(case: Case, stances: dict | None = None, stance_rules=None) -> dict[str, Any]:
    """`stances`, `stance_rules`: as for stance_analysis (default: the shipped rules)."""
    actors = {a.id: a.name for a in case.actors}
    included = [i for i in case.incidents if not i.excluded]
    launches = [i for i in included if i.kind is IncidentKind.launch]
    from_territory = [i for i in launches if i.launch_territory == case.case.territorial_state]

    by_year: dict[str, Counter[str]] = defaultdict(Counter)
    for inc in included:
        year = inc.when.value[:4] if inc.when.year_known else "year unknown"
        by_year[year][inc.kind.value] += 1
    by_weapon: Counter[str] = Counter(w for inc in launches for w in (inc.weapons or ["(not stated)"]))

    stances, found = stance_analysis(case, stances, stance_rules)
    per_speaker = Counter(c.speaker for c in found)
    speakers: dict[str, dict[str, Any]] = {}
    for st in case.statements:
        row = speakers.setdefault(st.speaker, {"speaker": actors.get(st.speaker, st.speaker),
                                              "id": st.speaker, "statements": 0, "stances": Counter(),
                                              "contradictions": per_speaker[st.speaker],
                                              "first": st.made.value, "last": st.made.value})
        row["statements"] += 1
        got = stances.get(st.id)
        row["stances"].update(got.stances if got and got.stances else ("none",))
        row["first"] = min(row["first"], st.made.value)
        row["last"] = max(row["last"], st.made.value)

    made = {st.id: st.made.value for st in case.statements}
    contests = contested(case.incidents, case.claims)
    titles = {i.id: i.title for i in case.incidents}
    preserved = sum(1 for c in case.captures if not c.citation_only)
    return {
        "case": case.case.model_dump(mode="json"),
        "counts": case.counts(),
        "captures": {"preserved": preserved, "citation_only": len(case.captures) - preserved},
        "incidents": {
            "by_kind": dict(Counter(i.kind.value for i in included)),
            "excluded": [{"id": i.id, "title": i.title, "why": i.excluded} for i in case.incidents if i.excluded],
            "launches_from_territory": len(from_territory),
            "by_year": {y: dict(c) for y, c in sorted(by_year.items())},
            "by_weapon": dict(by_weapon.most_common()),
        },
        "statements_by_speaker": sorted(
            ({**row, "stances": dict(row["stances"])} for row in speakers.values()),
            key=lambda r: (-r["statements"], r["speaker"])),
        "statement_contradictions": [
            {"speaker": actors.get(c.speaker, c.speaker), "speaker_id": c.speaker, "first": c.first,
             "second": c.second, "first_made": made[c.first], "second_made": made[c.second],
             "stances": list(c.stances), "why": c.why}
            for c in found
        ],
        "contested": [
            {"incident": c.incident, "title": titles.get(c.incident, c.incident), "fact": c.fact,
             "versions": [{"value": _name_ids(v.value, actors), "claims": list(v.claims),
                           "parties": [actors.get(p, p) for p in v.parties]} for v in c.versions]}
            for c in contests
        ],
    }
