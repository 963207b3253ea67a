"""What a worker sends the parent: the rows as one JSON array with where each row ends, where
the stage has a JSON twin, read back as the very rows (or as each row's JSON); the row dicts
where a row is no JSON orjson writes."""

from __future__ import annotations

import json
import pickle

import orjson

from whopushed.pipeline.ranges import _stage_rows, unpack
from whopushed.pipeline.stages import detect_batch

ITEMS = [(1000001, 1, "", "message", "12 шахедов запущены с территории Беларуси, курс на Київ", 1_700_000_000, None),
         (1000001, 2, "", "message", "погода сегодня хорошая", 1_700_000_060, 1_700_000_100),
         (1000001, 3, "", "service", "", 1_700_000_120, None)]


def _sent(rows, ends, encoded: bool = False) -> tuple:
    return unpack(pickle.dumps((3, [], b"", [], {}, rows, ends, None)), encoded)[5]


def test_rows_cross_as_json_and_come_back_as_the_rows():
    rows, ends = _stage_rows(detect_batch, ITEMS)
    assert len(ends) == len(ITEMS) and isinstance(rows, bytes) and orjson.loads(rows)[0]["is_launch_report"]
    assert _sent(rows, ends) == detect_batch(ITEMS)
    assert [orjson.loads(r) for r in _sent(rows, ends, encoded=True)] == detect_batch(ITEMS)


def test_a_row_orjson_cannot_write_crosses_as_dicts():
    items = [(1000001, -(2**70), "", "message", "погода", 1_700_000_000, None), *ITEMS]
    rows, ends = _stage_rows(detect_batch, items)
    assert ends is None and rows == detect_batch(items) and rows[0]["id"] == -(2**70)
    assert _sent(rows, ends) == rows
    assert [json.loads(r) for r in _sent(rows, ends, encoded=True)] == rows


def test_a_stage_without_a_twin_sends_its_rows():
    def stage(batch):
        return [{"id": it[1]} for it in batch]

    assert _stage_rows(stage, ITEMS) == ([{"id": 1}, {"id": 2}, {"id": 3}], None)
    assert _stage_rows(detect_batch, []) == ([], None)


def test_the_row_head_is_written_as_orjson_writes_it():
    from decimal import Decimal

    import pytest

    from whopushed.pipeline.stages import _head, _head_json

    for chat in (1000001, "chat «x»", None, -5, True, 1.0):
        for mid in (0, 7, -(2**63), 2**64 - 1):
            for date, edited in ((1_700_000_000, None), (None, 1_700_000_100), (0, 86_399)):
                item = (chat, mid, "", "message", "", date, edited)
                assert _head_json(item) == orjson.dumps(_head(item)[0])[:-1] + b",", item
    for item in ((1, 2**64, "", "message", "", 0, None), (Decimal(1), 1, "", "message", "", 0, None),
                 (1, 1, "", "\ud800", "", 0, None)):
        with pytest.raises(TypeError):
            orjson.dumps(_head(item)[0])
        with pytest.raises(TypeError):
            _head_json(item)
