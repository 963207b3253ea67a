"""The frozen evaluation set: its bytes do not change, and the detector keeps its scores on
the part that rules were never tuned on."""

from __future__ import annotations

import collections
import hashlib
from pathlib import Path

from whopushed.extract.evaluate import evaluate, load

EVAL = Path(__file__).parent / "eval" / "launch_reports.v1.jsonl"
FROZEN_SHA256 = "2fb1586cb21569ef48abdce505b135af3e8cb89e937b579aed828ce9361171b1"


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
