"""The frozen evaluation set: its bytes do not change, and the detector keeps its scores on
the part that rules were never tuned on."""

from __future__ import annotations

import collections
import hashlib
from pathlib import Path

from whopushed.extract.evaluate import evaluate, load

EVAL = Path(__file__).parent / "eval" / "launch_reports.v1.jsonl"
FROZEN_SHA256 = "2fb1586cb21569ef48abdce505b135af3e8cb89e937b579aed828ce9361171b1"
EVAL_V2 = Path(__file__).parent / "eval" / "launch_reports.v2.jsonl"
FROZEN_V2_SHA256 = "6f59f4baa636c709329ac2f8cb2f470cdd92249a93583f53d6304fac9bebee8a"


def test_the_evaluation_set_is_frozen():
    # changing the set is a new version (launch_reports.v2.jsonl), never an edit of this one
    assert hashlib.sha256(EVAL.read_bytes()).hexdigest() == FROZEN_SHA256


def test_the_set_has_every_language_and_its_hard_negatives():
    records = load(EVAL)
    assert len(records) >= 300
    per_lang = collections.Counter(r["lang"] for r in records)
    assert set(per_lang) == {"ru", "uk", "be", "en"} and min(per_lang.values()) >= 40
    negatives = [r["text"].lower() for r in records if not r["is_launch_report"]]
    for cue in ("залетел", "залетіл", "учени", "навчан", "вучэнн", "exercise", "взлет", "took off",
                "не было", "no launches"):
        assert any(cue in t for t in negatives), cue
    assert {r["split"] for r in records} == {"tuned", "reported"}


def test_detection_on_the_reported_part_meets_the_targets():
    result = evaluate(load(EVAL), "reported")
    overall = result["all"]
    assert overall["f1"] >= 0.95 and overall["territory_accuracy"] >= 0.95, result["errors"]
    for lang in ("ru", "uk", "be", "en"):
        assert result[lang]["f1"] >= 0.95, (lang, result[lang])


def test_the_v2_set_is_frozen():
    # v2 is v1 unchanged plus new rows (many of them real published texts); a change is a v3
    assert hashlib.sha256(EVAL_V2.read_bytes()).hexdigest() == FROZEN_V2_SHA256
    assert EVAL_V2.read_bytes().startswith(EVAL.read_bytes())


def test_every_v2_row_keeps_the_schema():
    records = load(EVAL_V2)
    assert len(records) >= 300
    assert len({r["id"] for r in records}) == len(records)
    per_lang = collections.Counter(r["lang"] for r in records)
    assert set(per_lang) == {"ru", "uk", "be", "en"} and min(per_lang.values()) >= 40
    territories = {None, "SEA", "AIR"}
    for r in records:
        assert set(r) >= {"id", "lang", "split", "is_launch_report", "launch_territory", "source", "text"}, r["id"]
        assert set(r) <= {"id", "lang", "split", "is_launch_report", "launch_territory", "source", "text",
                          "url", "set"}, r["id"]
        assert r["lang"] in {"ru", "uk", "be", "en"}, r["id"]
        parity = int(hashlib.sha256(r["id"].encode("utf-8")).hexdigest(), 16) % 2
        assert r["split"] == ("reported" if parity else "tuned"), r["id"]
        assert isinstance(r["is_launch_report"], bool) and r["text"].strip() and r["source"].strip(), r["id"]
        t = r["launch_territory"]
        assert t in territories or (isinstance(t, str) and len(t) == 2 and t.isupper()), r["id"]
        assert r["is_launch_report"] or t is None, r["id"]
        if "url" in r:
            assert r["url"].startswith(("http://", "https://")) and " " not in r["url"], r["id"]
        assert r.get("set", "v1") in {"v1", "v2"}, r["id"]
    new = [r for r in records if r.get("set") == "v2"]
    new_per_lang = collections.Counter(r["lang"] for r in new)
    assert len(new) >= 80 and min(new_per_lang[lang] for lang in ("ru", "uk", "be", "en")) >= 20
    assert all("url" in r for r in new if r["source"] != "written to resemble channel posts")


def test_the_evaluation_report_names_the_set_by_its_sha256(capsys):
    import hashlib
    import json
    from pathlib import Path

    from whopushed.extract.evaluate import main

    path = Path(__file__).parent / "eval" / "launch_reports.v2.jsonl"
    assert main([str(path), "tuned", "--set", "v2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert out["split"] == "tuned" and out["set"] == "v2" and out["all"]["messages"] > 0
