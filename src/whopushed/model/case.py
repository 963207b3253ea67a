"""A case: the records of one body of work, and the checks that span records
(unique ids, references that resolve)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from .geo import Territory
from .records import (
    Actor,
    Capture,
    Claim,
    Incident,
    Record,
    RecordId,
    SanctionsMeasure,
    Source,
    Statement,
)
from .when import When


class Hypothesis(BaseModel):
    """An answer to "who operated the launcher?": a crew of `state`, or, without a state,
    anyone else or undetermined."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RecordId
    label: str
    state: Territory | None = None


class CaseMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RecordId
    title: str
    question: str
    territorial_state: Territory  # whose territory the launches came from
    target_state: Territory  # the state struck
    aggressor_state: Territory | None = None
    since: When | None = None
    description: str | None = None
    credits: list[str] = Field(default_factory=list)
    hypotheses: list[Hypothesis] = Field(default_factory=list)

    def operator_hypotheses(self) -> list[Hypothesis]:
        """The case's hypotheses, or by default: a crew of the territorial state acting for
        it, and a crew of the aggressor."""
        if self.hypotheses:
            return list(self.hypotheses)
        found = [Hypothesis(id=f"H-{self.territorial_state}", state=self.territorial_state,
                            label=f"a {self.territorial_state} crew acting for {self.territorial_state}")]
        if self.aggressor_state:
            found.append(Hypothesis(id=f"H-{self.aggressor_state}", state=self.aggressor_state,
                                    label=f"a {self.aggressor_state} crew"))
        return found


# The collections of a case, in the order they are written and imported.
# Each maps to its record type; the order respects references (actors first).
COLLECTIONS: dict[str, type[Record]] = {
    "actors": Actor,
    "sources": Source,
    "captures": Capture,
    "incidents": Incident,
    "claims": Claim,
    "statements": Statement,
    "sanctions": SanctionsMeasure,
}

# (collection, field) -> the collections a reference in that field may point into.
REFERENCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("actors", "part_of"): ("actors",),
    ("sources", "actor"): ("actors",),
    ("captures", "source"): ("sources",),
    ("captures", "repost_of"): ("captures",),
    ("claims", "repeats"): ("claims",),
    ("claims", "party"): ("actors",),
    ("claims", "captures"): ("captures",),
    ("claims", "incidents"): ("incidents",),
    ("claims", "operator"): ("actors",),
    ("claims", "retracts"): ("claims",),
    ("statements", "speaker"): ("actors",),
    ("statements", "captures"): ("captures",),
    ("sanctions", "captures"): ("captures",),
}


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    case: CaseMeta
    actors: list[Actor] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    captures: list[Capture] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    sanctions: list[SanctionsMeasure] = Field(default_factory=list)

    def records(self) -> Iterator[tuple[str, int, Record]]:
        for name in COLLECTIONS:
            for i, rec in enumerate(getattr(self, name)):
                yield name, i, rec

    def by_id(self) -> dict[str, Record]:
        return {rec.id: rec for _, _, rec in self.records()}

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in COLLECTIONS}


@dataclass(frozen=True)
class Problem:
    """A cross-record problem at collection[index].field, with how to fix it."""

    collection: str
    index: int
    field: str
    message: str


def check_integrity(case: Case | Mapping[str, Sequence[Record]]) -> list[Problem]:
    """Duplicate ids and references that do not resolve, in file order.

    Takes a Case, or its collections as a mapping (so that the records which did validate
    can be checked while others are still broken)."""
    if isinstance(case, Case):
        case = {name: getattr(case, name) for name in COLLECTIONS}
    records = [(name, i, rec) for name in COLLECTIONS for i, rec in enumerate(case.get(name, ()))]
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int]] = {}
    ids_in: dict[str, set[str]] = {name: set() for name in COLLECTIONS}
    for name, i, rec in records:
        if rec.id in seen:
            first = seen[rec.id]
            problems.append(Problem(name, i, "id", f"duplicate id '{rec.id}' (first used in "
                                    f"{first[0]}[{first[1]}]); give this record a new id"))
        else:
            seen[rec.id] = (name, i)
        ids_in[name].add(rec.id)
    for name, i, rec in records:
        for (coll, field), targets in REFERENCES.items():
            if coll != name:
                continue
            value = getattr(rec, field)
            refs = value if isinstance(value, list) else ([value] if value else [])
            for j, ref in enumerate(refs):
                if not any(ref in ids_in[t] for t in targets):
                    where = f"{field}[{j}]" if isinstance(value, list) else field
                    problems.append(Problem(name, i, where,
                                            f"'{ref}' is not the id of any record in "
                                            f"{' or '.join(targets)}; add it there or fix the reference"))
    return problems


def case_json_schema() -> dict:
    """The JSON Schema of one case file (all sections optional, as a folder may split them).

    A `When` may be written as a bare string; the schema says so.
    """
    schema = Case.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "whopushed case file"
    schema["description"] = ("One YAML file of a whopushed case. A case folder holds several such "
                             "files; their sections are joined. See docs/case-format.md.")
    schema["required"] = []
    defs = schema.get("$defs", {})
    if "When" in defs:
        when = defs["When"]
        defs["When"] = {"description": when.get("description", ""),
                        "anyOf": [{"type": "string", "description": "shorthand for {value: ...}"}, when]}
    return schema
