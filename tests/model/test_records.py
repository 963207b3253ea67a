import pytest
from pydantic import ValidationError

from whopushed.model import Capture, Claim, Credibility, Reliability, Sensitivity


def test_cannot_be_judged_grades_are_not_ranked_below_the_worst():
    assert not Reliability.F.judged and Reliability.E.judged
    assert not Credibility.c6.judged and Credibility.c5.judged
    assert "cannot be judged" in Reliability.F.label
    assert "cannot be judged" in Credibility.c6.label


def _claim(**kw):
    base = dict(id="c1", kind="launch", party="act-x", text="t", captures=["cap-1"],
                credibility="2", credibility_why="two independent reports")
    base.update(kw)
    return Claim.model_validate(base)


def test_a_claim_must_cite_a_capture_and_name_its_party():
    with pytest.raises(ValidationError, match="captures"):
        _claim(captures=[])
    with pytest.raises(ValidationError, match="party"):
        Claim.model_validate({"id": "c", "kind": "launch", "text": "t", "captures": ["x"],
                              "credibility": "2", "credibility_why": "why not"})


def test_an_operator_claim_names_the_operator():
    with pytest.raises(ValidationError, match="operator"):
        _claim(kind="operator")
    assert _claim(kind="operator", operator_state="RU").operator_state == "RU"


def test_unknown_fields_are_rejected_not_dropped():
    with pytest.raises(ValidationError, match="colour"):
        _claim(colour="red")


def test_every_record_has_a_sensitivity_public_by_default():
    assert _claim().sensitivity is Sensitivity.public
    assert _claim(sensitivity="private").sensitivity is Sensitivity.private


def test_citation_only_and_preserved_captures_stay_distinct():
    cited = Capture(id="a", source="s", url="https://x.example/1", title="t")
    kept = Capture(id="b", source="s", title="t", sha256="a" * 64, size=10)
    assert cited.citation_only and cited.preservation == "citation-only"
    assert not kept.citation_only and kept.preservation == "preserved"
    with pytest.raises(ValidationError, match="size"):
        Capture(id="c", source="s", title="t", sha256="a" * 64)
    with pytest.raises(ValidationError, match="url"):
        Capture(id="d", source="s", title="t")
    with pytest.raises(ValidationError, match="sha256"):
        Capture(id="e", source="s", title="t", sha256="xyz", size=1)


def test_launch_territory_is_an_iso_code_or_sea_or_air():
    assert _claim(launch_territory="AIR").launch_territory == "AIR"
    with pytest.raises(ValidationError):
        _claim(launch_territory="Belarus")


def test_a_statement_with_the_old_single_stance_still_loads_and_is_left_to_the_rules():
    from whopushed.model import Statement

    old = {"id": "ST-1", "speaker": "act-x", "made": "2022-02-24", "quote": "q", "language": "en",
           "stance": "denies", "captures": ["cap-1"], "credibility": "2", "credibility_why": "said on TV"}
    assert Statement.model_validate(old).stances == []
    with pytest.raises(ValidationError, match="stances"):
        Statement.model_validate({**old, "stances": ["denies"]})  # the old words are not stances
