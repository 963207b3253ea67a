"""A worker's result handed over in a file: the same bytes come back, the file goes once read,
a file that cannot be written sends the result through the pipe, and a reading by a pool of
processes leaves no spool behind whatever way it ends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import whopushed.pipeline.ranges as R
from whopushed.ingest.telegram import ReadReport
from whopushed.pipeline import spool
from whopushed.pipeline.engines import LocalEngine
from whopushed.pipeline.stages import detect_batch
from whopushed.pipeline.synthetic import write_export


def test_a_left_result_comes_back_and_its_file_goes(tmp_path):
    blob = os.urandom(300_000)
    left = spool.leave(str(tmp_path), "123", ("ok", blob))
    assert left[0] == "spooled" and Path(left[1]).parent == tmp_path
    assert spool.take(left) == ("ok", blob)
    assert list(tmp_path.iterdir()) == []
    assert spool.take(("unsure", "why")) == ("unsure", "why")  # any other result passes as it is


def test_a_result_that_cannot_be_left_goes_as_it_is(tmp_path):
    result = ("ok", b"rows")
    assert spool.leave(str(tmp_path / "gone"), "1", result) is result
    (tmp_path / "1.blob").write_bytes(b"someone else's")
    assert spool.leave(str(tmp_path), "1", result) is result  # never over another file


def test_a_spooled_file_that_is_gone_is_unreadable(tmp_path):
    kind, why = spool.take(("spooled", str(tmp_path / "missing.blob")))
    assert kind == "unreadable" and "missing.blob" in why


def _spools() -> set[str]:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(os.environ.get("TMPDIR", "/tmp"))
    return {p.name for p in base.glob("whopushed-spool-*")}


@pytest.mark.parametrize("abandon", [False, True])
def test_a_pool_reading_hands_results_over_in_files_and_leaves_none(tmp_path, abandon, monkeypatch):
    path = tmp_path / "result.json"
    write_export(path, 3000, seed=5)
    before = _spools()
    kinds: list[str] = []
    real_take = spool.take

    def take(result):
        kinds.append(result[0])
        return real_take(result)

    monkeypatch.setattr(spool, "take", take)
    report = ReadReport(str(path))
    with LocalEngine(2) as engine:
        assert engine.spools
        rows = R.rows_of_file(engine, path, report, detect_batch, range_bytes=60_000)
        if abandon:
            next(rows)
            rows.close()
        else:
            got = list(rows)
    assert _spools() == before
    assert kinds and set(kinds) == {"spooled"}
    if not abandon:
        want_report = ReadReport(str(path))
        with LocalEngine(1) as engine:
            assert not engine.spools  # in this process: nothing to hand over
            want = list(R.rows_of_file(engine, path, want_report, detect_batch, range_bytes=60_000))
        assert got == want and report == want_report and report.messages == 3000
