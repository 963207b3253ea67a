"""The prefilter lets a message skip the full detector only when the row stays the same:
every field, on the labelled set, on synthetic messages and on messages built to sit at its
edges (time words, villages after "from", lowercase places, hedges)."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, datetime
from pathlib import Path

from whopushed.extract.detect import Rules, default_detector
from whopushed.extract.prefilter import ANCHORS, DEPENDENT, EMPTY, FULL, TIME, TIME_ONLY, Prefilter
from whopushed.pipeline.synthetic import message_text

LABELLED = Path(__file__).parent / "eval" / "launch_reports.v1.jsonl"
POSTED = datetime(2024, 3, 1, 2, 30, tzinfo=UTC)
EDGES = ["погода сегодня хорошая", "вчора о 23:40 нічого", "24 лютого 2022 була зима", "24 лютого",
         "today at 05:10", "concert tonight", "з Мозыря прыйшлі сябры", "приехали из Гомеля", "гомель",
         "ймовірно буде дощ", "с севера холодно", "Два шахеда", "", "   ", "12 штук", "not from here",
         "Новины дня", "у Новины", "Искандер", "ракета", "сябры, добрае надвор'е"]


def rows(texts, posted=POSTED):
    det, pf = default_detector(), Prefilter(default_detector())
    return [(pf.detect(t, posted).as_json(), det.detect(t, posted).as_json()) for t in texts], pf


def test_every_rules_field_is_classified_so_a_new_word_list_cannot_slip_past():
    names = {f.name for f in dataclasses.fields(Rules)}
    assert names == ANCHORS | TIME | DEPENDENT and Prefilter(default_detector()).enabled


def test_the_labelled_set_gives_identical_rows():
    texts = [json.loads(line)["text"] for line in LABELLED.read_text("utf-8").splitlines() if line.strip()]
    pairs, _ = rows(texts)
    assert all(a == b for a, b in pairs)


def test_synthetic_messages_give_identical_rows_and_chatter_skips_the_detector():
    rng = random.Random(4)
    texts = [message_text(rng, kind, lang) for kind in ("launch", "near", "chatter")
             for lang in ("ru", "uk", "be", "en") for _ in range(150)]
    pairs, pf = rows(texts)
    assert all(a == b for a, b in pairs)
    chatter = texts[1200:]
    assert all(pf.level(t, None) != FULL for t in chatter)  # the speed the prefilter is for
    assert all(pf.level(t, None) == FULL for t in texts[:600])  # launch reports are never skipped


def test_edge_cases_give_identical_rows_with_and_without_a_post_time():
    for posted in (POSTED, None):
        pairs, pf = rows(EDGES, posted)
        assert all(a == b for a, b in pairs), [(t, a, b) for t, (a, b) in zip(EDGES, pairs) if a != b]
    assert pf.level("погода сегодня хорошая", "ru") == TIME_ONLY and pf.level("погода хорошая", "ru") == EMPTY
    assert pf.level("приехали из Гомеля", "ru") == FULL
