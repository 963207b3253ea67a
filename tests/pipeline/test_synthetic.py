"""The synthetic exports the benchmark reads: a fixed seed gives the same file, and the open
vocabulary brings new words without changing the mix."""

from __future__ import annotations

import hashlib
import json

from whopushed.pipeline.synthetic import write_export


def _words(path) -> set[str]:
    out: set[str] = set()
    for m in json.loads(path.read_text("utf-8"))["messages"]:
        out.update(m["text"].split())
    return out


def test_a_seed_gives_one_file_and_the_open_vocabulary_keeps_the_mix(tmp_path):
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    mix = write_export(a, 2000, seed=3)
    assert write_export(b, 2000, seed=3) == mix
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert write_export(c, 2000, seed=3, vocabulary=100_000) == mix  # the same kinds, in the same order
    closed, open_ = _words(a), _words(c)
    assert len(closed) < 400 < 2000 < len(open_ - closed)  # made-up words, many of them seen once
    assert mix["chatter"] > mix["launch"] > 400 and mix["near"] > 400
