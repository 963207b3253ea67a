"""Engines that run a function over a stream of tasks, results in input order.

- `local`: in this process (jobs=1) or a pool of processes (one per core), a bounded number
  of tasks in flight, so memory stays flat whatever the input size.
- `dask`: the same function on a Dask cluster: an existing scheduler (`tcp://host:8786`) or
  a LocalCluster made for the run; tasks are submitted in a bounded window and gathered in
  order.

A task is a batch of messages for a stage (`run`, `run_local`, `run_dask`), or a byte range
of an export that the worker reads itself (pipeline/ranges.py). An engine is opened once
(`open_engine`) and may run several streams, one after the other.
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


class LocalEngine:
    """This process (jobs=1) or a pool of `jobs` processes on this machine."""

    local_files = True  # its workers read this machine's files

    def __init__(self, jobs: int | None = None, window: int = 4, warm: Callable[[], None] | None = None):
        self.jobs = jobs or os.cpu_count() or 1
        self.window = window
        self.warm = warm  # run here before the workers fork, so that what it builds is shared with them
        self._pool = None
        self._frozen = False

    @property
    def workers(self) -> int:
        return self.jobs

    @property
    def spools(self) -> bool:
        """Whether its workers are other processes of this machine, which may hand results
        over in files (pipeline/spool.py)."""
        return self._pool is not None

    def __enter__(self) -> LocalEngine:
        if self.jobs > 1:
            import multiprocessing as mp

            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            ctx = mp.get_context(method)
            if method == "fork" and self.warm is not None:
                import gc

                self.warm()
                # Frozen, the objects built so far are passed over by every collection, the
                # workers' and this process's until the engine closes: their pages stay shared
                # rather than each process writing its own copy (~100 MB saved here).
                gc.freeze()
                self._frozen = True
                try:
                    self._pool = ctx.Pool(self.jobs)
                except BaseException:  # no engine to close: thaw here
                    gc.unfreeze()
                    self._frozen = False
                    raise
            else:
                self._pool = ctx.Pool(self.jobs)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._pool is not None:
                self._pool.terminate()  # as `with Pool()` does: tasks of an abandoned stream end here
                self._pool.join()
                self._pool = None
        finally:
            if self._frozen:
                import gc

                gc.unfreeze()
                self._frozen = False

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """fn(item) for each item, in order, at most jobs * window in flight."""
        if self._pool is None:
            for item in items:
                yield fn(item)
            return
        pending: deque = deque()
        limit = self.jobs * self.window
        for item in items:
            pending.append(self._pool.apply_async(fn, (item,)))
            if len(pending) >= limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class DaskEngine:
    """A Dask cluster: an existing scheduler, or a LocalCluster made for the run (whose workers
    are on this machine and so can read its files)."""

    spools = False  # results come over the network (pipeline/spool.py is for this machine's processes)

    def __init__(self, scheduler: str | None = None, workers: int | None = None, window: int = 8):
        self.scheduler, self.n_workers, self.window = scheduler, workers, window
        self.local_files = scheduler is None
        self._client = self._cluster = None

    @property
    def workers(self) -> int:
        return max(len(self._client.scheduler_info().get("workers", {})), 1) if self._client else 1

    def __enter__(self) -> DaskEngine:
        from distributed import Client, LocalCluster

        if self.scheduler:
            self._client = Client(self.scheduler)
        else:
            self._cluster = LocalCluster(n_workers=self.n_workers or os.cpu_count() or 1, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._client is not None:
                self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        limit = self.window * self.workers
        pending: deque = deque()
        try:
            for item in items:
                pending.append(self._client.submit(fn, item, pure=False))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:  # an abandoned stream: its tasks are not needed
                f.cancel()


def open_engine(engine: str = "local", scheduler: str | None = None, jobs: int | None = None,
                warm: Callable[[], None] | None = None):
    if engine == "local":
        return LocalEngine(jobs, warm=warm)
    if engine == "dask":
        return DaskEngine(scheduler, jobs)
    raise ValueError(f"unknown engine {engine!r}: local or dask")


def _flat(engine, stage: Stage, batches: Iterable[list]) -> Iterator[Any]:
    with engine:
        for rows in engine.imap(stage, batches):
            yield from rows


def run_local(stage: Stage, batches: Iterable[list], jobs: int | None = None, window: int = 4) -> Iterator[Any]:
    return _flat(LocalEngine(jobs, window), stage, batches)


def run_dask(stage: Stage, batches: Iterable[list], scheduler: str | None = None, workers: int | None = None,
             window: int = 8) -> Iterator[Any]:
    return _flat(DaskEngine(scheduler, workers, window), stage, batches)


def run(stage: Stage, batches: Iterable[list], engine: str = "local", scheduler: str | None = None,
        jobs: int | None = None) -> Iterator[Any]:
    return _flat(open_engine(engine, scheduler, jobs), stage, batches)
