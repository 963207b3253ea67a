"""The API's response shapes for the OpenAPI document (they follow views.py and
docs/json.md). Open models: fields may be added, as docs/json.md promises, so clients
and schemathesis check the fields named here and accept new ones."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    detail: str


class WhenOut(Open):
    value: str
    precision: str
    earliest: str | None
    latest: str | None
    year_known: bool
    approximate: bool
    stated: str | None


class PlaceOut(Open):
    name: str
    country: str | None = None
    precision: str
    lat: float | None = None
    lon: float | None = None
    radius_km: float
    stated: str | None = None


class PartyOut(Open):
    id: str
    name: str


class SourceRef(Open):
    capture: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    reliability: str | None = None
    preservation: Literal["preserved", "citation-only"] | None = None
    sha256: str | None = None


class AttributionSummary(Open):
    most_likely: str | None
    tied: list[str]
    posterior: dict[str, float]
    top_posterior: float | None
    rows: int
    linchpins: list[str]


class IncidentOut(Open):
    id: str
    kind: str
    title: str
    summary: str | None
    when: WhenOut
    launch_territory: str | None
    launch_area: PlaceOut | None
    impact_area: PlaceOut | None
    weapons: list[str]
    targets: str | None
    aggregate: bool
    excluded: str | None
    sensitivity: str
    parties: list[PartyOut]
    claims: list[str]
    sources: list[SourceRef]
    attribution: AttributionSummary | None


class IncidentPage(Open):
    total: int
    page: int
    per_page: int
    pages: int
    items: list[IncidentOut]


class ClaimOut(Open):
    id: str
    kind: str
    party: PartyOut
    text: str
    polarity: str
    credibility: str
    credibility_label: str
    sensitivity: str
    sources: list[SourceRef]


class HypothesisOut(Open):
    id: str
    label: str
    posterior: float


class AssessmentOut(Open):
    incident: str
    most_likely: str | None
    ranking: list[str]
    tied: list[str]
    hypotheses: list[HypothesisOut]
    evidence: list[dict[str, Any]]


class IncidentDetail(Open):
    collection: Literal["incidents"]
    id: str
    title: str
    when: WhenOut
    claims: list[ClaimOut]
    sources: list[SourceRef]
    assessment: AssessmentOut | None
    contested: list[dict[str, Any]]


class RecordOut(Open):
    collection: str
    id: str


class StatementOut(Open):
    id: str
    speaker: PartyOut
    made: WhenOut
    quote: str
    stances: list[str]
    stance_source: str
    sources: list[SourceRef]


class ContradictionOut(Open):
    speaker: PartyOut
    first: StatementOut
    second: StatementOut
    stances: list[str]
    why: str
    rule: str


class PremiseOut(Open):
    rule: str
    ref: str
    kind: str
    standard: str
    holds: bool
    exception: bool


class ConclusionOut(Open):
    id: str
    label: str
    established: bool
    standard: str
    premises: list[PremiseOut]
    evidence: list[dict[str, Any]]


class DeterminationOut(Open):
    rulebook_sha256: str
    rulebook: str
    as_of: str | None
    conclusions: list[ConclusionOut]
    findings: list[dict[str, Any]]
    flips: list[dict[str, Any]]


class SearchHitOut(Open):
    collection: str
    id: str
    field: str
    snippet: str
    rank: float


class FeatureOut(Open):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollectionOut(Open):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]
    matched: int
    returned: int
    truncated: bool
    clustered: bool


class CaseOut(Open):
    case: dict[str, Any]
    counts: dict[str, int]
    read_only: bool
    summary: dict[str, Any]
    hypotheses: list[dict[str, Any]]
