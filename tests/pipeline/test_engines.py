"""The same stage functions on the local engine and on a Dask cluster give the same result."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from whopushed.cli import app
from whopushed.pipeline.engines import batched, run_local
from whopushed.pipeline.synthetic import write_export

runner = CliRunner()


def detect_json(*args) -> dict:
    result = runner.invoke(app, ["detect", *map(str, args), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_synthetic_export_has_the_stated_mix(tmp_path):
    mix = write_export(tmp_path / "x.json", 4000, seed=3)
    assert abs(mix["launch"] / 4000 - 0.25) < 0.03 and abs(mix["chatter"] / 4000 - 0.5) < 0.03


def test_local_processes_give_the_same_rows_in_the_same_order_as_one_process(tmp_path):
    path = tmp_path / "result.json"
    write_export(path, 500, seed=5)
    one = detect_json(path, "--jobs", "1", "--batch", "64")
    two = detect_json(path, "--jobs", "2", "--batch", "64")
    assert one == two and len(one["messages"]) == 500
    assert one["summary"]["launch_reports"] > 80


def test_dask_on_a_local_cluster_gives_the_local_result(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "result.json"
    write_export(path, 400, seed=11)
    local = detect_json(path, "--jobs", "1", "--batch", "50")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = detect_json(path, "--engine", "dask", "--scheduler", cluster.scheduler_address, "--batch", "50")
    assert remote == local


def test_batches_keep_every_item_in_order():
    assert [x for b in batched(range(10), 3) for x in b] == list(range(10))
    assert list(run_local(lambda b: [x * 2 for x in b], batched(range(7), 2), jobs=1)) == [0, 2, 4, 6, 8, 10, 12]


def test_the_warmed_objects_stay_frozen_while_the_pool_runs_and_thaw_after():
    """A pool of forked workers freezes what `warm` built, so no collection (the workers' or
    this process's) writes its pages while the engine is open; closing thaws them."""
    import gc

    from whopushed.pipeline.engines import LocalEngine

    before = gc.get_freeze_count()
    built = []
    with LocalEngine(2, warm=lambda: built.append([object() for _ in range(100)])) as engine:
        assert gc.get_freeze_count() > before + 100
        assert list(engine.imap(abs, [-1, -2, 3])) == [1, 2, 3]
    assert gc.get_freeze_count() == before and built
