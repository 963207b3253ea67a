"""A worker's result handed over in a file rather than through the pool's pipe.

A range's result is about 1.4 MB. Through a pipe (64 KiB at a time, a wake-up each way for
each piece, then copied twice more into one bytes object) it cost the parent about 2 ms of
CPU a range; written at once to a file of this machine's memory (/dev/shm where there is
one) and read back at once, about a fifth of that. The worker returns only the file's name;
the parent reads the file and removes it (`take`). Where the file cannot be written (no
space), the result goes through the pipe as before. The directory goes when the reading
ends (`Spool.close`); results in flight (at most the engine's window) are the only files in it.
"""

from __future__ import annotations

import os
import shutil
import tempfile


class Spool:
    """A private directory for one reading's results."""

    def __init__(self) -> None:
        shm = "/dev/shm"
        base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
        self.path = tempfile.mkdtemp(prefix="whopushed-spool-", dir=base)

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def leave(directory: str, name: str, result: tuple) -> tuple:
    """("spooled", path) with result[1] (bytes) written to directory/name.blob, or `result`
    as it is where the file cannot be written."""
    path = os.path.join(directory, name + ".blob")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return result
    try:
        view, written = memoryview(result[1]), 0
        while written < len(view):
            written += os.write(fd, view[written:])
    except OSError:
        os.close(fd)
        os.unlink(path)
        return result
    os.close(fd)
    return ("spooled", path)


def take(result: tuple) -> tuple:
    """The ("ok", bytes) result a worker left with `leave`, its file removed; any other result
    as it is. A spooled file that cannot be read makes the result ("unreadable", why)."""
    if result[0] != "spooled":
        return result
    path = result[1]
    try:
        with open(path, "rb", buffering=0) as fh:
            data = fh.readall()
    except OSError as exc:
        return ("unreadable", f"a worker's result: {exc}")
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return ("ok", data)
