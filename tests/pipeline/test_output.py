"""Rows passed through as JSON bytes: the same rows as the dicts, by ranges (with duplicates,
conflicts and a row orjson cannot write) and sequentially; the tally read from the bytes is
the tally of the dicts; and what `detect --json` writes is one JSON document."""

from __future__ import annotations

import json
import random
from pathlib import Path

import orjson
import pytest

import whopushed.pipeline.ranges as R
from whopushed.ingest.telegram import ReadReport
from whopushed.pipeline.engines import LocalEngine
from whopushed.pipeline.output import launch_of, row_bytes, write_rows
from whopushed.pipeline.stages import detect_batch, detect_batch_framed, framed_rows
from whopushed.pipeline.synthetic import message_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared" / "data" / "telegram_export_sample.json"


def _items(n: int = 400, seed: int = 3) -> list[tuple]:
    rng = random.Random(seed)
    kinds, langs = ("launch", "near", "chatter"), ("ru", "uk", "be", "en")
    return [(42, i, "", "message" if i % 17 else "service", message_text(rng, rng.choice(kinds), rng.choice(langs)),
             1_700_000_000 + 600 * i, None) for i in range(n)]


def test_framed_rows_are_the_rows_each_as_its_json():
    items = _items()
    array, ends = detect_batch_framed(items)
    rows = framed_rows(array, ends)
    assert len(rows) == len(items) and array == b"[" + b",".join(rows) + b"]"
    assert [orjson.loads(r) for r in rows] == detect_batch(items)
    assert detect_batch_framed([]) == (b"[]", []) and framed_rows(b"[]", []) == []


def test_launch_of_reads_what_the_row_says():
    rows = detect_batch(_items(600, seed=9))
    assert any(r["is_launch_report"] and r["launch_territory"] for r in rows)
    assert any(r["is_launch_report"] and not r["launch_territory"] for r in rows)
    for row in rows:
        want = (row["is_launch_report"], row["launch_territory"] if row["is_launch_report"] else None)
        assert launch_of(orjson.dumps(row)) == want
        assert launch_of(row_bytes(row)) == want


def test_launch_of_is_not_fooled_by_a_string_before_the_field():
    fake = 'x "is_launch_report":true,"launch_territory":"RU" y'
    row = {"id": 1, "chat": fake, "is_launch_report": False, "launch_territory": None, "spans": [{"text": fake}]}
    assert fake.encode() not in row_bytes(row)  # its quotes are escaped in the JSON
    assert launch_of(row_bytes(row)) == (False, None)
    assert launch_of(row_bytes({**row, "is_launch_report": True, "launch_territory": "BY"})) == (True, "BY")


def test_a_row_orjson_cannot_write_is_written_by_the_standard_library():
    row = {"id": -(2**70), "is_launch_report": True, "launch_territory": "BY", "text": "\ud800"}
    out = row_bytes(row)
    out.decode("utf-8")  # always UTF-8: the lone surrogate is escaped
    assert json.loads(out) == row and launch_of(out) == (True, "BY")


def test_write_rows_counts_and_filters_like_the_dicts():
    rows = detect_batch(_items(500, seed=5))
    out = bytearray(b"[")
    encoded = [row_bytes(r) for r in rows]
    tally = write_rows([encoded[:7], [], encoded[7:]], out.extend)  # chunks, one of them empty
    out += b"]"
    assert json.loads(out) == rows
    launches = [r for r in rows if r["is_launch_report"]]
    assert tally.messages == len(rows) and tally.launch_reports == len(launches) > 0
    by: dict[str, int] = {}
    for r in launches:
        by[r["launch_territory"] or "unstated"] = by.get(r["launch_territory"] or "unstated", 0) + 1
    assert tally.by_launch_territory == by
    only = bytearray(b"[")
    assert write_rows([encoded[:100], encoded[100:]], only.extend, launch_only=True).messages == len(rows)
    assert json.loads(only + b"]") == launches


def _rows(path: Path, encoded: bool, ranges: bool, range_bytes: int = 2000) -> tuple[list, ReadReport]:
    report = ReadReport(str(path))
    with LocalEngine(1) as engine:
        rows = list(R.rows_of_file(engine, path, report, detect_batch, batch=50, ranges=ranges,
                                   range_bytes=range_bytes, encoded=encoded))
    if encoded:  # lists of rows, a range's or a batch's
        assert all(type(chunk) is list and chunk for chunk in rows)
        rows = [row for chunk in rows for row in chunk]
    return rows, report


def test_encoded_rows_are_the_dict_rows_by_ranges_and_sequentially(tmp_path):
    rng = random.Random(2)
    messages = []
    for i in range(300):
        text = message_text(rng, rng.choice(("launch", "near", "chatter")), rng.choice(("ru", "uk", "be", "en")))
        messages.append({"id": i, "type": "message", "date": "2023-11-14T22:13:20",
                         "date_unixtime": str(1_700_000_000 + 60 * i), "text": text,
                         "text_entities": [{"type": "plain", "text": text}]})
    messages += [dict(messages[7]), {**messages[9], "text": "changed", "text_entities": []}]  # a duplicate, a conflict
    messages.append({**messages[3], "id": 2**70})  # no row orjson writes: this range sends dicts
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "C", "type": "public_channel", "id": 42, "messages": messages},
                               ensure_ascii=False, indent=1), encoding="utf-8")
    want, want_report = _rows(path, encoded=False, ranges=False)
    assert want_report.duplicates == 1 and len(want_report.conflicts) == 1 and want[-1]["id"] == 2**70
    for ranges in (True, False):
        got, report = _rows(path, encoded=True, ranges=ranges)
        assert all(type(r) is bytes for r in got)
        assert [json.loads(r) for r in got] == want and report == want_report


@pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the repository")
def test_detect_json_writes_one_document_with_the_conflict(tmp_path):
    from typer.testing import CliRunner

    from whopushed.cli import app

    result = CliRunner().invoke(app, ["detect", str(SAMPLE), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [m["id"] for m in doc["messages"]] == [1, 192]
    assert doc["summary"]["conflicts"] == 1 and doc["issues"][0]["position"] == "messages[2]"
    only = json.loads(CliRunner().invoke(app, ["detect", str(SAMPLE), "--json", "--launch-only"]).stdout)
    assert only["messages"] == [] and only["summary"]["messages"] == 2


def test_the_tally_holds_for_rows_written_in_another_order():
    rows = [r for r in detect_batch(_items(300, seed=12)) if r["is_launch_report"]]
    assert rows
    shuffled = [orjson.dumps(dict(reversed(list(r.items())))) for r in rows]  # the territory before the flag
    by: dict[str, int] = {}
    for r in rows:
        by[r["launch_territory"] or "unstated"] = by.get(r["launch_territory"] or "unstated", 0) + 1
    tally = write_rows([shuffled], bytearray().extend)
    assert tally.launch_reports == len(rows) and tally.by_launch_territory == by
