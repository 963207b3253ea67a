"""A small Carneades evaluator: arguments pro and con a proposition, proof standards on
their weights, exceptions and priorities (after Gordon, Prakken & Walton 2007, as in
CarneadesDSL). Pure; no I/O.

A proposition is a string; "-p" is its negation. An argument concludes a proposition
from premises, unless an exception holds; its weight is in [0, 1]. The support of p is
(mwp, mwc): the largest weights of the applicable arguments for p and for -p.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

STANDARDS = ("scintilla", "preponderance", "clear_and_convincing", "beyond_reasonable_doubt")


@dataclass(frozen=True)
class Thresholds:
    alpha: float = 0.4
    beta: float = 0.3
    gamma: float = 0.2


def meets(standard: str, pro: float, con: float, t: Thresholds) -> bool:
    if standard == "scintilla":
        return pro > 0
    if standard == "preponderance":
        return pro > con
    cce = pro > t.alpha and pro - con > t.beta
    if standard == "clear_and_convincing":
        return cce
    if standard == "beyond_reasonable_doubt":
        return cce and con < t.gamma
    raise ValueError(f"unknown proof standard '{standard}'; use one of {', '.join(STANDARDS)}")


def negate(p: str) -> str:
    return p[1:] if p.startswith("-") else "-" + p


@dataclass(frozen=True)
class Premise:
    ref: str
    standard: str | None = None  # None: the proposition's own standard
    negated: bool = False


@dataclass(frozen=True)
class Argument:
    id: str
    conclusion: str
    premises: tuple[Premise, ...] = ()
    exceptions: tuple[Premise, ...] = ()
    weight: float = 1.0


class CycleError(ValueError):
    pass


@dataclass
class CAES:
    arguments: Iterable[Argument]
    standards: Mapping[str, str] = field(default_factory=dict)  # per proposition; default scintilla
    thresholds: Thresholds = field(default_factory=Thresholds)
    assumptions: frozenset[str] = frozenset()
    defeaters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # proposition -> winners

    def __post_init__(self):
        self.arguments = tuple(self.arguments)
        self._by_conclusion: dict[str, list[Argument]] = {}
        for arg in self.arguments:
            self._by_conclusion.setdefault(arg.conclusion, []).append(arg)
        self._support: dict[str, tuple[float, float]] = {}
        self._visiting: set[str] = set()

    def pro_arguments(self, p: str) -> list[Argument]:
        return self._by_conclusion.get(p, [])

    def con_arguments(self, p: str) -> list[Argument]:
        return self._by_conclusion.get(negate(p), [])

    def support(self, p: str) -> tuple[float, float]:
        if p in self._support:
            return self._support[p]
        if p in self._visiting:
            raise CycleError(f"'{p}' depends on itself")
        self._visiting.add(p)
        try:
            mwp = max((a.weight for a in self.pro_arguments(p) if self.applicable(a)), default=0.0)
            mwc = max((a.weight for a in self.con_arguments(p) if self.applicable(a)), default=0.0)
        finally:
            self._visiting.discard(p)
        self._support[p] = (mwp, mwc)
        return mwp, mwc

    def holds(self, premise: Premise) -> bool:
        literal = negate(premise.ref) if premise.negated else premise.ref
        if literal in self.assumptions:
            return True
        pro, con = self.support(premise.ref)
        if premise.negated:
            pro, con = con, pro
        standard = premise.standard or self.standards.get(premise.ref, "scintilla")
        return meets(standard, pro, con, self.thresholds)

    def defeated_by(self, arg: Argument) -> list[str]:
        target = arg.conclusion.lstrip("-")
        return [w for w in self.defeaters.get(target, ()) if self.acceptable(w)]

    def applicable(self, arg: Argument) -> bool:
        return (all(self.holds(p) for p in arg.premises)
                and not any(self.holds(e) for e in arg.exceptions)
                and not self.defeated_by(arg))

    def acceptable(self, p: str) -> bool:
        if p in self.assumptions:
            return True
        pro, con = self.support(p.lstrip("-"))
        if p.startswith("-"):
            pro, con = con, pro
        return meets(self.standards.get(p.lstrip("-"), "scintilla"), pro, con, self.thresholds)
