"""The vocabulary as typed, validated records. No I/O: import freely from anywhere."""

from .case import COLLECTIONS, REFERENCES, Case, CaseMeta, Hypothesis, Problem, case_json_schema, check_integrity
from .geo import DEFAULT_RADIUS_KM, GeoPrecision, Place, Territory
from .grades import Credibility, Reliability
from .records import (
    Actor,
    ActorKind,
    Capture,
    Casualties,
    Claim,
    ClaimKind,
    Counterpart,
    Incident,
    IncidentKind,
    Polarity,
    Record,
    SanctionsMeasure,
    Sensitivity,
    Source,
    SourceKind,
    Stance,
    Statement,
)
from .when import TimePrecision, When

__all__ = [name for name in dir() if not name.startswith("_")]
