"""The legal rulebook: each rule met, not met and defeated; bad rulebooks refused by name."""

import copy

import pytest

from whopushed.reason.rulebook import RulebookError, evaluate, flips, parse_rulebook
from whopushed.rulefiles import load_yaml

BOOK = load_yaml("rulebook.yaml")
YES, NO, NONE = (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)
# the Belarus-like baseline: launches from the territory with consent, Russian crews, no Belarusian crew
BASE = {"launch_from_territory": YES, "consent": YES, "aggressor_aggression": YES, "logistics": YES,
        "knowledge": YES, "crew_organ": NONE, "crew_at_other_disposal": NONE, "consent_vitiated": NONE,
        "coordination": NONE, "other_effective_control": NONE}


def status(weights, book=BOOK):
    return evaluate(parse_rulebook(book), {**BASE, **weights}).status()


def test_r1_r2a_a_crew_of_the_territorial_state_makes_it_a_party():
    assert not status({})["party_to_conflict"]
    assert status({"crew_organ": (0.8, 0.1)})["party_to_conflict"]
    assert not status({"crew_organ": (0.35, 0.0)})["party_to_conflict"]  # below clear and convincing


def test_r1_is_defeated_when_the_crew_was_at_the_other_state_s_disposal():
    assert not status({"crew_organ": YES, "crew_at_other_disposal": (0.6, 0.2)})["attribution_to_territorial_state"]


def test_r2b_coordination_with_knowledge_makes_a_party():
    assert status({"coordination": YES})["party_to_conflict"]
    assert not status({"coordination": YES, "knowledge": NO})["party_to_conflict"]


def test_r3_aggression_met_not_met_and_defeated():
    assert status({})["aggression_art3f"]
    assert not status({"consent": (0.3, 0.0)})["aggression_art3f"]
    assert not status({"consent_vitiated": YES})["aggression_art3f"]


def test_r4_aid_or_assistance_met_not_met_and_defeated_by_occupation():
    assert status({})["aid_or_assistance_art16"]
    assert not status({"logistics": (0.2, 0.0)})["aid_or_assistance_art16"]
    occupied = status({"other_effective_control": YES, "consent_vitiated": YES})
    assert occupied["occupation"] and not occupied["aid_or_assistance_art16"] and not occupied["aggression_art3f"]


def test_r5_occupation_needs_control_and_vitiated_consent():
    assert not status({"other_effective_control": YES})["occupation"]
    assert status({"other_effective_control": YES, "consent_vitiated": YES})["occupation"]


def test_r6_responsibility_follows_any_wrongful_conclusion_and_policy_is_separate():
    assert status({})["state_responsibility"] and status({})["policy_sanctions_alignment"]
    nothing = status({"launch_from_territory": NO, "logistics": NO})
    assert not nothing["state_responsibility"] and not nothing["policy_sanctions_alignment"]
    assert parse_rulebook(BOOK).conclusions["policy_sanctions_alignment"].kind == "policy"


def test_flips_name_the_belarusian_crew_finding_for_party_to_conflict():
    found = flips(parse_rulebook(BOOK), BASE)
    crew = [f for f in found if f.finding == "crew_organ" and f.to == "established"]
    assert crew and ("party_to_conflict", False, True) in crew[0].changes
    assert not [f for f in found if f.finding == "consent"]  # settled findings are not flipped


def test_the_rulebook_hash_changes_with_its_content():
    edited = copy.deepcopy(BOOK)
    edited["standards"]["alpha"] = 0.5
    assert parse_rulebook(BOOK).sha256 != parse_rulebook(edited).sha256
    assert len(parse_rulebook(BOOK).sha256) == 64


@pytest.mark.parametrize("edit,message", [
    (lambda b: b["rules"][0]["premises"].append({"finding": "nonsense", "standard": "preponderance"}),
     r"rules\[0\] \(R1\): unknown premise finding 'nonsense'"),
    (lambda b: b["rules"][0]["premises"][0].pop("standard"), r"rules\[0\] \(R1\): premise 'crew_organ' has no standard"),
    (lambda b: b["standards"].update(alpha=1.4), r"standards.alpha must be a number in \[0, 1\]"),
    (lambda b: b["rules"].append({"id": "loop", "conclusion": "attribution_to_territorial_state", "source": "x",
                                  "premises": [{"conclusion": "party_to_conflict", "standard": "preponderance"}]}),
     r"cycle"),
    (lambda b: b["conclusions"]["occupation"].pop("standard"), r"conclusion 'occupation': needs a standard"),
    (lambda b: b["findings"]["consent"]["pro"].append({"rumours": {}}), r"finding 'consent' pro\[3\]"),
])
def test_a_broken_rulebook_is_refused_naming_the_rule(edit, message):
    book = copy.deepcopy(BOOK)
    edit(book)
    with pytest.raises(RulebookError, match=message):
        parse_rulebook(book)
