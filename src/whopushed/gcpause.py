"""The cyclic garbage collector paused around work that makes many small, acyclic objects.

Such objects are freed by their reference counts; a collection set off by their
allocations only walks the heap (a warm detector, a decoded matrix set) for nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
