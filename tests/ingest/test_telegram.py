"""Telegram Desktop exports: streamed, both text forms, edits as versions, conflicts and
bad input reported with their position, every message kept as a capture."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import whopushed.ingest.telegram as tg
import whopushed.ingest.telegram_import as ti
from whopushed.cli import app
from whopushed.ingest.telegram import (
    ReadReport,
    read_export,
    read_file,
)
from whopushed.ingest.telegram_import import import_telegram
from whopushed.ledger.blobs import FileBlobStore
from whopushed.store import Store

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telegram_export_sample.json"
needs_shared = pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the repository")
runner = CliRunner()


def msg(mid: int, text, unix: int = 1700000000, **extra) -> dict:
    m = {"id": mid, "type": "message", "date": "2023-11-14T22:13:20", "date_unixtime": str(unix),
         "from": "Chan", "from_id": "channel42", "text": text}
    if isinstance(text, str):
        m["text_entities"] = [{"type": "plain", "text": text}] if text else []
    else:
        m["text_entities"] = [p if isinstance(p, dict) else {"type": "plain", "text": p} for p in text]
    m.update(extra)
    return m


def export(*messages, chat_id=42, name="Chan") -> bytes:
    return json.dumps({"name": name, "type": "public_channel", "id": chat_id, "messages": list(messages)},
                      ensure_ascii=False).encode("utf-8")


def read(data: bytes):
    report = ReadReport("f.json")
    return list(read_export(io.BytesIO(data), "f.json", report)), report


@needs_shared
def test_sample_keeps_the_first_of_the_conflicting_duplicates_and_reports_where():
    report = ReadReport(str(SAMPLE))
    got = list(read_file(SAMPLE, report))
    assert [(m.id, m.type) for m in got] == [(1, "service"), (192, "message")]
    assert got[1].text == "✈️БПЛА→Захід через Київщину/Житомирщину"
    assert got[1].date.isoformat() == "2023-05-28T23:13:27+00:00"  # date_unixtime, not the local `date`
    assert got[1].edited.isoformat() == "2023-09-12T17:29:00+00:00"
    (conflict,) = report.conflicts
    assert conflict.field == "messages[2]" and "messages[1]" in conflict.message and "first is kept" in conflict.message


def test_text_as_a_list_of_strings_and_entities_reads_as_plain_text():
    (m,), report = read(export(msg(1, ["Загроза ", {"type": "bold", "text": "Шахедів"}, " з півночі"])))
    assert m.text == "Загроза Шахедів з півночі" and report.disagreements == []


def test_text_that_disagrees_with_text_entities_is_reported_and_entities_win():
    bad = msg(5, [{"type": "italic", "text": "Загроза з півдня"}, ""])
    bad["text_entities"] = [{"type": "plain", "text": "БПЛА на захід"}]
    (m,), report = read(export(bad))
    assert m.text == "БПЛА на захід"
    assert report.disagreements[0].field == "messages[0]" and "text_entities is used" in report.disagreements[0].message


def test_an_edit_is_a_new_version_and_an_identical_repeat_a_duplicate():
    first = msg(7, "Shahed launched")
    edited = msg(7, "Shahed launched from the north", edited="2023-11-15T00:00:00", edited_unixtime="1700006400")
    got, report = read(export(first, edited, edited))
    assert [m.identity for m in got] == [(42, 7, ""), (42, 7, "1700006400")]
    assert report.duplicates == 1 and report.conflicts == []
    assert ti.capture_id(got[1]) == "tg-42-7-e1700006400"


def test_forwards_replies_and_service_messages_are_kept():
    fwd = msg(8, "repost", forwarded_from="Other channel", reply_to_message_id=7)
    service = {"id": 9, "type": "service", "date_unixtime": "1700000001", "actor": "Chan", "action": "pin_message",
               "message_id": 8, "text": "", "text_entities": []}
    got, _ = read(export(fwd, service))
    assert got[0].forwarded_from == "Other channel" and got[0].reply_to == 7
    cap = ti.to_capture(got[0], None, None)
    assert "Forwarded from Other channel." in cap.notes and "Reply to message 7." in cap.notes
    assert got[1].type == "service" and "pin_message" in ti.to_capture(got[1], None, None).title


def test_a_full_account_export_yields_every_channel_with_its_id():
    data = json.dumps({"about": "x", "chats": {"about": "y", "list": [
        {"name": "A", "type": "public_channel", "id": 1, "messages": [msg(1, "a1"), msg(2, "a2")]},
        {"name": "B", "type": "public_channel", "id": 2, "messages": [msg(1, "b1")]}]}}).encode()
    got, report = read(data)
    assert [(m.chat.id, m.chat.name, m.id, m.text) for m in got] == [(1, "A", 1, "a1"), (1, "A", 2, "a2"),
                                                                     (2, "B", 1, "b1")]
    assert got[2].position == "chats.list[1].messages[0]"


def test_a_truncated_export_keeps_the_messages_before_and_says_where_it_stopped():
    data = export(msg(1, "one"), msg(2, "two"), msg(3, "three"))
    got, report = read(data[: data.index(b'"three"')])
    assert [m.id for m in got] == [1, 2]
    assert report.stopped is not None and "messages[2]" in report.stopped.message


def test_bytes_that_are_not_utf8_stop_the_file_with_its_position():
    data = export(msg(1, "one"), msg(2, "XXXX"))
    got, report = read(data.replace(b"XXXX", b"\xff\xfe\xfd\xfc"))
    assert [m.id for m in got] == [1] and report.stopped is not None


def test_an_oversized_message_is_skipped_and_the_next_one_read(monkeypatch):
    monkeypatch.setattr(tg, "MAX_MESSAGE_CHARS", 1000)
    got, report = read(export(msg(1, "x" * 5000), msg(2, "fine")))
    assert [m.id for m in got] == [2]
    assert report.skipped[0].field == "messages[0]" and "larger than" in report.skipped[0].message


class _Watched(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.served = 0

    def read(self, n=-1):
        chunk = super().read(n)
        self.served += len(chunk)
        return chunk


def test_an_export_is_streamed_not_loaded_whole():
    data = export(*(msg(i, "слово " * 50) for i in range(1, 3000)))
    fh = _Watched(data)
    first = next(read_export(fh, "f.json", ReadReport("f.json")))
    assert first.id == 1 and fh.served < len(data) / 10


def test_messages_become_preserved_captures_and_reimport_changes_nothing(tmp_path, store_url):
    data = export(msg(1, "Шахеди з території Білорусі"), msg(2, "two", forwarded_from="X"))
    path = tmp_path / "result.json"
    path.write_bytes(data)
    blobs = FileBlobStore(tmp_path / "blobs")
    store = Store.open(store_url)
    try:
        first = import_telegram(store, [path], blobs=blobs)
        again = import_telegram(store, [path], blobs=blobs)
        assert (first.added, again.added, again.unchanged) == (2, 0, 2)
        _, cap = store.get("tg-42-1")
        with blobs.open(cap.sha256) as fh:
            body = fh.read()
        assert hashlib.sha256(body).hexdigest() == cap.sha256 and cap.size == len(body)
        assert json.loads(body)["message"]["text"] == "Шахеди з території Білорусі"
        assert cap.url == "https://t.me/c/42/1" and cap.published.value == "2023-11-14T22:13Z"
    finally:
        store.close()


def test_without_a_blob_store_captures_are_citation_only_by_link(tmp_path, store_url):
    path = tmp_path / "result.json"
    path.write_bytes(export(msg(1, "one")))
    store = Store.open(store_url)
    try:
        result = import_telegram(store, [path])
        _, cap = store.get("tg-42-1")
        assert not result.preserved and cap.citation_only and cap.url == "https://t.me/c/42/1"
    finally:
        store.close()


def test_a_grade_given_to_a_channel_survives_reimport(tmp_path, store_url):
    path = tmp_path / "result.json"
    path.write_bytes(export(msg(1, "one")))
    store = Store.open(store_url)
    try:
        import_telegram(store, [path])
        case = store.export_case()
        graded = type(case.sources[0]).model_validate({**case.sources[0].model_dump(), "reliability": "B",
                                                       "reliability_why": "Checked by the team."})
        store.import_case(case.model_copy(update={"sources": [graded]}))
        import_telegram(store, [path])
        assert store.get("src-tg-42")[1].reliability.value == "B"
    finally:
        store.close()


@needs_shared
def test_import_telegram_cli_reports_the_conflict_and_preserves_the_rest(tmp_path):
    env = {"WHOPUSHED_WORKSPACE": str(tmp_path)}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    result = runner.invoke(app, ["import", "telegram", str(SAMPLE), "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["preserved"] and data["captures"]["added"] == 2
    assert data["files"][0]["conflicts"][0]["position"] == "messages[2]"
    verify = runner.invoke(app, ["verify", "--json"], env=env, catch_exceptions=False)
    assert verify.exit_code == 0, verify.output


def test_a_single_plain_entity_gives_what_the_general_reading_gives():
    """message_text's shortcut for the usual post (one entity, `text` the same string) agrees
    with reading both forms and comparing them, in every shape around it."""
    from whopushed.ingest.telegram import message_text, text_of

    def general(raw):
        entities = raw.get("text_entities")
        if not isinstance(entities, list):
            return text_of(raw.get("text")), None
        by_entities = text_of(entities)
        if "text" in raw and text_of(raw.get("text")) != by_entities:
            return by_entities, "disagree"
        return by_entities, None

    shapes = [{"text": "a", "text_entities": [{"type": "plain", "text": "a"}]},
              {"text_entities": [{"type": "plain", "text": "a"}]},
              {"text": ["a"], "text_entities": [{"type": "plain", "text": "a"}]},
              {"text": "b", "text_entities": [{"type": "plain", "text": "a"}]},
              {"text": "1", "text_entities": [{"type": "plain", "text": 1}]},
              {"text": "", "text_entities": [{"type": "plain"}]},
              {"text": "a", "text_entities": ["a"]},
              {"text": None, "text_entities": [{"type": "plain", "text": "a"}]},
              {"text": "ab", "text_entities": [{"text": "a"}, {"text": "b"}]},
              {"text": "x"}, {"text_entities": "x"}, {}]
    for raw in shapes:
        text, disagreement = message_text(raw)
        want = general(raw)
        assert text == want[0] and (disagreement is None) == (want[1] is None), raw
