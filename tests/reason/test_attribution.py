"""Per-incident attribution: claims become cells by the rule file, shared origins count once."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whopushed.model import Actor, Capture, Claim, Hypothesis, Incident, Source
from whopushed.reason.attribution import Context, assess, build_inventory, grade_of
from whopushed.reason.rules import RuleError, RuleSet, WeaponLexicon
from whopushed.rulefiles import load_yaml

HYPS = (Hypothesis(id="H-BY", label="BY crew", state="BY"), Hypothesis(id="H-RU", label="RU crew", state="RU"),
        Hypothesis(id="H-OTHER", label="other"))
ACTORS = {a.id: a for a in [
    Actor(id="by", name="Belarus", kind="state", state="BY"),
    Actor(id="by-mod", name="MoD of Belarus", kind="agency", state="BY", part_of="by"),
    Actor(id="luka", name="Lukashenka", kind="person", state="BY", part_of="by"),
    Actor(id="tsikh", name="Opposition leader", kind="person", state="BY"),
    Actor(id="ru", name="Russia", kind="state", state="RU"),
    Actor(id="ru-bde", name="Iskander brigade", kind="unit", state="RU", part_of="ru"),
    Actor(id="monitor", name="Monitor", kind="monitoring_group", state="BY"),
    Actor(id="us", name="US DoD", kind="agency", state="US"),
    Actor(id="ua", name="UA General Staff", kind="agency", state="UA"),
    Actor(id="ua-af", name="UA Air Force", kind="force", state="UA"),
    Actor(id="by-x", name="Another Belarusian organ", kind="agency", state="BY", part_of="by"),
    Actor(id="third-x", name="Another monitor", kind="monitoring_group"),
    Actor(id="ua-x", name="Another Ukrainian organ", kind="agency", state="UA"),
]}
# a party no generated claim uses, in the same relation to every state as the key: a claim
# it makes from the original's capture repeats that one claim and no other
PARTNER = {"by-mod": "by-x", "luka": "by-x", "tsikh": "third-x", "monitor": "third-x", "us": "third-x",
           "ua": "ua-x", "ua-af": "ua-x"}
SOURCES = {s.id: s for s in [
    Source(id="s-b", name="Wire", kind="wire_agency", reliability="B", reliability_why="long accurate record"),
    Source(id="s-d", name="Blog", kind="blog", reliability="D", reliability_why="often wrong"),
    Source(id="s-f", name="Unknown", kind="other", reliability="F", reliability_why="nothing to judge by"),
]}
CAPTURES = {c.id: c for c in [
    Capture(id="cap-1", source="s-b", url="https://a.example/1", title="one"),
    Capture(id="cap-2", source="s-b", url="https://a.example/2", title="two"),
    Capture(id="cap-3", source="s-d", url="https://a.example/3", title="three"),
    Capture(id="cap-3r", source="s-d", url="https://b.example/3", title="repost of three", repost_of="cap-3"),
    Capture(id="cap-f", source="s-f", url="https://c.example/f", title="unknown"),
]}
INC = Incident(id="I1", kind="launch", title="Iskander launch", when="2022-03-01", launch_territory="BY",
               weapons=["Iskander"])
RULES = load_yaml("attribution.yaml")
WEAPONS = WeaponLexicon.from_dict(load_yaml("weapons.yaml"))


def ctx(rules=RULES, claims=()):
    c = Context(hypotheses=HYPS, actors=ACTORS, captures=CAPTURES, sources=SOURCES,
                rules=RuleSet.from_dict(rules), weapons=WEAPONS, target_state="UA")
    c.inventory = build_inventory(claims, WEAPONS, lambda cl: grade_of(cl, CAPTURES, SOURCES))
    return c


def claim(cid, party, kind="operator", captures=("cap-1",), **kw):
    base = dict(id=cid, kind=kind, party=party, text=f"claim {cid}", captures=list(captures), incidents=["I1"],
                credibility="2", credibility_why="reported by two outlets")
    base.update(kw)
    return Claim.model_validate(base)


def cells(assessment):
    return {e.id: dict(zip([h.id for h in HYPS], e.cells)) for e in assessment.evidence}


def test_an_admission_against_interest_weighs_more_than_a_self_serving_denial():
    admit = assess(INC, [claim("a", "by-mod", operator_state="BY")], ctx())
    deny = assess(INC, [claim("d", "by-mod", operator_state="BY", polarity="denies")], ctx())
    assert cells(admit)["a"] == {"H-BY": "CC", "H-RU": "II", "H-OTHER": "I"}
    assert admit.evidence[0].rule == "admission-against-interest" and admit.evidence[0].relevance == "high"
    assert deny.evidence[0].rule == "self-serving-denial" and deny.evidence[0].relevance == "low"
    assert admit.result.ranking[0] == "H-BY"
    by_admit = admit.result.hypotheses[0].posterior
    by_deny = deny.result.hypotheses[0].posterior
    assert abs(by_admit - 1 / 3) > abs(by_deny - 1 / 3)


def test_a_state_organ_naming_the_other_state_shifts_blame_but_a_national_does_not_speak_for_the_state():
    organ = assess(INC, [claim("l", "luka", operator_state="RU")], ctx())
    national = assess(INC, [claim("t", "tsikh", operator_state="RU")], ctx())
    assert organ.evidence[0].rule == "blame-shifted"
    assert national.evidence[0].rule == "operator-reported"


def test_a_named_unit_is_a_sighting_with_high_relevance():
    found = assess(INC, [claim("u", "ua", operator="ru-bde")], ctx())
    assert found.evidence[0].rule == "unit-sighting" and found.evidence[0].relevance == "high"
    assert cells(found)["u"]["H-RU"] == "CC"


def test_changing_only_the_rule_file_changes_the_ratings():
    claims = [claim("r", "us", operator_state="RU")]
    before = cells(assess(INC, claims, ctx()))["r"]
    edited = copy.deepcopy(RULES)
    rule = next(r for r in edited["rules"] if r["id"] == "operator-reported")
    rule["cells"] = {"same": "CC", "other": "II", "open": "N"}
    after = cells(assess(INC, claims, ctx(edited)))["r"]
    assert before == {"H-BY": "I", "H-RU": "C", "H-OTHER": "I"}
    assert after == {"H-BY": "II", "H-RU": "CC", "H-OTHER": "N"}


def test_a_weapon_not_yet_in_service_with_a_state_counts_against_its_crews():
    transfer = claim("cap", "ru", kind="capability", operator_state="BY", weapons=["Iskander-M"],
                     when="2023-04-04", incidents=[])
    c = ctx(claims=[transfer])
    before = assess(INC, [], c)
    row = [e for e in before.evidence if e.rule == "weapon-in-service"]
    assert row and dict(zip(["H-BY", "H-RU", "H-OTHER"], row[0].cells)) == {"H-BY": "I", "H-RU": "N", "H-OTHER": "N"}
    assert "cap" in row[0].claims
    later = INC.model_copy(update={"when": INC.when.model_validate("2024-08-01")})
    assert not [e for e in assess(later, [], c).evidence if e.rule == "weapon-in-service"]


def test_a_base_under_one_state_s_control_favours_its_crews():
    found = assess(INC, [claim("k", "ua", kind="control", operator_state="RU")], ctx())
    assert found.evidence[0].rule == "area-controlled" and cells(found)["k"]["H-RU"] == "C"


def test_one_party_repeated_by_many_outlets_counts_once_with_the_reason():
    a = claim("a", "luka", operator_state="RU", captures=["cap-1"], made="2022-02-27")
    b = claim("b", "luka", operator_state="RU", captures=["cap-2"], made="2022-02-28")
    found = assess(INC, [a, b], ctx())
    assert len(found.evidence) == 1 and found.evidence[0].claims == ("a", "b")
    assert "same party" in dict(found.evidence[0].dependent)["b"]


def test_a_repost_counts_once_with_the_reason():
    a = claim("a", "monitor", operator_state="RU", captures=["cap-3"])
    b = claim("b", "us", operator_state="RU", captures=["cap-3r"])
    found = assess(INC, [b, a], ctx())
    assert len(found.evidence) == 1 and found.evidence[0].id == "a"
    assert "repost" in dict(found.evidence[0].dependent)["b"]


def test_a_claim_marked_as_repeating_another_counts_once_with_the_reason():
    a = claim("a", "monitor", operator_state="RU", captures=["cap-1"])
    b = claim("b", "us", operator_state="RU", captures=["cap-2"], repeats="a")
    c = claim("c", "tsikh", operator_state="RU", captures=["cap-f"], repeats="b")  # a repeat of a repeat
    found = assess(INC, [c, b, a], ctx())
    assert len(found.evidence) == 1 and found.evidence[0].id == "a"
    why = dict(found.evidence[0].dependent)
    assert "repeats a" in why["b"] and set(why) == {"b", "c"}
    # without the mark the three are independent origins
    plain = [x.model_copy(update={"repeats": None}) for x in (a, b, c)]
    assert len(assess(INC, plain, ctx()).evidence) == 3


def test_one_capture_cited_twice_counts_once_with_the_reason():
    a = claim("a", "monitor", operator_state="RU", captures=["cap-2"])
    b = claim("b", "us", operator_state="RU", captures=["cap-2", "cap-1"])
    found = assess(INC, [a, b], ctx())
    assert len(found.evidence) == 1
    assert "same capture" in dict(found.evidence[0].dependent)["b"]


def test_grouping_does_not_depend_on_the_order_of_claims():
    a = claim("a", "monitor", operator_state="RU", captures=["cap-1"], made="2022-03-01")
    b = claim("b", "tsikh", operator_state="RU", captures=["cap-3r"], made="2022-03-02")
    bridge = claim("c", "tsikh", operator_state="RU", captures=["cap-1"], made="2022-03-03")
    one = assess(INC, [a, b, bridge], ctx())
    other = assess(INC, [bridge, b, a], ctx())
    assert [e.claims for e in one.evidence] == [e.claims for e in other.evidence] == [("a", "c", "b")]
    assert one.result == other.result


def test_independent_claims_of_the_same_thing_each_count():
    a = claim("a", "monitor", operator_state="RU", captures=["cap-1"])
    b = claim("b", "us", operator_state="RU", captures=["cap-2"])
    assert len(assess(INC, [a, b], ctx()).evidence) == 2


def test_the_grade_takes_the_best_source_and_flags_what_cannot_be_judged():
    c = claim("a", "us", operator_state="RU", captures=["cap-3", "cap-1"], credibility="3")
    assert grade_of(c, CAPTURES, SOURCES) == "B3"
    unjudged = assess(INC, [claim("f", "us", operator_state="RU", captures=["cap-f"], credibility="6")], ctx())
    assert unjudged.evidence[0].grade == "F6" and unjudged.evidence[0].cannot_be_judged
    assert unjudged.evidence[0].credibility == "medium"


def test_an_improbable_claim_is_shown_but_supports_nothing():
    found = assess(INC, [claim("m", "us", operator_state="BY", credibility="5")], ctx())
    assert found.evidence[0].rule == "improbable" and set(found.evidence[0].cells) == {"N"}
    assert [h.posterior for h in found.result.hypotheses] == pytest.approx([1 / 3] * 3)


def test_claims_without_an_operator_are_listed_as_not_weighed():
    found = assess(INC, [claim("l", "ua", kind="launch")], ctx())
    assert not found.evidence and found.not_weighed[0][0] == "l"
    assert all(h.unrated for h in found.result.hypotheses)
    assert sum(h.posterior for h in found.result.hypotheses) == pytest.approx(1)


def test_a_broken_rule_file_is_refused_naming_the_rule_and_field():
    bad = copy.deepcopy(RULES)
    bad["rules"][3]["cells"]["same"] = "CX"
    with pytest.raises(RuleError, match=r"rules\[3\] \(blame-shifted\).*CX"):
        RuleSet.from_dict(bad)
    bad = copy.deepcopy(RULES)
    bad["rules"][0]["when"]["colour"] = "red"
    with pytest.raises(RuleError, match="colour"):
        RuleSet.from_dict(bad)


PARTIES = ["by-mod", "luka", "tsikh", "monitor", "us", "ua"]
claim_strategy = st.builds(
    lambda i, party, state, polarity, cap, cred: claim(
        f"c{i}", party, operator_state=state, polarity=polarity, captures=[cap], credibility=cred,
        made=f"2022-03-{i % 28 + 1:02d}"),
    st.integers(0, 10_000), st.sampled_from(PARTIES), st.sampled_from(["BY", "RU", "UA"]),
    st.sampled_from(["affirms", "denies"]), st.sampled_from(sorted(CAPTURES)), st.sampled_from("123456"))


@settings(max_examples=150, deadline=None)
@given(st.lists(claim_strategy, min_size=1, max_size=6, unique_by=lambda c: c.id), st.data())
def test_adding_a_claim_dependent_on_an_existing_one_changes_nothing(claims, data):
    base = assess(INC, claims, ctx())
    original = data.draw(st.sampled_from(claims))
    how = data.draw(st.sampled_from(["same-party", "same-capture", "repost"]))
    update = {"id": "zz-dependent", "made": original.made.model_validate("2022-12-31")}
    if how == "same-capture":
        update["party"] = PARTNER[original.party]
    elif how == "repost":
        if original.captures != ["cap-3"]:
            return
        update.update(party=PARTNER[original.party], captures=["cap-3r"])
    repeat = original.model_copy(update=update)
    after = assess(INC, [*claims, repeat], ctx())
    assert after.result == base.result
    assert [e.cells for e in after.evidence] == [e.cells for e in base.evidence]


@settings(max_examples=100, deadline=None)
@given(st.lists(claim_strategy, min_size=0, max_size=8, unique_by=lambda c: c.id))
def test_posteriors_of_any_incident_sum_to_one(claims):
    result = assess(INC, claims, ctx()).result
    assert sum(h.posterior for h in result.hypotheses) == pytest.approx(1, abs=1e-12)
