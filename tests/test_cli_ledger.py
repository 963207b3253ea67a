"""The ledger's commands as a user types them: capture, verify catching a flipped byte,
heads and proofs checked with no workspace, claims changed through the log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whopushed.cli import app

runner = CliRunner()
BELARUS = Path(__file__).resolve().parents[1] / "cases" / "belarus"


def cli(*args, ws=None, db=None, code=0):
    env = {"WHOPUSHED_WORKSPACE": str(ws) if ws else None, "WHOPUSHED_DB": db}
    result = runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def js(*args, **kw):
    return json.loads(cli(*args, "--json", **kw).stdout)


@pytest.fixture
def ws(tmp_path):
    folder = tmp_path / "ws"
    cli("init", folder)
    return folder


def _html(path: Path, text: str) -> Path:
    path.write_text(f"<html><head><script>x()</script></head><body><p>{text}</p></body></html>")
    return path


def test_init_creates_a_private_signing_key(ws):
    key = ws / ".whopushed" / "ledger-key.pem"
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert key.stat().st_mode & 0o777 == 0o600


def test_capture_prints_id_sha256_media_type_and_size_and_a_rerun_adds_nothing(ws, tmp_path):
    a = _html(tmp_path / "a.html", "Launch near Mozyr")
    b = tmp_path / "b.pdf"
    b.write_bytes(b"%PDF-1.4\n% not a real pdf\n")
    got = js("capture", a, b, ws=ws)
    assert [set(g) for g in got] == [{"id", "sha256", "media_type", "size"}] * 2
    assert [g["media_type"] for g in got] == ["text/html", "application/pdf"]
    assert got[0]["size"] == a.stat().st_size
    assert js("capture", a, b, ws=ws) == got
    entries = js("ledger", "log", ws=ws)
    assert [e["action"] for e in entries] == ["source.add", "capture", "derive", "capture"]
    derived = entries[2]["new"]
    text = (ws / ".whopushed" / "blobs" / derived["sha256"][:2] / derived["sha256"]).read_text()
    assert text == "Launch near Mozyr" and derived["parent"] == got[0]["id"]


def test_a_flipped_byte_in_a_capture_fails_verify_naming_it_and_restoring_it_passes(ws, tmp_path):
    cap = js("capture", _html(tmp_path / "a.html", "evidence"), ws=ws)[0]
    assert cli("verify", ws=ws).exit_code == 0
    blob = ws / ".whopushed" / "blobs" / cap["sha256"][:2] / cap["sha256"]
    original = blob.read_bytes()
    os.chmod(blob, 0o644)
    blob.write_bytes(original[:5] + bytes([original[5] ^ 1]) + original[6:])
    report = js("verify", ws=ws, code=1)
    assert not report["ok"]
    assert {"kind": "capture", "id": cap["id"]}.items() <= next(p for p in report["problems"] if p["kind"] == "capture").items()
    assert cap["id"] in cli("verify", ws=ws, code=1).output
    blob.write_bytes(original)
    assert js("verify", ws=ws)["ok"]


def test_inclusion_and_consistency_proofs_check_against_a_head_printed_earlier(ws, tmp_path):
    cli("import", "case", BELARUS, ws=ws)
    old = js("ledger", "head", ws=ws)
    (tmp_path / "old.json").write_text(json.dumps(old))
    cap = js("capture", _html(tmp_path / "a.html", "later"), ws=ws)[0]
    head = js("ledger", "head", ws=ws)
    assert head["size"] > old["size"]
    proof = cli("ledger", "prove", cap["id"], ws=ws).stdout
    (tmp_path / "inc.json").write_text(proof)
    (tmp_path / "head.json").write_text(json.dumps(head))
    key = head["public_key"]
    # no workspace for the checker: a bare folder, nothing in the environment
    assert js("ledger", "check-proof", tmp_path / "inc.json", "--head", tmp_path / "head.json", "--key", key)["valid"]
    cons = cli("ledger", "consistency", tmp_path / "old.json", ws=ws).stdout
    assert js("ledger", "check-proof", cons, "--head", json.dumps(old), "--key", key)["valid"]
    entry_proof = cli("ledger", "prove", "3", ws=ws).stdout
    assert js("ledger", "check-proof", entry_proof, "--head", json.dumps(head), "--key", key)["valid"]


def test_check_proof_rejects_a_forged_head_a_wrong_key_and_a_mismatched_proof(ws, tmp_path):
    cli("import", "case", BELARUS, ws=ws)
    head = js("ledger", "head", ws=ws)
    proof = cli("ledger", "prove", "INC-04", ws=ws).stdout
    forged = dict(head, root="00" * 32)
    assert not js("ledger", "check-proof", proof, "--head", json.dumps(forged), "--key", head["public_key"], code=1)["valid"]
    wrong = "A" * 43 + "="
    assert not js("ledger", "check-proof", proof, "--head", json.dumps(head), "--key", wrong, code=1)["valid"]
    bad = dict(json.loads(proof), index=0)
    assert not js("ledger", "check-proof", json.dumps(bad), "--head", json.dumps(head), "--key", head["public_key"], code=1)["valid"]


def test_check_proof_names_the_file_and_position_of_broken_json(tmp_path):
    broken = tmp_path / "proof.json"
    broken.write_text('{"format": "x",\n  "proof": [oops]}')
    result = cli("ledger", "check-proof", broken, "--head", "{}", "--key", "A" * 43 + "=", code=2)
    assert f"{broken}:2:13" in result.output


def test_claim_commands_write_through_the_log(ws, tmp_path):
    cli("import", "case", BELARUS, ws=ws)
    cap = js("capture", _html(tmp_path / "a.html", "evidence"), ws=ws)[0]
    snippet = tmp_path / "claim.yaml"
    snippet.write_text(f"id: cl-new\nkind: launch\nparty: act-lukashenka\ntext: A launch.\ncaptures: [{cap['id']}]\n"
                       "credibility: '3'\ncredibility_why: One report only.\n")
    assert js("claim", "add", "--from-yaml", snippet, ws=ws)[0]["action"] == "claim.add"
    graded = js("claim", "grade", "cl-new", "--credibility", "2", "--why", "A second source.", ws=ws)[0]
    assert graded["prev"]["credibility"] == "3" and graded["new"]["credibility"] == "2"
    assert js("claim", "link", "cl-new", "INC-04", ws=ws)[0]["new"]["incidents"] == ["INC-04"]
    retraction = js("claim", "retract", "cl-new", "--why", "Misread the post.", ws=ws)[0]
    assert retraction["new"]["retracts"] == "cl-new"
    shown = js("show", "cl-new", ws=ws)
    assert shown["id"] == "cl-new"  # still there, unchanged by the retraction
    assert js("verify", ws=ws)["ok"]


def test_claim_add_names_the_yaml_file_line_and_field_of_a_bad_claim(ws, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: cl-x\nkind: [launch\n")
    assert f"{bad}:3:1" in cli("claim", "add", "--from-yaml", bad, ws=ws, code=2).output
    bad.write_text("id: cl-x\nkind: launch\nparty: act-x\ntext: t\ncaptures: [c]\ncredibility: '9'\n")
    out = cli("claim", "add", "--from-yaml", bad, ws=ws, code=2).output
    assert str(bad) in out and "credibility" in out


def test_a_database_without_a_workspace_is_explained_for_commands_that_sign(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'only.db'}"
    monkeypatch.chdir(tmp_path)
    out = cli("capture", _html(tmp_path / "a.html", "x"), db=db, code=2).output
    assert "--db names a database, not a workspace" in " ".join(out.split())
    assert "whopushed --db URL init DIR" in " ".join(out.split())
    assert js("verify", db=db)["ok"]  # read-only checks still run, with a note


def test_import_case_signs_a_head_covering_what_it_imported(ws):
    cli("import", "case", BELARUS, ws=ws)
    report = js("verify", ws=ws)  # verify signs nothing: the head is the import's
    assert report["ok"] and report["checked"]["heads"] == 1
    assert not [w for w in report["warnings"] if "not yet covered" in w["message"]]
    assert not any(js("import", "case", BELARUS, ws=ws)["added"].values())  # nothing new: no new head either
    assert js("verify", ws=ws)["checked"]["heads"] == 1


def test_ledger_summary_gives_the_signed_head_for_the_overview_page(ws, tmp_path):
    from whopushed.ledger.summary import ledger_summary

    cli("import", "case", BELARUS, ws=ws)
    js("capture", _html(tmp_path / "a.html", "later"), ws=ws)
    summary = ledger_summary(ws)
    head = js("ledger", "head", ws=ws)
    assert {k: summary[k] for k in ("size", "root", "signature", "public_key", "signed_at")} == \
        {k: head[k] for k in ("size", "root", "signature", "public_key", "signed_at")}
    assert summary["head"] == head and summary["covers_all"] and summary["entries"] == head["size"]
    assert summary["captures"]["preserved"] == 1 and summary["captures"]["citation_only"] > 0
    assert summary["timestamp"] == "queued"
