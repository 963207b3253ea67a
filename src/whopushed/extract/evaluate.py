"""Scoring the detector on a labelled set: precision, recall and F1 of launch-report
detection, and the accuracy of the launch territory on the messages labelled as launch
reports (null counts: "no territory stated" must be read as null), per language and overall.

The set is JSON lines: {"id", "lang", "split" ("tuned" or "reported"), "is_launch_report",
"launch_territory", "source", "text"}, and optionally "url" (where a real text was published)
and "set" (the version that added the row, "v2", ...; a row without it is "v1"). Rules are tuned
on the "tuned" part only; the "reported" part is what the figures quote. `only_set` scores the
rows one version added, e.g. the v2 rows that no one tuning the rules had seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    territory_right: int = 0
    territory_total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, gold: dict[str, Any], found) -> None:
        g, p = gold["is_launch_report"], found.is_launch_report
        self.tp += g and p
        self.fp += (not g) and p
        self.fn += g and not p
        self.tn += (not g) and not p
        wrong = g != p
        if g:
            self.territory_total += 1
            right = p and found.launch_territory == gold["launch_territory"]
            self.territory_right += right
            wrong = wrong or not right
        if wrong:
            self.errors.append({"id": gold["id"], "text": gold["text"], "gold": [g, gold["launch_territory"]],
                                "got": [p, found.launch_territory], "reasons": found.reasons})

    def as_json(self) -> dict[str, Any]:
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        acc = self.territory_right / self.territory_total if self.territory_total else 1.0
        return {"messages": self.tp + self.fp + self.fn + self.tn, "precision": round(prec, 3),
                "recall": round(rec, 3), "f1": round(f1, 3), "territory_accuracy": round(acc, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn}


def load(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(records: Iterable[dict[str, Any]], split: str | None = None, detector=None,
             only_set: str | None = None) -> dict[str, Any]:
    from .detect import default_detector

    det = detector or default_detector()
    scores: dict[str, Score] = {}
    for rec in records:
        if split and rec["split"] != split:
            continue
        if only_set and rec.get("set", "v1") != only_set:
            continue
        found = det.detect(rec["text"])
        for key in (rec["lang"], "all"):
            scores.setdefault(key, Score()).add(rec, found)
    head: dict[str, Any] = {"split": split or "all", **({"set": only_set} if only_set else {})}
    return {**head, **{k: s.as_json() for k, s in sorted(scores.items())},
            "errors": scores["all"].errors if "all" in scores else []}


def main(argv: list[str] | None = None) -> int:
    """The scores as JSON, with the set's SHA-256 so a figure names the exact set it came from."""
    import argparse
    import hashlib

    ap = argparse.ArgumentParser(prog="python -m whopushed.extract.evaluate",
                                 description="Score the launch-report detector on a labelled set (JSON lines).")
    ap.add_argument("file", type=Path, help="the labelled set, e.g. tests/extract/eval/launch_reports.v2.jsonl")
    ap.add_argument("split", nargs="?", choices=("tuned", "reported"),
                    help="score one part only; quote figures from 'reported', tune rules on 'tuned'")
    ap.add_argument("--set", dest="only_set", metavar="VERSION", help="only the rows added in this version (v2)")
    args = ap.parse_args(argv)
    result = evaluate(load(args.file), args.split, only_set=args.only_set)
    result = {"file": str(args.file), "sha256": hashlib.sha256(args.file.read_bytes()).hexdigest(), **result}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
