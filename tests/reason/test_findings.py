"""Findings count an origin once: a claim that repeats another shares its origin."""

from __future__ import annotations

from pathlib import Path

from whopushed.ingest.casefile import read_case
from whopushed.reason.findings import Inputs, _from_claims

BELARUS = Path(__file__).resolve().parents[2] / "cases" / "belarus"


def test_a_claim_repeating_another_party_s_claim_takes_that_party_s_origin():
    case = read_case(BELARUS)
    first = next(c for c in case.claims if c.kind.value == "participation")
    other = next(c for c in case.claims if c.kind.value == "participation" and c.party != first.party)
    copy = other.model_copy(update={"repeats": first.id})
    chained = other.model_copy(update={"id": "cl-chain", "repeats": copy.id})
    edited = case.model_copy(update={"claims": [copy if c.id == other.id else c for c in case.claims] + [chained]})
    inp = Inputs(edited, None, [], {})
    assert inp.origin(copy) == f"party:{first.party}" == inp.origin(chained)
    assert Inputs(case, None, [], {}).origin(other) == f"party:{other.party}"


class _Ctx:  # the party relations the feed asks about; none matter here
    def state_of(self, actor):
        return None

    def speaks_for(self, actor):
        return None


def test_claim_items_of_repeats_carry_the_first_claim_s_origin(monkeypatch):
    case = read_case(BELARUS)
    a, b = case.claims[0], next(c for c in case.claims if c.party != case.claims[0].party)
    edited = case.model_copy(update={"claims": [a, b.model_copy(update={"repeats": a.id, "kind": a.kind})]})
    monkeypatch.setattr("whopushed.reason.findings.claim_weight", lambda claim, ctx: 0.5)
    items = _from_claims({}, 1.0, Inputs(edited, _Ctx(), [], {}))
    assert [i.origin for i in items] == [f"party:{a.party}"] * 2
