"""Statement stances by the declarative rule file, overrides, and contradictions."""

import copy
from pathlib import Path

import pytest

from whopushed.ingest.casefile import read_case
from whopushed.model import Actor, Statement
from whopushed.reason.stances import (
    StanceRuleError,
    StanceRules,
    classify,
    classify_case,
    contradictions,
    relation,
)
from whopushed.rulefiles import load_yaml

BELARUS = Path(__file__).parents[2] / "cases" / "belarus"
RULES = load_yaml("stances.yaml")
ACTORS = {a.id: a for a in [
    Actor(id="by", name="Belarus", kind="state", state="BY"),
    Actor(id="by-gov", name="Government of Belarus", kind="agency", state="BY", part_of="by"),
    Actor(id="luka", name="Lukashenka", kind="person", state="BY", part_of="by-gov"),
    Actor(id="by-mod", name="MoD of Belarus", kind="agency", state="BY", part_of="by-gov"),
    Actor(id="tsikh", name="Opposition leader", kind="person", state="BY"),
    Actor(id="eu", name="EU", kind="organisation"),
    Actor(id="ua-mfa", name="MFA of Ukraine", kind="agency", state="UA"),
    Actor(id="ru-gov", name="Government of Russia", kind="agency", state="RU"),
    Actor(id="ru-spox", name="Kremlin spokesman", kind="person", state="RU", part_of="ru-gov"),
]}


def statement(sid, speaker, quote, language="en", made="2022-03-01", **kw):
    return Statement(id=sid, speaker=speaker, made=made, quote=quote, language=language, captures=["cap-1"],
                     credibility="2", credibility_why="test statement", **kw)


def stances_of(speaker, quote, language="en", rules=RULES, other_state="RU", **kw):
    st = statement("S1", speaker, quote, language, **kw)
    return classify([st], ACTORS, "BY", rules, other_state)["S1"].stances


@pytest.mark.parametrize("language, quote", [
    ("en", "The Belarusian army has not taken and does not take any part in the hostilities."),
    ("ru", "Белорусская армия не принимает участия в специальной военной операции."),
    ("uk", "Білоруська армія не бере участі у війні."),
    ("be", "Беларуская армія не ўдзельнічае ў спецаперацыі."),
    ("pl", "Białoruska armia nie bierze udziału w wojnie."),
])
def test_an_organs_denial_is_read_in_each_language(language, quote):
    assert stances_of("luka", quote, language) == ("denies_involvement",)


@pytest.mark.parametrize("language, quote, expected", [
    ("en", "Missiles were launched from our territory by Russian troops.", {"admits_launches", "attributes_to_other"}),
    ("ru", "Ракеты были запущены с территории Беларуси российскими войсками.", {"admits_launches", "attributes_to_other"}),
    ("uk", "Ракети запустили з нашої території російські війська.", {"admits_launches", "attributes_to_other"}),
    ("be", "Ракеты былі запушчаны з тэрыторыі Беларусі.", {"admits_launches"}),
    ("pl", "Rakiety zostały wystrzelone z naszego terytorium.", {"admits_launches"}),
    ("ru", "Мы — соагрессоры.", {"co_aggressor"}),
    ("be", "Мы суагрэсары, як кажа Захад.", {"co_aggressor"}),
    ("pl", "Jesteśmy współagresorami.", {"co_aggressor"}),
    ("ru", "Наши войска участвовали в операции.", {"own_forces_took_part"}),
    ("uk", "Наші війська брали участь в операції.", {"own_forces_took_part"}),
    ("be", "Нашы вайскоўцы ўдзельнічалі ў аперацыі.", {"own_forces_took_part"}),
    ("pl", "Nasze wojska walczą na Ukrainie.", {"own_forces_took_part"}),
])
def test_an_organs_admissions_are_read_in_each_language(language, quote, expected):
    assert set(stances_of("luka", quote, language)) == expected


@pytest.mark.parametrize("language, quote, expected", [
    ("en", "We condemn the involvement of Belarus in this aggression.", {"alleges_involvement"}),
    ("ru", "Мы осуждаем участие Беларуси в агрессии.", {"alleges_involvement"}),
    ("uk", "Ракети запускають з території Білорусі.", {"alleges_involvement"}),
    ("be", "Мы асуджаем удзел Беларусі ў агрэсіі.", {"alleges_involvement"}),
    ("pl", "Potępiamy udział Białorusi w agresji.", {"alleges_involvement"}),
    ("ru", "Беларусь — соагрессор.", {"co_aggressor"}),
    ("pl", "Białoruś nie jest stroną konfliktu.", {"assesses_not_party"}),
    ("be", "Беларусь не з’яўляецца бокам канфлікту.", {"assesses_not_party"}),
    ("uk", "Кремль намагається втягнути Білорусь у війну.", {"assesses_not_party"}),
    ("en", "We haven't seen any indications that Belarusian troops have moved inside Ukraine", {"assesses_not_party"}),
    ("ru", "Ракеты запустили российские войска.", {"attributes_to_other"}),
    ("be", "Ракеты запусцілі расійскія войскі.", {"attributes_to_other"}),
    ("pl", "Rakiety wystrzeliły rosyjskie wojska z Białorusi.", {"attributes_to_other", "alleges_involvement"}),
    ("en", "allowing Russia to fire ballistic missiles from the Belarusian territory",
     {"attributes_to_other", "alleges_involvement"}),
])
def test_third_party_stances_are_read_in_each_language(language, quote, expected):
    assert set(stances_of("eu", quote, language)) == expected


