"""`whopushed determine` on the Belarus case, end to end on SQLite and PostgreSQL."""

import shutil

import pytest
import yaml

from clihelp import BELARUS, cli as run, cli_json as run_json


FIVE = {"party_to_conflict", "aggression_art3f", "aid_or_assistance_art16", "occupation", "state_responsibility"}


@pytest.fixture
def belarus_db(store_url):
    run("import", "case", BELARUS, db=store_url)
    return store_url


def test_the_determination_has_the_five_conclusions_each_explained(belarus_db):
    d = run_json("determine", db=belarus_db)
    assert len(d["rulebook_sha256"]) == 64
    by_id = {c["id"]: c for c in d["conclusions"]}
    assert FIVE <= set(by_id)
    for cid in FIVE:
        c = by_id[cid]
        assert c["standard"] and set(c["support"]) == {"pro", "con"} and c["premises"] and c["rules"]
        assert all(r["source"] for r in c["rules"])
    assert by_id["policy_sanctions_alignment"]["kind"] == "policy"
    assert not by_id["party_to_conflict"]["established"]
    assert by_id["aggression_art3f"]["established"] and by_id["aid_or_assistance_art16"]["established"]
    assert by_id["state_responsibility"]["consequences"]


def test_a_flip_names_the_belarusian_crew_finding_for_party_to_conflict(belarus_db):
    d = run_json("determine", db=belarus_db)
    crew = [f for f in d["flips"] if f["finding"] == "crew_organ" and f["to"] == "established"]
    assert crew
    assert {"conclusion": "party_to_conflict", "from": False, "to": True} in crew[0]["changes"]


def test_the_chain_from_conclusion_to_source_url_holds(belarus_db):
    d = run_json("determine", db=belarus_db)
    aggression = next(c for c in d["conclusions"] if c["id"] == "aggression_art3f")
    premise = next(p for p in aggression["premises"] if p["ref"] == "launch_from_territory")
    assert premise["holds"] and premise["kind"] == "finding"
    items = [e for e in aggression["evidence"] if e["finding"] == "launch_from_territory" and e["type"] == "incident"]
    assert items
    incidents = run_json("incidents", "--launched-from", "BY", db=belarus_db)
    from_by = {i["id"] for i in incidents}
    for item in items:
        assert item["id"] in from_by  # the incident is a launch from Belarus
        shown = run_json("show", item["cites"][0], db=belarus_db)  # a claim reporting it
        assert shown["collection"] == "claims" and item["id"] in shown["incidents"]
        assert item["sources"] and all(s["url"].startswith("http") for s in item["sources"])


def test_as_of_the_first_week_differs_and_says_why(belarus_db):
    now = run_json("determine", db=belarus_db)
    then = run_json("determine", "--as-of", "2022-03-01", db=belarus_db)
    assert then["as_of"] == "2022-03-01" and sum(then["left_out"].values()) > 0
    status = lambda d: {c["id"]: c["established"] for c in d["conclusions"]}
    assert status(now) != status(then)
    diffs = then["compared_with_all_evidence"]
    assert diffs and all(d["findings_moved"] for d in diffs)
    assert {d["conclusion"] for d in diffs} == {k for k in status(now) if status(now)[k] != status(then)[k]}


def test_verified_belarusian_crew_launches_make_belarus_a_party_as_the_flip_predicted(store_url, tmp_path):
    case = tmp_path / "case"
    shutil.copytree(BELARUS, case)
    claims, captures = [], []
    # three incidents, each verified from its own new source: independent of one another
    for n, incident in enumerate(["INC-04", "INC-12", "INC-17"]):
        captures.append({"id": f"cap-test-{n}", "source": "src-interfax", "url": f"https://example.org/verified/{n}",
                         "title": f"Imagery of a Belarusian crew at the launcher ({incident})", "published": "2026-11-01"})
        claims.append({"id": f"test-by-crew-{n}", "kind": "operator", "party": "act-us-dod",
                       "text": "A Belarusian crew fired the missile, verified from imagery of the launcher.",
                       "captures": [f"cap-test-{n}"], "incidents": [incident], "operator_state": "BY",
                       "credibility": "1", "credibility_why": "Verified by imagery and two independent reports."})
    (case / "zz-verified.yaml").write_text(yaml.safe_dump({"captures": captures, "claims": claims}))
    run("import", "case", case, db=store_url)
    d = run_json("determine", db=store_url)
    party = next(c for c in d["conclusions"] if c["id"] == "party_to_conflict")
    assert party["established"]
    crew = next(f for f in d["findings"] if f["id"] == "crew_organ")
    assert crew["pro"] > 0.4


def test_a_broken_rulebook_is_refused_and_never_replaced(belarus_db, tmp_path):
    from whopushed.rulefiles import load_yaml
    book = load_yaml("rulebook.yaml")
    book["rules"][1]["premises"][0] = {"finding": "vibes", "standard": "preponderance"}
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(book))
    result = run("determine", "--rulebook", path, db=belarus_db, ok=False)
    assert result.exit_code == 2 and "R2a" in result.stderr and "vibes" in result.stderr
    assert not result.stdout


def test_a_replacement_rulebook_is_used_and_its_hash_recorded(belarus_db, tmp_path):
    from whopushed.rulefiles import load_yaml
    book = load_yaml("rulebook.yaml")
    for rule in book["rules"]:
        if rule["id"] == "R3":
            rule["premises"].append({"finding": "coordination", "standard": "clear_and_convincing"})
    path = tmp_path / "strict.yaml"
    path.write_text(yaml.safe_dump(book))
    shipped = run_json("determine", db=belarus_db)
    strict = run_json("determine", "--rulebook", path, db=belarus_db)
    assert strict["rulebook_sha256"] != shipped["rulebook_sha256"]
    assert not next(c for c in strict["conclusions"] if c["id"] == "aggression_art3f")["established"]
