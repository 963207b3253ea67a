from whopushed.model import Claim, Incident
from whopushed.reason.contested import contested

INC = Incident(id="I1", kind="launch", title="first launch", when="2022-02-24")


def claim(cid, party, **kw):
    return Claim.model_validate(dict(id=cid, kind="launch", party=party, text="t", captures=["c"],
                                     incidents=["I1"], credibility="3", credibility_why="one source", **kw))


def test_times_that_cannot_both_hold_are_contested_with_each_party():
    found = contested([INC], [claim("a", "p1", when="2022-02-23T23:00+02:00"),
                              claim("b", "p2", when="2022-02-24T05:00+02:00"),
                              claim("c", "p3", when="2022-02-24T06:20+02:00")])
    times = [c for c in found if c.fact == "time"]
    assert len(times) == 1
    assert {v.parties for v in times[0].versions} == {("p1",), ("p2",), ("p3",)}


def test_a_day_and_a_minute_within_it_do_not_conflict():
    found = contested([INC], [claim("a", "p1", when="2022-02-24"),
                              claim("b", "p2", when="2022-02-24T05:00+00:00")])
    assert not [c for c in found if c.fact == "time"]


def test_overlapping_counts_agree_and_disjoint_counts_conflict():
    assert not contested([INC], [claim("a", "p1", count=24, count_max=30), claim("b", "p2", count=25)])
    found = contested([INC], [claim("a", "p1", count=12), claim("b", "p2", count=20)])
    assert [c.fact for c in found] == ["count"]


def test_affirmed_and_denied_operators_conflict():
    found = contested([INC], [
        Claim.model_validate(dict(id="o1", kind="operator", party="p1", text="t", captures=["c"], incidents=["I1"],
                                  operator_state="BY", credibility="4", credibility_why="unverified")),
        Claim.model_validate(dict(id="o2", kind="operator", party="p2", text="t", captures=["c"], incidents=["I1"],
                                  operator_state="BY", polarity="denies", credibility="3", credibility_why="a party")),
    ])
    assert [c.fact for c in found] == ["operator"]
    assert {v.value for v in found[0].versions} == {"BY", "not BY"}
