"""The bundled Belarus case: complete, sourced, graded in our own words, contested facts kept apart."""

import json
from pathlib import Path

import pytest

from whopushed.ingest.casefile import read_case
from whopushed.model import ClaimKind, IncidentKind
from whopushed.reason.contested import contested

ROOT = Path(__file__).parents[2]
FACTBASE = ROOT.parent / "shared" / "data" / "belarus-factbase.json"


@pytest.fixture(scope="module")
def case():
    return read_case(ROOT / "cases" / "belarus")


@pytest.fixture(scope="module")
def factbase():
    if not FACTBASE.exists():
        pytest.skip("../shared/data/belarus-factbase.json is not beside the checkout")
    return json.loads(FACTBASE.read_text(encoding="utf-8"))


def test_every_factbase_record_is_carried(case, factbase):
    ids = set(case.by_id())
    incidents = {i.id for i in case.incidents}
    for rec in factbase["incidents"]:
        # a statement that launches stopped is a claim, not an incident
        assert rec["id"] in ids, rec["id"]
    for key in ("statements", "participation_claims", "sanctions"):
        for rec in factbase[key]:
            assert rec["id"] in ids, rec["id"]
    assert len([i for i in incidents if i.startswith("INC-")]) == 24
    assert len(case.statements) == 40 and len(case.sanctions) == 14
    assert len([i for i in case.incidents if i.excluded]) == len(factbase["meta"]["checked_and_excluded"]) == 4


def test_the_statement_that_launches_stopped_is_a_claim_not_an_incident(case):
    index = case.by_id()
    stopped = index["INC-25"]
    assert stopped in case.claims and stopped.kind is ClaimKind.status


def test_every_record_has_a_source(case):
    captures = {c.id: c for c in case.captures}
    sources = {s.id for s in case.sources}
    for rec in [*case.claims, *case.statements, *case.sanctions]:
        assert rec.captures, rec.id
        for cid in rec.captures:
            cap = captures[cid]
            assert cap.source in sources and (cap.url or cap.sha256), cid
    cited_incidents = {i for c in case.claims for i in c.incidents}
    for inc in case.incidents:
        assert inc.id in cited_incidents, f"{inc.id} has no claim reporting it"


def test_every_grade_has_a_one_line_reason_of_our_own(case, factbase):
    notes = []
    for key in ("incidents", "statements", "participation_claims", "sanctions"):
        for rec in factbase[key]:
            notes += [rec.get("confidence_note") or "", (rec.get("verification") or {}).get("note") or ""]
    reasons = [s.reliability_why for s in case.sources] + \
              [r.credibility_why for r in [*case.claims, *case.statements]]
    for why in reasons:
        assert "\n" not in why and len(why) <= 300 and "TODO" not in why, why
        for note in notes:
            # no reason may lift a run of 60 characters from the fact base's analyst notes
            for start in range(0, max(0, len(why) - 60), 10):
                assert why[start:start + 60] not in note, why


def test_launch_incidents_from_belarus_have_source_urls(case):
    by_incident = {}
    captures = {c.id: c for c in case.captures}
    for claim in case.claims:
        for inc in claim.incidents:
            by_incident.setdefault(inc, []).extend(captures[c].url for c in claim.captures)
    launches = [i for i in case.incidents if i.kind is IncidentKind.launch and i.launch_territory == "BY"
                and not i.excluded]
    assert len(launches) >= 15
    for inc in launches:
        assert any(u and u.startswith("http") for u in by_incident[inc.id]), inc.id


def test_the_three_first_launch_times_are_three_claims_by_three_parties(case):
    firsts = [c for c in case.claims if c.kind is ClaimKind.launch and c.when is not None
              and set(c.incidents) & {"INC-01", "INC-02"}
              and c.when.value[:10] in ("2022-02-23", "2022-02-24") and "T" in c.when.value]
    assert len({c.party for c in firsts}) >= 3
    assert {c.party for c in firsts} >= {"act-lukashenka", "act-hajun"}
    contests = [k for k in contested(case.incidents, case.claims) if k.fact == "time"
                and k.incident in ("INC-01", "INC-02")]
    assert contests, "the conflicting first-launch times must show as contested"


def test_no_claim_has_a_belarusian_crew_launching_as_an_established_fact(case):
    # The sources read name only Russian operators; any claim of a Belarusian crew is an
    # unverified assertion and must not be graded as confirmed.
    for claim in case.claims:
        if claim.kind is ClaimKind.operator and claim.operator_state == "BY" and claim.polarity.value == "affirms":
            assert claim.credibility.value not in ("1", "2"), claim.id


def test_sortie_and_base_records_are_not_launches(case):
    kinds = {i.id: i.kind for i in case.incidents}
    assert kinds["INC-20"] is IncidentKind.sortie and kinds["INC-21"] is IncidentKind.sortie
    assert kinds["INC-15"] is IncidentKind.base_activity
