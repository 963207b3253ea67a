"""Engines that run a stage over the batches of a stream, results in input order.

- `local`: in this process (jobs=1) or a pool of processes (one per core), a bounded number
  of batches in flight, so memory stays flat whatever the input size.
- `dask`: the same stage on a Dask cluster: an existing scheduler (`tcp://host:8786`) or a
  LocalCluster made for the run; batches are submitted in a bounded window and gathered
  in order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Stage = Callable[[list], list]


def batched(items: Iterable[Any], size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_local(stage: Stage, batches: Iterable[list], jobs: int | None = None, window: int = 4) -> Iterator[Any]:
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        for b in batches:
            yield from stage(b)
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs) as pool:
        pending: deque = deque()
        for b in batches:
            pending.append(pool.apply_async(stage, (b,)))
            if len(pending) >= jobs * window:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def run_dask(stage: Stage, batches: Iterable[list], scheduler: str | None = None, workers: int | None = None,
             window: int = 8) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        limit = window * max(len(client.scheduler_info().get("workers", {})), 1)
        pending: deque = deque()
        for b in batches:
            pending.append(client.submit(stage, b, pure=False))
            if len(pending) >= limit:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run(stage: Stage, batches: Iterable[list], engine: str = "local", scheduler: str | None = None,
        jobs: int | None = None) -> Iterator[Any]:
    if engine == "local":
        return run_local(stage, batches, jobs)
    if engine == "dask":
        return run_dask(stage, batches, scheduler, jobs)
    raise ValueError(f"unknown engine {engine!r}: local or dask")
