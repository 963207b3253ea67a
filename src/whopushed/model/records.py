"""The vocabulary of ../DESIGN as typed records: actor, source, capture, claim, incident,
statement, sanctions measure. Plain data, no I/O; validation only."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .geo import Place, Territory
from .grades import Credibility, Reliability
from .when import When

RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Why = Annotated[str, StringConstraints(min_length=3, max_length=1_000)]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Sensitivity(str, Enum):
    public = "public"
    restricted = "restricted"
    private = "private"


class Record(BaseModel):
    """What every record has: an id unique across the case, and a sensitivity that
    public views and exports honour."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    id: RecordId
    sensitivity: Sensitivity = Sensitivity.public
    notes: str | None = None


class ActorKind(str, Enum):
    state = "state"
    force = "force"  # a state's armed forces or a branch of them
    unit = "unit"
    agency = "agency"  # a ministry, service, intelligence directorate
    person = "person"
    organisation = "organisation"  # intergovernmental bodies, NGOs, companies
    media = "media"
    monitoring_group = "monitoring_group"
    group = "group"  # several parties speaking together
    unknown = "unknown"


class Actor(Record):
    name: Text
    kind: ActorKind
    state: Territory | None = None  # the state it belongs to or speaks for
    part_of: RecordId | None = None
    role: str | None = None
    aliases: list[str] = Field(default_factory=list)


class SourceKind(str, Enum):
    wire_agency = "wire_agency"
    news_outlet = "news_outlet"
    state_media = "state_media"
    government = "government"
    intergovernmental = "intergovernmental"
    monitoring_group = "monitoring_group"
    aggregator = "aggregator"
    blog = "blog"
    other = "other"


class Source(Record):
    """A publisher: who put the document out, graded for reliability."""

    name: Text
    kind: SourceKind
    country: Territory | None = None
    actor: RecordId | None = None  # when the publisher is itself a party in the case
    homepage: str | None = None
    reliability: Reliability
    reliability_why: Why


class Capture(Record):
    """A copy of a document. With `sha256` it is preserved (the bytes are held and
    hashed); without, it is citation-only: a reference to a page nobody here preserved."""

    source: RecordId
    url: str | None = None
    title: Text
    published: When | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    excerpt: str | None = None
    sha256: str | None = None
    size: int | None = Field(default=None, ge=0)
    media_type: str | None = None
    collected_at: When | None = None
    collector: str | None = None
    method: str | None = None
    repost_of: RecordId | None = None  # a forward or repost of another capture: the same origin
    # what fetching a URL found (whopushed capture URL); media_type is then that of the
    # preserved bytes, application/wacz, and page_media_type the page's own
    final_url: str | None = None  # where the redirects ended
    http_status: int | None = Field(default=None, ge=100, le=599)
    page_media_type: str | None = None
    fetch_record_sha256: str | None = None  # blob: each hop's address, status, headers, TLS certificate
    tls_certificate_sha256: str | None = None  # fingerprint of the server's certificate (DER), https only

    @model_validator(mode="after")
    def _preserved_or_cited(self) -> "Capture":
        for name in ("fetch_record_sha256", "tls_certificate_sha256"):
            value = getattr(self, name)
            if value is not None and not _SHA256.match(value):
                raise ValueError(f"{name} must be 64 lowercase hex digits")
        if self.sha256 is not None:
            if not _SHA256.match(self.sha256):
                raise ValueError("sha256 must be 64 lowercase hex digits")
            if self.size is None:
                raise ValueError("a preserved capture (with sha256) needs its size in bytes")
        elif not self.url:
            raise ValueError("a citation-only capture (no sha256) needs the url it cites")
        return self

    @property
    def citation_only(self) -> bool:
        return self.sha256 is None

    @property
    def preservation(self) -> str:
        return "citation-only" if self.citation_only else "preserved"


class ClaimKind(str, Enum):
    launch = "launch"  # from where, when, what, how many, at what
    operator = "operator"  # who launched: unit, state
    participation = "participation"  # a state's forces or nationals taking part otherwise
    statement = "statement"  # an official position on involvement
    consent = "consent"
    logistics = "logistics"  # basing, airspace, maintenance, training
    capability = "capability"  # who could launch: a state has a weapon in service from `when`
    control = "control"  # who controlled the launch area or base: operator_state
    status = "status"  # e.g. that launches from a territory stopped
    other = "other"


