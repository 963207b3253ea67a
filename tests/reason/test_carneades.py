"""The Carneades evaluator against the published fixture and the proof standards."""

import pytest

from whopushed.reason.carneades import CAES, Argument, CycleError, Premise, Thresholds, meets

T = Thresholds(0.4, 0.3, 0.2)


def test_the_carneadesdsl_fixture_neither_murder_nor_not_murder_is_acceptable():
    args = [
        Argument("arg1", "murder", (Premise("kill"), Premise("intent")), weight=0.8),
        Argument("arg2", "intent", (Premise("witness"),), (Premise("unreliable"),), weight=0.3),
        Argument("arg3", "-intent", (Premise("witness2"),), (Premise("unreliable2"),), weight=0.8),
    ]
    caes = CAES(args, standards={"intent": "beyond_reasonable_doubt"}, thresholds=T,
                assumptions=frozenset({"kill", "witness", "witness2", "unreliable2"}))
    assert [a.id for a in args if caes.applicable(a)] == ["arg2"]
    assert not caes.acceptable("intent")
    assert not caes.acceptable("murder") and not caes.acceptable("-murder")


@pytest.mark.parametrize("standard,pro,con,expected", [
    ("scintilla", 0.01, 0.9, True), ("scintilla", 0.0, 0.0, False),
    ("preponderance", 0.5, 0.4, True), ("preponderance", 0.4, 0.4, False),
    ("clear_and_convincing", 0.75, 0.3, True), ("clear_and_convincing", 0.39, 0.0, False),
    ("clear_and_convincing", 0.6, 0.35, False),
    ("beyond_reasonable_doubt", 0.9, 0.1, True), ("beyond_reasonable_doubt", 0.9, 0.25, False),
])
def test_proof_standards_on_pro_and_con_weights(standard, pro, con, expected):
    assert meets(standard, pro, con, T) is expected


def test_an_unknown_standard_is_refused():
    with pytest.raises(ValueError, match="unknown proof standard"):
        meets("balance", 1, 0, T)


def test_a_cycle_is_reported_not_looped():
    caes = CAES([Argument("a", "p", (Premise("q"),)), Argument("b", "q", (Premise("p"),))])
    with pytest.raises(CycleError):
        caes.acceptable("p")


def test_a_priority_winner_defeats_the_other_rule():
    args = [Argument("f", "facts"), Argument("r3", "aggression", (Premise("facts"),)),
            Argument("occ", "occupation", (Premise("control"),))]
    plain = CAES(args, defeaters={"aggression": ("occupation",)})
    assert plain.acceptable("aggression")
    occupied = CAES(args, defeaters={"aggression": ("occupation",)}, assumptions=frozenset({"control"}))
    assert occupied.acceptable("occupation") and not occupied.acceptable("aggression")
