"""From Telegram exports to launch claims and incidents, through the store and the CLI:
import (captures + claims), cluster (incidents, repeats), list by launch territory."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from whopushed.cli import app

runner = CliRunner()
T = 1709256600  # 2024-03-01T01:30Z


def _msg(mid, text, unix, **extra):
    return {"id": mid, "type": "message", "date": "2024-03-01T03:30:00", "date_unixtime": str(unix),
            "text": text, "text_entities": [{"type": "plain", "text": text}], **extra}


def _export(path, chat_id, name, *messages):
    path.write_text(json.dumps({"name": name, "type": "public_channel", "id": chat_id, "messages": list(messages)},
                               ensure_ascii=False), encoding="utf-8")
    return str(path)


def _cli(url, *args):
    result = runner.invoke(app, ["--db", url, *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


REPORT = "12 шахедів запущено з території Білорусі, курс на Житомир"


def test_exports_become_claims_then_incidents_with_a_copy_counted_once(tmp_path, store_url):
    a = _export(tmp_path / "a.json", 42, "Monitor",
                _msg(1, REPORT, T), _msg(2, "Повітряна тривога в Києві", T + 60))
    b = _export(tmp_path / "b.json", 77, "Aggregator",
                _msg(5, REPORT + ". Підписуйтесь!", T + 600, forwarded_from="Monitor"),
                _msg(6, "Ракети Калібр випущені з акваторії Чорного моря", T + 1200))
    first = _cli(store_url, "import", "telegram", a, b)
    assert first["captures"]["added"] == 4
    assert first["claims"]["launch_reports"] == 3 and first["claims"]["added"] == 3
    again = _cli(store_url, "import", "telegram", a, b)  # a rerun finds everything in place
    assert again["captures"]["unchanged"] == 4 and again["claims"]["unchanged"] == 3
    assert again["claims"]["added"] == 0

    grouped = _cli(store_url, "cluster")
    incidents = {i["launch_territory"]: i for i in grouped["incidents"]}
    assert set(incidents) == {"BY", "SEA"}
    assert sorted(incidents["BY"]["reports"]) == ["cl-tg-42-1", "cl-tg-77-5"]
    assert incidents["BY"]["dependent"] == {"cl-tg-77-5": "cl-tg-42-1"}
    assert _cli(store_url, "cluster")["written"] == {"incidents": 0, "claims": 0, "emptied": []}

    listed = _cli(store_url, "incidents", "--launched-from", "BY")
    (by,) = listed
    assert by["id"] == incidents["BY"]["id"] and by["weapons"] == ["Shahed-136"]
    shown = _cli(store_url, "show", "cl-tg-77-5")
    record = shown.get("record", shown)
    assert record["repeats"] == "cl-tg-42-1" and record["incidents"] == [by["id"]]
    assert record["party"]["id"] == "act-tg-77" and record["party"]["name"] == "Aggregator"


def test_no_claims_are_written_when_asked_not_to(tmp_path, sqlite_url):
    a = _export(tmp_path / "a.json", 42, "Monitor", _msg(1, REPORT, T))
    data = _cli(sqlite_url, "import", "telegram", a, "--no-claims")
    assert data["captures"]["added"] == 1 and data["claims"]["added"] == 0 and data["claims"]["detector"] is None
