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


def test_a_truncated_export_keeps_what_came_before_and_the_full_one_goes_on_from_there(tmp_path, sqlite_url):
    full = tmp_path / "full.json"
    msgs = [_msg(i, REPORT if i % 3 == 0 else f"новини {i}", T + i * 60) for i in range(1, 31)]
    _export(full, 42, "Monitor", *msgs)
    data = full.read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: data.index(b'"id": 21,')])  # ends inside the messages array
    result = runner.invoke(app, ["--db", sqlite_url, "import", "telegram", str(cut), "--batch", "5", "--json"])
    assert result.exit_code == 1  # stopped, and says where
    first = json.loads(result.stdout)
    stopped = first["files"][0]["stopped"]
    assert "messages[20]" in stopped["position"] and "kept" in stopped["message"]
    assert first["captures"]["added"] == 20 and first["claims"]["added"] == 6
    rest = _cli(sqlite_url, "import", "telegram", str(full), "--batch", "5")
    assert rest["captures"] == {"added": 10, "unchanged": 20, "updated": 0}
    assert rest["claims"]["added"] == 4 and rest["claims"]["unchanged"] == 6


def test_an_import_killed_mid_way_verifies_and_a_rerun_completes_it(tmp_path):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from whopushed.pipeline.synthetic import write_export

    ws = tmp_path / "ws"
    ws.mkdir()
    env = {**os.environ, "WHOPUSHED_WORKSPACE": str(ws)}
    env.pop("WHOPUSHED_DB", None)
    cli = [sys.executable, "-c", "from whopushed.cli import main; main()"]
    assert subprocess.run([*cli, "init"], env=env, capture_output=True).returncode == 0
    export = tmp_path / "result.json"
    write_export(export, 1500, seed=3)
    proc = subprocess.Popen([*cli, "import", "telegram", str(export), "--batch", "150"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = next(ws.joinpath(".whopushed").glob("*.db"))

    def captured() -> int:
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                return conn.execute("select count(*) from captures").fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    deadline = time.monotonic() + 120
    while captured() < 300 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = captured()
    assert 0 < killed_at < 1500 and killed_at % 150 == 0  # whole batches only
    check = subprocess.run([*cli, "verify", "--json"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    again = subprocess.run([*cli, "import", "telegram", str(export), "--json"], env=env, capture_output=True,
                           text=True)
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["captures"]["unchanged"] == killed_at and data["captures"]["added"] == 1500 - killed_at
    assert captured() == 1500
    check = subprocess.run([*cli, "verify", "--json"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