class Polarity(str, Enum):
    affirms = "affirms"
    denies = "denies"


class Claim(Record):
    """One assertion from one or more captures, attributed to the party making it."""

    kind: ClaimKind
    party: RecordId  # the actor making the assertion
    text: Text  # the assertion, in the project's words
    captures: list[RecordId] = Field(min_length=1)
    incidents: list[RecordId] = Field(default_factory=list)
    made: When | None = None  # when the party made it
    polarity: Polarity = Polarity.affirms
    quote: str | None = None
    quote_language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    quote_is_translation: bool = False
    credibility: Credibility
    credibility_why: Why
    # what is asserted, where the kind has it
    when: When | None = None
    launch_area: Place | None = None
    launch_territory: Territory | None = None
    impact_area: Place | None = None
    weapons: list[str] = Field(default_factory=list)
    count: int | None = Field(default=None, ge=0)
    count_max: int | None = Field(default=None, ge=0)
    operator: RecordId | None = None  # the actor said to have launched (or not)
    operator_state: Territory | None = None
    retracts: RecordId | None = None
    # the claim this one repeats (a forward, repost or near-identical text): one origin with it
    repeats: RecordId | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> "Claim":
        if self.count is not None and self.count_max is not None and self.count_max < self.count:
            raise ValueError("count_max is below count")
        if self.kind in (ClaimKind.operator, ClaimKind.control) and not (self.operator or self.operator_state):
            raise ValueError(f"a{'n' if self.kind is ClaimKind.operator else ''} {self.kind.value} claim "
                             "names the operator or operator_state")
        return self


class IncidentKind(str, Enum):
    launch = "launch"  # weapons fired
    sortie = "sortie"  # a flight or take-off with no launch confirmed
    base_activity = "base_activity"
    other = "other"


class Casualties(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    killed: int | None = Field(default=None, ge=0)
    injured: int | None = Field(default=None, ge=0)
    stated: str | None = None


class Incident(Record):
    """One event. The claims that report it point at it (Claim.incidents)."""

    kind: IncidentKind
    title: Text
    when: When
    summary: str | None = None
    launch_area: Place | None = None
    launch_territory: Territory | None = None
    impact_area: Place | None = None
    weapons: list[str] = Field(default_factory=list)
    targets: str | None = None
    casualties: Casualties | None = None
    aggregate: bool = False  # a count over many launches rather than one salvo
    excluded: Why | None = None  # checked and excluded: why it is not attributed


class Stance(str, Enum):
    """A statement's stance on the territorial state's involvement (docs/statements.md)."""

    admits_launches = "admits_launches"  # admits launches from its territory
    attributes_to_other = "attributes_to_other"  # attributes them to the other state or its forces
    denies_involvement = "denies_involvement"  # denies any involvement, participation, being a party
    own_forces_took_part = "own_forces_took_part"  # says the state's own forces took part (or will)
    co_aggressor = "co_aggressor"  # calls the state a co-aggressor, accomplice or party
    alleges_involvement = "alleges_involvement"  # a third party condemns or alleges its involvement
    assesses_not_party = "assesses_not_party"  # a third party assesses it is not (yet) a party
    other = "other"


class Statement(Record):
    """An official position, quoted, dated and attributed to its speaker."""

    speaker: RecordId
    speaker_role: str | None = None
    made: When
    quote: Text
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    is_translation: bool = False
    rendering_en: str | None = None
    # an override of the stance rules (reason/rules/stances.yaml); empty: the rules classify
    stances: list[Stance] = Field(default_factory=list)
    captures: list[RecordId] = Field(min_length=1)
    credibility: Credibility  # that it was said as quoted
    credibility_why: Why

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy_stance(cls, data: Any) -> Any:
        # workspaces and case files written before `stances` carry one `stance` in an older
        # vocabulary; the rules now classify them
        if isinstance(data, dict) and "stance" in data:
            data = {k: v for k, v in data.items() if k != "stance"}
        return data


class Counterpart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    state: Territory
    when: When | None = None
    description: str


class SanctionsMeasure(Record):
    jurisdiction: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")]
    authority: str | None = None
    target_state: Territory
    when: When
    title: Text
    scope: str | None = None
    rationale: str | None = None
    counterpart: Counterpart | None = None
    captures: list[RecordId] = Field(min_length=1)
