"""The Admiralty code: source reliability A-F and information credibility 1-6.

F and 6 mean "cannot be judged": there is not enough to grade on. They are not a grade
below E or 5, and nothing in whopushed may order them as if they were.
"""

from __future__ import annotations

from enum import Enum


class Reliability(str, Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"

    @property
    def label(self) -> str:
        return RELIABILITY_LABELS[self]

    @property
    def judged(self) -> bool:
        return self is not Reliability.F


class Credibility(str, Enum):
    c1 = "1"
    c2 = "2"
    c3 = "3"
    c4 = "4"
    c5 = "5"
    c6 = "6"

    @property
    def label(self) -> str:
        return CREDIBILITY_LABELS[self]

    @property
    def judged(self) -> bool:
        return self is not Credibility.c6


RELIABILITY_LABELS = {
    Reliability.A: "completely reliable",
    Reliability.B: "usually reliable",
    Reliability.C: "fairly reliable",
    Reliability.D: "not usually reliable",
    Reliability.E: "unreliable",
    Reliability.F: "reliability cannot be judged",
}

CREDIBILITY_LABELS = {
    Credibility.c1: "confirmed by other sources",
    Credibility.c2: "probably true",
    Credibility.c3: "possibly true",
    Credibility.c4: "doubtful",
    Credibility.c5: "improbable",
    Credibility.c6: "truth cannot be judged",
}