def test_the_same_words_take_their_stance_from_the_speakers_relation_to_the_state():
    words = "Belarus is not a party to the conflict."
    assert stances_of("luka", words) == ("denies_involvement",)
    assert stances_of("eu", words) == ("assesses_not_party",)
    # a Belarusian speaking for herself is no organ of Belarus
    assert stances_of("tsikh", words) == ("assesses_not_party",)


def test_organs_are_found_up_the_part_of_chain_and_nationals_or_foreign_organs_are_not():
    assert relation("luka", ACTORS, "BY") == relation("by-mod", ACTORS, "by") == "organ"
    assert relation("tsikh", ACTORS, "BY") == relation("ru-spox", ACTORS, "BY") == "other"
    assert relation("nobody-known", ACTORS, "BY") == "other"
    assert relation("ru-spox", ACTORS, "RU") == "organ"


def test_rendering_en_is_read_when_no_pattern_knows_the_quotes_language():
    st = statement("S1", "eu", "Wir verurteilen die Beteiligung von Belarus.", "de",
                   rendering_en="We condemn the involvement of Belarus.")
    found = classify([st], ACTORS, "BY", RULES, "RU")["S1"]
    assert found.stances == ("alleges_involvement",) and found.source == "rule"
    assert found.rules == ("others-allege-involvement",)


def test_an_override_in_the_case_file_wins_over_the_rules():
    st = statement("S1", "luka", "We are 'co-aggressors', as your country calls us.", stances=["other"])
    found = classify([st], ACTORS, "BY", RULES, "RU")["S1"]
    assert found.stances == ("other",) and found.source == "override" and found.rules == ()


def test_a_statement_no_rule_matches_is_none():
    found = classify([statement("S1", "luka", "I feel like this operation has dragged on")],
                     ACTORS, "BY", RULES, "RU")["S1"]
    assert found.stances == () and found.source == "none" and found.rules == ()


def test_changing_only_the_rule_file_changes_the_classification():
    quote = "The weather in Minsk is fine today."
    assert stances_of("luka", quote) == ()
    edited = copy.deepcopy(RULES)
    edited["rules"].append({"id": "weather", "stance": "other", "speaker": "organ", "match": [r"\bweather\b"]})
    assert stances_of("luka", quote, rules=edited) == ("other",)
    assert stances_of("eu", quote, rules=edited) == ()  # the rule is for organs only
    without = copy.deepcopy(RULES)
    without["rules"] = [r for r in without["rules"] if r["id"] != "organ-calls-itself-party"]
    assert stances_of("luka", "We are 'co-aggressors'.", rules=without) == ()


def test_other_state_names_match_nothing_when_the_case_names_no_aggressor():
    quote = "Russian troops launched the missiles."
    assert "attributes_to_other" in stances_of("eu", quote)
    assert "attributes_to_other" not in stances_of("eu", quote, other_state=None)


@pytest.mark.parametrize("language, quote", [
    ("en", "No missiles were launched from our territory."),
    ("ru", "Ни одна ракета не была запущена с территории Беларуси."),
])
def test_a_denied_launch_is_a_denial_not_an_admission(language, quote):
    assert stances_of("luka", quote, language) == ("denies_involvement",)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["rules"][0].update(stance="admits"), "stance must be one of"),
    (lambda d: d["rules"][0].update(match=["(unclosed"]), "bad pattern"),
    (lambda d: d["rules"][0].update(match=["{NOWHERE} part"]), "unknown placeholder {NOWHERE}"),
    (lambda d: d["rules"][0].update(speaker="friend"), "speaker must be organ, other or any"),
    (lambda d: d["rules"][0].update(colour="red"), "unknown field 'colour'"),
    (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), "duplicate rule id"),
    (lambda d: d["rules"][0].update(match=[]), "match must be"),
])
def test_a_broken_rule_is_refused_with_its_id(edit, message):
    data = copy.deepcopy(RULES)
    edit(data)
    rule_id = data["rules"][1]["id"] if "duplicate" in message else data["rules"][0]["id"]
    with pytest.raises(StanceRuleError, match=message) as exc:
        StanceRules.from_dict(data)
    assert rule_id in str(exc.value)


@pytest.mark.parametrize("pair, message", [
    ({"id": "x", "stances": ["denies_involvement"], "why": "why not"}, "two of"),
    ({"id": "x", "stances": ["denies_involvement", "lies"], "why": "why not"}, "two of"),
    ({"id": "x", "stances": ["denies_involvement", "co_aggressor"]}, "why must say"),
])
def test_a_broken_incompatible_pair_is_refused_with_its_id(pair, message):
    data = copy.deepcopy(RULES)
    data["incompatible"].append(pair)
    with pytest.raises(StanceRuleError, match=message) as exc:
        StanceRules.from_dict(data)
    assert "(x)" in str(exc.value)


