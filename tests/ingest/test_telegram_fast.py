"""The fast reader (orjson on each message) gives exactly what the careful ijson reader
gives: messages, positions, duplicates, conflicts, disagreements, skipped and stopped; and it
stays fast on the layouts it knows instead of handing everything to the careful reader."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

pytest.importorskip("orjson")

import whopushed.ingest.telegram as tg  # noqa: E402
from whopushed.ingest.telegram import ReadReport, read_careful, read_export  # noqa: E402
from whopushed.pipeline.synthetic import write_export  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telegram_export_sample.json"


def msg(mid: int, text: str, unix: int = 1700000000, **extra) -> dict:
    m = {"id": mid, "type": "message", "date": "2023-11-14T22:13:20", "date_unixtime": str(unix),
         "from": "Chan", "from_id": "channel42", "text": text, "text_entities": [{"type": "plain", "text": text}]}
    m.update(extra)
    return m


def export(*messages, indent=None, **head) -> bytes:
    doc = {"name": "Chan", "type": "public_channel", "id": 42, **head, "messages": list(messages)}
    return json.dumps(doc, ensure_ascii=False, indent=indent).encode("utf-8")


def both(data: bytes):
    out = []
    for reader in (read_careful, read_export):
        report = ReadReport("f.json")
        got = [(m.chat, m.id, m.type, m.date, m.edited, m.text, m.raw, m.position, m.disagreement)
               for m in reader(io.BytesIO(data), "f.json", report)]
        out.append((got, report))
    return out


def assert_same(data: bytes):
    (careful, rc), (fast, rf) = both(data)
    assert fast == careful
    assert rf == rc
    return careful, rc


@pytest.fixture
def no_handover(monkeypatch):
    """Fails a test whose file the fast reader hands to the careful reader."""
    def refuse(*_a, **_k):
        raise AssertionError("the fast reader handed over to the careful reader")
        yield  # pragma: no cover

    monkeypatch.setattr(tg, "read_careful", refuse)


def fast_only(data: bytes):
    report = ReadReport("f.json")
    return [(m.id, m.position, m.text) for m in read_export(io.BytesIO(data), "f.json", report)], report


@pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the repository")
def test_the_shared_sample_reads_the_same():
    got, report = assert_same(SAMPLE.read_bytes())
    assert got and (report.conflicts or report.disagreements)


def test_a_synthetic_export_reads_the_same_without_handing_over(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    write_export(path, 3000, seed=2)
    data = path.read_bytes()
    careful = [(m.id, m.position, m.text) for m in read_careful(io.BytesIO(data), "f.json", ReadReport("f.json"))]
    assert_same(data)
    monkeypatch.setattr(tg, "read_careful", lambda *a, **k: iter(()))  # a handover would lose messages
    assert fast_only(data)[0] == careful


def test_a_pretty_printed_export_with_entities_reads_fast_and_the_same(no_handover):
    ents = [{"type": "plain", "text": "a}, "}, {"type": "bold", "text": "b],"}, {"type": "plain", "text": "c"}]
    m2 = msg(2, "a}, b],c")
    m2["text_entities"] = ents
    data = export(msg(1, "Шахеди з боку Білорусі", edited_unixtime="1700000100"), m2,
                  msg(3, "x", reply_to_message_id=1), indent=1)
    got, report = fast_only(data)
    assert [g[0] for g in got] == [1, 2, 3] and got[1][2] == "a}, b],c" and report.messages == 3


def test_duplicates_conflicts_and_disagreements_are_counted_alike():
    bad = msg(5, "one")
    bad["text"] = "other"
    data = export(msg(1, "a"), msg(1, "a"), msg(1, "b"), msg(2, "c", edited_unixtime="9"), msg(2, "c"), bad)
    got, report = assert_same(data)
    assert report.duplicates == 1 and len(report.conflicts) == 1 and len(report.disagreements) == 1
    assert [g[1] for g in got] == [1, 2, 2, 5]


def test_numbers_read_as_the_careful_reader_reads_them():
    data = export(msg(1, "a", views=1.0, ratio=0.5, big=2 ** 70, exp=1e2), msg(2, "b", neg=-0.0))
    got, _ = assert_same(data)
    assert got[0][6]["views"] == 1 and isinstance(got[0][6]["views"], int) and got[0][6]["big"] == 2 ** 70


def test_a_full_account_export_reads_the_same():
    data = json.dumps({"about": "x", "chats": {"about": "y", "list": [
        {"name": "A", "type": "public_channel", "id": 1, "messages": [msg(1, "a1"), msg(2, "a2")]},
        {"name": "B", "type": "public_channel", "id": 2, "messages": [msg(1, "b1"), msg(1, "b1")]}]},
        "left_chats": {"list": [{"name": "C", "id": 3, "messages": [msg(7, "c")]}]}}).encode()
    got, report = assert_same(data)
    assert len(got) == 4 and report.duplicates == 1


@pytest.mark.parametrize("case", ["truncated", "bad utf-8", "not an object", "garbage after", "keys after",
                                  "header as number", "empty", "no messages"])
def test_malformed_and_unusual_inputs_read_the_same(case):
    good = export(msg(1, "one"), msg(2, "XXXX"), msg(3, "three"))
    data = {
        "truncated": good[: good.index(b'"three"')],
        "bad utf-8": good.replace(b"XXXX", b"\xff\xfe\xfd\xfc"),
        "not an object": good.replace(b'"messages": [', b'"messages": [5, "x", '),
        "garbage after": good + b" ]",
        "keys after": good[:-1] + b', "id": 7, "messages": [{"id": 9, "text": "late"}]}',
        "header as number": export(msg(1, "a"), name=5, id=1.5),
        "empty": export(),
        "no messages": b'{"name": "x"}',
    }[case]
    got, report = assert_same(data)
    if case in ("truncated", "bad utf-8", "garbage after"):
        assert report.stopped is not None
    if case == "truncated":
        assert [g[1] for g in got] == [1, 2]


def test_an_oversized_message_is_skipped_the_same(monkeypatch):
    monkeypatch.setattr(tg, "MAX_MESSAGE_CHARS", 1000)
    got, report = assert_same(export(msg(1, "x" * 5000), msg(2, "fine"), msg(2, "fine")))
    assert [g[1] for g in got] == [2] and report.skipped[0].field == "messages[0]" and report.duplicates == 1


def test_a_message_spanning_read_chunks_is_read_whole(monkeypatch, no_handover):
    import whopushed.ingest.telegram_fast as tf

    monkeypatch.setattr(tf, "CHUNK", 64)
    got, report = fast_only(export(*(msg(i, "слово " * (i % 7 + 1)) for i in range(1, 40))))
    assert [g[0] for g in got] == list(range(1, 40)) and report.messages == 39

