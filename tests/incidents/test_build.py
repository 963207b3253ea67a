"""Launch claims into incident records: only unplaced claims, stable ids, repeats marked."""

from __future__ import annotations

from whopushed.incidents.build import AUTO_PREFIX, plan
from whopushed.model import Claim, Incident


def claim(cid, made, territory="BY", quote=None, party=None, incidents=(), **kw):
    return Claim.model_validate(dict(
        id=cid, kind="launch", party=party or f"act-{cid}", text="Reports a launch.", captures=[f"cap-{cid}"],
        made=made, when=kw.pop("when", None) or made, launch_territory=territory, weapons=["Shahed-136"],
        quote=quote or f"text of {cid} " + cid * 5, incidents=list(incidents), credibility="6",
        credibility_why="detected", **kw))


def test_reports_of_one_night_become_one_incident_and_a_copy_is_marked_as_a_repeat():
    text = "Шахеды запущены с территории Беларуси, курс на Житомир, около 10 штук"
    claims = [claim("a", "2024-03-01T01:00Z", quote=text), claim("b", "2024-03-01T01:20Z", quote=text + "!"),
              claim("c", "2024-03-01T02:10Z", territory=None), claim("d", "2024-03-02T01:00Z")]
    p = plan(claims, {})
    (first, second) = [g for _, g in p.groups]
    assert sorted(first.reports) == ["a", "b", "c"] and second.reports == ["d"]
    by_id = {c.id: c for c in p.claims}
    assert by_id["b"].repeats == "a" and by_id["a"].repeats is None
    iid = by_id["a"].incidents[0]
    assert iid.startswith(AUTO_PREFIX) and by_id["c"].incidents == [iid]
    inc = next(i for i in p.incidents if i.id == iid)
    assert inc.launch_territory == "BY" and inc.kind.value == "launch" and "1 repeat" in inc.summary


def test_a_night_of_posts_does_not_chain_into_one_incident():
    # windows that overlap pairwise in a chain, but no moment is common to all
    claims = [claim(f"r{i}", made=f"2024-03-01T{i:02d}:00Z") for i in range(0, 12)]
    p = plan(claims, {})
    assert len(p.groups) >= 4


def test_claims_a_person_placed_are_left_alone_and_contrary_claims_are_not_grouped():
    claims = [claim("a", "2024-03-01T01:00Z", incidents=["INC-07"]),
              claim("b", "2024-03-01T01:00Z", polarity="denies"),
              claim("c", "2024-03-01T01:00Z")]
    p = plan(claims, {})
    assert [g.reports for _, g in p.groups] == [["c"]]


def test_rerunning_with_new_claims_keeps_the_incident_id_and_marks_an_emptied_one():
    first = plan([claim("a", "2024-03-01T01:00Z")], {})
    (inc,) = first.incidents
    placed = [c for c in first.claims]
    again = plan(placed, {inc.id: inc})
    assert again.incidents == [] and again.claims == []  # nothing to write
    grown = plan(placed + [claim("b", "2024-03-01T01:30Z")], {inc.id: inc})
    assert [iid for iid, _ in grown.groups] == [inc.id]
    stale = Incident(id=AUTO_PREFIX + "OLD", kind="launch", title="t", when="2024-01-01")
    p = plan(placed, {inc.id: inc, stale.id: stale})
    assert [i.id for i in p.emptied] == [stale.id] and "regrouped" in p.emptied[0].excluded


def test_a_claim_without_a_time_is_reported_not_grouped():
    c = claim("a", "2024-03-01T01:00Z").model_copy(update={"when": None, "made": None})
    assert plan([c], {}).unplaced == ["a"]