def test_classify_case_needs_the_rules_passed_in_since_reason_reads_no_files():
    case = read_case(BELARUS)
    with pytest.raises(StanceRuleError, match="load_yaml"):
        classify_case(case)


def _pairs(found):
    return [(c.speaker, c.first, c.second, c.stances) for c in found]


def test_contradictions_pair_one_speakers_incompatible_stances_earliest_first():
    sts = [
        statement("S3", "luka", "We are co-aggressors.", made="2023-08-17"),
        statement("S1", "luka", "Our troops are taking no part in this operation.", made="2022-02-24"),
        statement("S2", "luka", "I feel like this operation has dragged on.", made="2022-05-05"),
        statement("E1", "eu", "Belarus is a co-aggressor.", made="2022-03-07"),
        statement("E2", "eu", "Belarus is not a party to the conflict.", made="2022-04-13"),
    ]
    cls = classify(sts, ACTORS, "BY", RULES, "RU")
    found = contradictions(sts, cls, RULES)
    assert _pairs(found) == [("eu", "E1", "E2", ("co_aggressor", "assesses_not_party")),
                             ("luka", "S1", "S3", ("denies_involvement", "co_aggressor"))]
    assert found[1].rule == "denial-vs-self-described-co-aggressor" and "denied" in found[1].why


def test_a_co_aggressor_label_contradicts_a_denial_only_when_self_described():
    # the same pair by a third party, through overrides: the pair is declared for organs only
    sts = [statement("E1", "eu", "x", stances=["denies_involvement"]),
           statement("E2", "eu", "y", made="2022-04-01", stances=["co_aggressor"])]
    assert contradictions(sts, classify(sts, ACTORS, "BY", RULES, "RU"), RULES) == []
    sts = [statement("L1", "luka", "x", stances=["denies_involvement"]),
           statement("L2", "luka", "y", made="2022-04-01", stances=["co_aggressor"])]
    assert len(contradictions(sts, classify(sts, ACTORS, "BY", RULES, "RU"), RULES)) == 1


def test_statements_of_different_speakers_never_contradict():
    sts = [statement("S1", "luka", "Our troops are taking no part in this operation."),
           statement("S2", "by-mod", "We are co-aggressors.")]
    assert contradictions(sts, classify(sts, ACTORS, "BY", RULES, "RU"), RULES) == []


# --- the Belarus case -------------------------------------------------------------------

@pytest.fixture(scope="module")
def belarus():
    case = read_case(BELARUS)
    return case, classify_case(case, RULES)


def test_belarus_rules_read_the_key_statements_in_english_russian_ukrainian_and_polish(belarus):
    _, cls = belarus
    expect = {
        "ST-01": {"denies_involvement"},
        "ST-05": {"admits_launches", "attributes_to_other"},
        "ST-17": {"assesses_not_party"},
        "ST-25": {"co_aggressor"},  # Polish
        "ST-28": {"alleges_involvement", "assesses_not_party"},
        "ST-29": {"alleges_involvement", "attributes_to_other"},  # Ukrainian
        "ST-32": {"co_aggressor"},
        "ST-33": {"denies_involvement"},
        "ST-38": {"co_aggressor", "alleges_involvement"},  # Russian
        "ST-39": {"assesses_not_party"},
    }
    for sid, stances in expect.items():
        assert set(cls[sid].stances) == stances and cls[sid].source == "rule", sid
    # a denial that a strike on Belarus happened is no stance on Belarus's involvement
    assert cls["ST-16"].source == "none"


def test_belarus_overrides_are_few_and_each_changes_what_the_rules_say(belarus):
    case, cls = belarus
    overridden = [st for st in case.statements if st.stances]
    assert len(overridden) <= 2 < len(case.statements) / 2
    assert {st.id for st in overridden} == {sid for sid, c in cls.items() if c.source == "override"}
    bare = [st.model_copy(update={"stances": []}) for st in overridden]
    by_rules = classify(bare, {a.id: a for a in case.actors}, "BY", RULES, "RU")
    for st in overridden:
        assert by_rules[st.id].stances != cls[st.id].stances, f"{st.id}: the override repeats the rules"


def test_lukashenka_contradicts_himself_in_the_belarus_case(belarus):
    case, cls = belarus
    found = contradictions(case.statements, cls, RULES)
    pairs = {(c.first, c.second): c.stances for c in found}
    assert pairs[("ST-13", "ST-32")] == ("denies_involvement", "co_aggressor")  # "not participated" vs "co-aggressors"
    assert pairs[("ST-05", "ST-08")] == ("admits_launches", "denies_involvement")
    assert pairs[("ST-01", "ST-22")] == ("denies_involvement", "co_aggressor")  # vs "our participation"
    assert {c.speaker for c in found} == {"act-lukashenka"}
    made = {st.id: st.made.value for st in case.statements}
    order = [(made[c.first], c.first, made[c.second], c.second) for c in found]
    assert order == sorted(order)
