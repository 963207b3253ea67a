"""Trusted timestamps (RFC 3161) for signed heads: requests carry the head's hash, heads
wait in a queue that an unreachable TSA never blocks, and tokens are accepted only for
the head they name, signed by a TSA the given roots vouch for. The TSA here is the test's
own (tsa.py: asn1crypto and cryptography), served on 127.0.0.1."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from rfc3161_client import decode_timestamp_response

from whopushed.ledger import log
from whopushed.ledger import timestamps as ts
from whopushed.ledger.capture import capture_file
from whopushed.ledger.verify import verify
from whopushed.store import tables as t

from .servers import closed_port, local_network_only, serve  # noqa: F401
from .tsa import LocalTSA, handler_for

pytestmark = pytest.mark.usefixtures("local_network_only")


@pytest.fixture(scope="module")
def tsa():
    return LocalTSA.create("Test")


def _signed(bench, tmp_path, n=2) -> list[log.TreeHead]:
    for i in range(n):
        f = tmp_path / f"f{i}.txt"
        f.write_text(f"evidence {i}")
        capture_file(bench.engine, bench.blobs, f, source=None, actor="a", signer=bench.signer)
    with bench.engine.connect() as conn:
        return ts.pending(conn)


def _statuses(bench) -> dict[int, str]:
    with bench.engine.connect() as conn:
        return dict(conn.execute(sa.select(t.tree_heads.c.size, t.tree_heads.c.timestamp_status)).all())


def _set_token(bench, size, token, status="stamped"):
    with bench.engine.begin() as conn:
        conn.execute(t.tree_heads.update().where(t.tree_heads.c.size == size)
                     .values(timestamp_status=status, timestamp_token=token))


def test_a_request_carries_the_sha256_of_the_bytes_the_heads_signature_covers(sqlite_bench, tmp_path):
    head = _signed(sqlite_bench, tmp_path, 1)[0]
    request = ts.build_request(head)
    assert request.message_imprint.message == hashlib.sha256(head.message()).digest()
    assert request.message_imprint.hash_algorithm.dotted_string == ts.SHA256_OID
    assert request.nonce is not None and request.cert_req
    assert ts.build_request(head).nonce != request.nonce  # a fresh nonce each time


def test_every_signed_head_is_queued_and_an_unreachable_tsa_leaves_them_queued(sqlite_bench, tmp_path):
    heads = _signed(sqlite_bench, tmp_path, 2)
    assert set(_statuses(sqlite_bench).values()) == {"queued"} and len(heads) == 2
    outcomes = ts.stamp_pending(sqlite_bench.engine, f"http://127.0.0.1:{closed_port()}/tsr", timeout=2)
    assert [o.status for o in outcomes] == ["queued"] and "cannot be reached" in outcomes[0].message
    assert set(_statuses(sqlite_bench).values()) == {"queued"}
    report = verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key)
    assert report.ok and any("waiting for a trusted timestamp" in w.message for w in report.warnings)


def test_a_local_tsa_stamps_the_queue_and_verify_accepts_its_tokens(sqlite_bench, tmp_path, tsa):
    heads = _signed(sqlite_bench, tmp_path, 2)
    seen: list = []
    with serve(handler_for(tsa, seen=seen)) as base:
        outcomes = ts.stamp_pending(sqlite_bench.engine, f"{base}/tsr", roots=[tsa.ca])
    assert [(o.size, o.status) for o in outcomes] == [(h.size, "stamped") for h in heads]
    assert outcomes[0].stamp.tsa == "CN=Test TSA" and outcomes[0].stamp.anchored
    assert all(ctype == "application/timestamp-query" for ctype, _ in seen)
    assert set(_statuses(sqlite_bench).values()) == {"stamped"}
    report = verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key, [tsa.ca])
    assert report.ok and not [w for w in report.warnings if w.kind == "head"]
    unanchored = verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key)
    assert unanchored.ok and any("signature was not checked" in w.message for w in unanchored.warnings)


def test_verify_rejects_a_token_for_another_hash(sqlite_bench, tmp_path, tsa):
    head = _signed(sqlite_bench, tmp_path, 1)[0]
    good = tsa.respond(ts.imprint(head))
    assert ts.check_token(good, head, [tsa.ca]).anchored
    _set_token(sqlite_bench, head.size, good)
    assert verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key, [tsa.ca]).ok
    other = tsa.respond(hashlib.sha256(b"another head").digest())
    _set_token(sqlite_bench, head.size, other)
    for roots in ([tsa.ca], None):  # the imprint is checked with or without roots
        report = verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key, roots)
        problem = next(p for p in report.problems if p.kind == "head")
        assert not report.ok and problem.id == str(head.size) and "for another hash" in problem.message


def test_a_token_from_a_tsa_the_roots_do_not_vouch_for_is_rejected(sqlite_bench, tmp_path, tsa):
    head = _signed(sqlite_bench, tmp_path, 1)[0]
    stranger = LocalTSA.create("Stranger")
    token = stranger.respond(ts.imprint(head))
    with pytest.raises(ts.TimestampError, match="does not verify against the given roots"):
        ts.check_token(token, head, [tsa.ca])
    _set_token(sqlite_bench, head.size, token)
    report = verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key, [tsa.ca])
    assert [(p.kind, p.id) for p in report.problems] == [("head", str(head.size))]


def test_a_damaged_token_or_a_token_without_its_status_is_named(sqlite_bench, tmp_path, tsa):
    head = _signed(sqlite_bench, tmp_path, 1)[0]
    token = bytearray(tsa.respond(ts.imprint(head)))
    token[-10] ^= 0x01  # inside the signature
    _set_token(sqlite_bench, head.size, bytes(token))
    report = verify(sqlite_bench.engine, sqlite_bench.blobs, sqlite_bench.signer.public_key, [tsa.ca])
    assert ("head", str(head.size)) in {(p.kind, p.id) for p in report.problems}
    _set_token(sqlite_bench, head.size, b"not DER at all")
    assert "not an RFC 3161" in verify(sqlite_bench.engine, sqlite_bench.blobs).problems[0].message
    _set_token(sqlite_bench, head.size, tsa.respond(ts.imprint(head)), status="queued")
    assert "holds a timestamp token" in verify(sqlite_bench.engine, sqlite_bench.blobs).problems[0].message
    _set_token(sqlite_bench, head.size, None)
    assert "no token" in verify(sqlite_bench.engine, sqlite_bench.blobs).problems[0].message


def test_a_reply_to_another_request_is_refused_by_its_nonce(sqlite_bench, tmp_path, tsa):
    head = _signed(sqlite_bench, tmp_path, 1)[0]
    request = ts.build_request(head)
    replayed = tsa.respond(ts.imprint(head), nonce=(request.nonce or 0) + 1)
    with pytest.raises(ts.TimestampError, match="nonce"):
        ts.check_token(replayed, head, [tsa.ca], nonce=request.nonce)
    assert decode_timestamp_response(replayed).tst_info.message_imprint.message == ts.imprint(head)


def test_a_tsa_refusal_marks_the_head_failed_and_retry_failed_asks_again(sqlite_bench, tmp_path, tsa):
    head = _signed(sqlite_bench, tmp_path, 1)[0]
    with serve(handler_for(tsa, status="rejection")) as base:
        outcomes = ts.stamp_pending(sqlite_bench.engine, f"{base}/tsr")
    assert outcomes[0].status == "failed" and "did not grant it (status 2" in outcomes[0].message
    assert _statuses(sqlite_bench) == {head.size: "failed"}
    assert verify(sqlite_bench.engine, sqlite_bench.blobs).ok
    unreachable = f"http://127.0.0.1:{closed_port()}/"
    assert ts.stamp_pending(sqlite_bench.engine, unreachable) == []  # failed heads wait for --retry-failed
    assert ts.stamp_pending(sqlite_bench.engine, unreachable, retry_failed=True)[0].status == "queued"
    assert _statuses(sqlite_bench) == {head.size: "queued"}
    with serve(handler_for(tsa)) as base:
        assert ts.stamp_pending(sqlite_bench.engine, f"{base}/tsr", roots=[tsa.ca])[0].status == "stamped"


def test_ledger_timestamp_on_the_command_line_queues_stamps_and_verify_checks(tmp_path, tsa):
    import json

    from typer.testing import CliRunner

    from whopushed.cli import app

    def cli(*args, code=0):
        result = CliRunner().invoke(app, [str(a) for a in args], env={"WHOPUSHED_WORKSPACE": str(ws)},
                                    catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    ws = tmp_path / "ws"
    cli("init", ws)
    f = tmp_path / "a.txt"
    f.write_text("evidence")
    cli("capture", f)
    listed = json.loads(cli("ledger", "timestamp", "--json").stdout)
    assert listed["heads"]["queued"] == 1 and listed["outcomes"] == []
    down = json.loads(cli("ledger", "timestamp", "--tsa", f"http://127.0.0.1:{closed_port()}/", "--json", code=3).stdout)
    assert down["outcomes"][0]["status"] == "queued" and down["heads"]["queued"] == 1
    roots = tmp_path / "roots.pem"
    roots.write_bytes(tsa.ca_pem)
    with serve(handler_for(tsa)) as base:
        done = json.loads(cli("ledger", "timestamp", "--tsa", f"{base}/tsr", "--tsa-roots", roots, "--json").stdout)
    assert done["heads"]["stamped"] == 1 and done["outcomes"][0]["stamp"]["anchored"]
    assert json.loads(cli("verify", "--tsa-roots", roots, "--json").stdout)["ok"]
    written = json.loads(cli("ledger", "token", "--out", tmp_path / "head.tsr", "--json").stdout)
    assert (tmp_path / "head.tsr").read_bytes()[:1] == b"\x30" and written["size"] == done["outcomes"][0]["size"]
    (ws / ".whopushed" / "tsa-roots.pem").write_bytes(LocalTSA.create("Other").ca_pem)
    report = json.loads(cli("verify", "--json", code=1).stdout)  # the workspace's roots vouch for another TSA
    assert report["problems"][0]["kind"] == "head" and "given roots" in report["problems"][0]["message"]
