"""The custody log on SQLite and PostgreSQL: imports and claim changes logged in their own
transaction, signed heads, proofs a third party can check, and verify naming what broke."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from whopushed.ledger import log, merkle
from whopushed.ledger.keys import load_signer
from whopushed.ledger.records import add_claim, grade_claim, link_claim, retract_claim
from whopushed.ledger.verify import verify
from whopushed.model import Claim
from whopushed.store import StoreError
from whopushed.store import search as search_mod
from whopushed.store import tables as t

from store.fixtures import make_case, replaced  # tests/ is on sys.path (rootdir conftest)


def entries(bench) -> list[log.Entry]:
    with bench.engine.connect() as conn:
        return [log.entry_from_row(r) for r in conn.execute(sa.select(t.ledger_entries).order_by(t.ledger_entries.c.seq))]


def check(bench):
    return verify(bench.engine, bench.blobs, bench.signer.public_key)


def test_import_logs_each_added_record_and_signs_one_head(bench):
    case = make_case()
    report = bench.store.import_case(case, actor="analyst-1")
    logged = entries(bench)
    assert [e.record_id for e in logged] == [case.case.id, *report.changed_ids]
    assert {e.action for e in logged} == {"import"} and {e.actor for e in logged} == {"analyst-1"}
    assert all(e.prev is None for e in logged)
    with bench.engine.connect() as conn:
        head = log.latest_head(conn)
    assert head.size == len(logged) and head.check(bench.signer.public_key) is None
    assert check(bench).ok


def test_reimport_logs_only_updates_with_their_previous_value(bench):
    bench.store.import_case(make_case())
    n = len(entries(bench))
    bench.store.import_case(make_case())
    assert len(entries(bench)) == n  # unchanged: nothing logged
    bench.store.import_case(make_case(incidents=replaced("incidents", "INC-02", title="renamed")))
    last = entries(bench)[-1]
    assert (last.seq, last.record_id, last.action) == (n + 1, "INC-02", "import")
    assert last.prev["title"] != "renamed" and last.new["title"] == "renamed"
    assert check(bench).ok


def test_a_failed_import_logs_nothing(bench, monkeypatch):
    bench.store.import_case(make_case(statements=[], sanctions=[]))
    before = entries(bench)
    monkeypatch.setattr(search_mod, "documents", lambda c, r: (_ for _ in ()).throw(RuntimeError("boom"))
                        if c == "sanctions" else [])
    with pytest.raises((RuntimeError, StoreError)):
        bench.store.import_case(make_case())
    assert entries(bench) == before


def _claim(**over) -> Claim:
    return Claim.model_validate({"id": "CL-NEW", "kind": "launch", "party": "act-uaf", "text": "Launched from BY.",
                                 "captures": ["cap-001"], "credibility": "3", "credibility_why": "One report.",
                                 **over})


def test_claim_add_grade_link_retract_are_entries_and_nothing_is_deleted(bench):
    bench.store.import_case(make_case())
    s = bench.signer
    add_claim(bench.engine, _claim(), "a1", s)
    grade_claim(bench.engine, "CL-NEW", "2", "Confirmed by a second source.", "a2", s)
    link_claim(bench.engine, "CL-NEW", "INC-02", None, "a2", s)
    retract_claim(bench.engine, "CL-NEW", "Misread the post.", "a3", s)
    tail = entries(bench)[-4:]
    assert [e.action for e in tail] == ["claim.add", "claim.grade", "claim.link", "claim.retract"]
    assert tail[1].prev["credibility"] == "3" and tail[1].new["credibility"] == "2"
    assert tail[1].why == "Confirmed by a second source."
    assert tail[3].record_id == "CL-NEW-retraction" and tail[3].new["retracts"] == "CL-NEW"
    kept = bench.store.get("CL-NEW")[1]
    assert kept.credibility.value == "2" and kept.incidents == ["INC-02"] and kept.retracts is None
    assert [c.id for c in bench.store.claims(incident="INC-02")].count("CL-NEW") == 1
    assert len(bench.store.revisions("CL-NEW")) == 2
    assert check(bench).ok


def test_a_claim_with_a_dangling_reference_is_refused_and_not_logged(bench):
    bench.store.import_case(make_case())
    n = len(entries(bench))
    with pytest.raises(log.LedgerError, match="no record 'cap-zzz'"):
        add_claim(bench.engine, _claim(captures=["cap-zzz"]), "a1", bench.signer)
    with pytest.raises(log.LedgerError, match="already exists"):
        add_claim(bench.engine, _claim(id="CL-01"), "a1", bench.signer)
    assert len(entries(bench)) == n


def test_inclusion_and_consistency_proofs_check_against_published_heads(bench):
    bench.store.import_case(make_case(statements=[], sanctions=[]))
    with bench.engine.connect() as conn:
        old = log.latest_head(conn)
    published_old = json.loads(json.dumps(old.to_json()))
    bench.store.import_case(make_case())
    with bench.engine.begin() as conn:
        new = log.sign_head(conn, bench.signer)
        inc = log.inclusion_proof(conn, 3, new)
        con = log.consistency_proof(conn, log.TreeHead.from_json(published_old), new)
    key = bench.signer.public_key
    assert log.check_proof(inc, new, key)
    assert log.check_proof(con, log.TreeHead.from_json(published_old), key)
    assert log.check_proof(con, new, key)
    bad = {**inc, "index": inc["index"] + 1}
    with pytest.raises(log.LedgerError):
        log.check_proof(bad, new, key)
    forged = dict(published_old, root="00" * 32)
    with pytest.raises(log.LedgerError, match="signature does not match"):
        log.check_proof(con, log.TreeHead.from_json(forged), key)


def test_a_head_signed_with_another_key_is_rejected(bench, tmp_path):
    from whopushed.ledger.keys import create_key

    bench.store.import_case(make_case())
    create_key(tmp_path)
    other = load_signer(tmp_path)
    with bench.engine.connect() as conn:
        head = log.latest_head(conn)
    assert "carries the public key" in head.check(other.public_key)


def test_verify_names_a_record_changed_or_deleted_outside_the_log(bench):
    bench.store.import_case(make_case())
    with bench.engine.begin() as conn:
        data = conn.execute(sa.select(t.claims.c.data).where(t.claims.c.id == "CL-01")).scalar()
        conn.execute(t.claims.update().where(t.claims.c.id == "CL-01").values(data={**data, "credibility": "1"}))
        conn.execute(t.claim_incidents.delete().where(t.claim_incidents.c.claim_id == "CL-02"))
        conn.execute(t.search_docs.delete().where(t.search_docs.c.record_id == "CL-02"))
        conn.execute(t.claims.delete().where(t.claims.c.id == "CL-02"))
    report = check(bench)
    named = {(p.kind, p.id) for p in report.problems}
    assert named == {("record", "CL-01"), ("record", "CL-02")}


def test_verify_names_a_removed_entry_and_the_heads_it_breaks(bench):
    bench.store.import_case(make_case())
    with bench.engine.begin() as conn:
        conn.execute(t.ledger_entries.delete().where(t.ledger_entries.c.seq == 5))
    report = check(bench)
    assert not report.ok
    assert any(p.kind == "entry" and p.id == "6" for p in report.problems)
    assert any(p.kind == "head" for p in report.problems)


def test_the_tree_root_is_the_rfc6962_root_of_the_entries(bench):
    bench.store.import_case(make_case())
    leaves = [merkle.leaf_hash(e.canonical()) for e in entries(bench)]
    with bench.engine.connect() as conn:
        assert log.latest_head(conn).root == merkle._mth(leaves, 0, len(leaves)).hex()
