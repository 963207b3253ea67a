"""The range reader's books of first versions, in bounded memory whatever the file size.

Range reading handles one chat per file, so an identity is (message id, edit key): its key
is the id itself (8 bytes, exact) and an 8-byte hash of the edit key (`identity_key`; two
versions of one id are taken for one only if their hashes collide, 2**-64 a pair). Each
entry maps it to the content digest (12 bytes) and the first version's position (8 bytes):
36 bytes. `FirstVersions` holds fewer than `cap` entries in memory after each range (sorted
numpy arrays and a dict of the latest ones: ~48 MB at the default cap of 2**20, ~54 at
the peak of a merge, measured); at the cap it writes its arrays to disk as one more sorted
run and starts empty. Of a run only its smallest and largest id and the id of every
BLOCK-th entry stay in memory (~0.02 bytes an entry). A lookup consults memory, then only
the runs whose [smallest, largest] range holds the id: exports list ids ascending, so a new
message is in no run's range and the disk is not read at all. Where it is (ids out of
order, a repeat of an old message), one read of a block of ids settles it (os.pread, not a
memory map: mapped pages touched would count in the resident set). Runs are not merged:
ids in random order make each lookup read a block of every run, ~9 µs each (measured).

The runs are one file in a temporary directory of their own; the file is unlinked as soon
as it is open where the system allows (a killed process leaves no data behind), and the
directory goes on `close`, or when the books are garbage collected.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass

import numpy as np

CAP = 1 << 20  # entries in memory (arrays and dict) after each settle; more go to disk
MERGE_MIN = 1 << 16  # the dict of the latest entries is merged into the arrays at this size
BLOCK = 512  # entries of a run per block: one read of its ids (4 KiB) answers most lookups
TMPDIR: str | None = None  # where the runs' directory is made (None: tempfile's default)
NO_POS = -1  # a first version whose position is not kept (past telegram.FIRST_POS_LIMIT)

KEY_BYTES = 16
_REC = np.dtype([("mid", "<i8"), ("edit", "<u8"), ("chi", "<u8"), ("clo", "<u4")])  # key + content: 28 bytes
_KEY = np.dtype([("mid", "<i8"), ("edit", "<u8")])
_VAL = np.dtype([("chi", "<u8"), ("clo", "<u4"), ("pos", "<i8")])  # content digest + position: 20 bytes
REC_BYTES = _REC.itemsize
# the columns, in memory (one array each) and in a run on disk (one after the other)
_COLUMNS = (("mid", np.dtype("<i8")), ("edit", np.dtype("<u8"))) + tuple((f, _VAL[f]) for f in _VAL.names)
_STARTS = np.cumsum([0] + [d.itemsize for _, d in _COLUMNS]).tolist()  # a column's start, in bytes per entry
_I64 = 1 << 63


def _edit_hash(edit: str) -> bytes:
    return hashlib.blake2b(edit.encode("utf-8", "surrogatepass"), digest_size=8).digest()


_NO_EDIT = _edit_hash("")


def identity_key(mid: int, edit: str) -> bytes:
    """The 16-byte key of message `mid`, version `edit`, within one chat: the id (signed,
    little-endian) and a hash of the edit key. An id beyond 64 bits (orjson reads up to
    2**64 - 1) is hashed with the edit key into both halves."""
    if -_I64 <= mid < _I64:
        return mid.to_bytes(8, "little", signed=True) + (_edit_hash(edit) if edit else _NO_EDIT)
    return hashlib.blake2b(repr((mid, edit)).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def value(content: bytes, pos: int) -> bytes:
    """The 20 bytes kept for a first version: its content digest and position."""
    return content + pos.to_bytes(8, "little", signed=True)


_CONTENT = np.dtype([("key", "V16"), ("content", "V12")])  # a record as the workers send it
_VALUE = np.dtype([("content", "V12"), ("pos", "<i8")])


def values(records: bytes, start: int, numbered: int) -> list[bytes]:
    """value(content, position) of each record (key + content digest, REC_BYTES each), the
    positions counted from `start`; past the first `numbered` records, NO_POS. A range's
    values at once: a third of the cost of value() a record."""
    recs = np.frombuffer(records, _CONTENT)
    out = np.empty(len(recs), _VALUE)
    out["content"] = recs["content"]
    pos = np.arange(start, start + len(recs), dtype=np.int64)
    pos[max(numbered, 0):] = NO_POS
    out["pos"] = pos
    data = out.tobytes()
    size = _VALUE.itemsize
    return [data[o:o + size] for o in range(0, len(data), size)]


@dataclass
class _Run:
    """One sorted run on disk: its columns one after the other, n entries each."""

    offset: int
    n: int
    lo: int  # smallest and largest id
    hi: int
    fence: np.ndarray  # the id of every block's first entry
    block: int  # entries a block

    def _at(self, column: int, index: int) -> int:
        return self.offset + _STARTS[column] * self.n + _COLUMNS[column][1].itemsize * index

    def starts(self, mids: np.ndarray) -> list[int]:
        """For each id, the index where a search for it starts: its block, or the one before
        (where a block begins with it, equal ids may end the one before)."""
        return (np.maximum(np.searchsorted(self.fence, mids, "left") - 1, 0) * self.block).tolist()

    def find(self, fd: int, mid: int, edit: int, start: int) -> int | None:
        """The index of (mid, edit) in the run, or None; `start` from `starts`."""
        n = self.n
        while start < n:
            count = min(self.block, n - start)
            mids = _read(fd, self._at(0, start), count, _COLUMNS[0][1])
            j = int(np.searchsorted(mids, mid))
            if j == count:  # all before it: it is in the next block, if anywhere
                start += count
                continue
            if mids[j] != mid:
                return None
            edits = _read(fd, self._at(1, start), count, _COLUMNS[1][1])
            hit = np.flatnonzero((mids == mid) & (edits == edit))
            if hit.size:
                return start + int(hit[0])
            if mids[-1] != mid:
                return None
            start += count  # a run of equal ids goes on into the next block
        return None

    def value(self, fd: int, index: int) -> list[int]:
        """[chi, clo, pos] of entry `index`."""
        return [int(_read(fd, self._at(c, index), 1, _COLUMNS[c][1])[0]) for c in (2, 3, 4)]


def _read(fd: int, offset: int, count: int, dtype: np.dtype) -> np.ndarray:
    size = count * dtype.itemsize
    data = os.pread(fd, size, offset)
    if len(data) != size:
        raise OSError(f"the books' run file is short: {len(data)} bytes of {size} at {offset}")
    return np.frombuffer(data, dtype)


def _remove(fd: int, directory: str) -> None:
    try:
        os.close(fd)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class FirstVersions:
    """identity key (16 bytes) -> content digest (12 bytes) and first position (or NO_POS),
    exact on all 28 bytes as a dict would be, in fewer than `cap` entries of memory after
    each settle (plus, until the next, the entries added since).

    In memory: one array per column (mid, edit, chi, clo, pos), sorted by (id, edit hash),
    36 bytes an entry, and `recent`, a dict of the latest entries (key -> `value(...)`, ~150
    bytes an entry), merged into the arrays once it holds merge_min (the arrays are capped,
    so a merge's copy stays cheap). At the cap, the arrays go to disk as one more run."""

    def __init__(self, cap: int | None = None, merge_min: int | None = None):
        self.cap = CAP if cap is None else cap
        self.merge_min = MERGE_MIN if merge_min is None else merge_min
        self._empty()
        self.recent: dict[bytes, bytes] = {}
        self.runs: list[_Run] = []
        self.spilled = 0  # entries on disk
        self.directory: str | None = None
        self._fd = -1
        self._end = 0  # bytes written to the run file
        self._finalizer: weakref.finalize | None = None

    def _empty(self) -> None:
        for name, dtype in _COLUMNS:
            setattr(self, name, np.empty(0, dtype))

    def __len__(self) -> int:
        """The entries in memory."""
        return len(self.mid) + len(self.recent)

    def nbytes(self) -> int:
        """The arrays' bytes (the dict's are not counted)."""
        return sum(getattr(self, name).nbytes for name, _ in _COLUMNS)

    def lookup(self, records: bytes) -> dict[int, tuple[bool, int]]:
        """For each 28-byte record (identity key + content digest) whose identity is in the
        arrays or on disk (not in `recent`): its index -> (same content, first position)."""
        hits: dict[int, tuple[bool, int]] = {}
        if not records or not (len(self.mid) or self.runs):
            return hits
        q = np.frombuffer(records, _REC)
        found = self._lookup_arrays(q, hits) if len(self.mid) else np.zeros(len(q), bool)
        if self.runs:
            qmid, qedit, fd = q["mid"], q["edit"], self._fd
            for run in self.runs:  # only where the id is within a run's range: none, for ids ascending
                ask = np.flatnonzero((qmid >= run.lo) & (qmid <= run.hi) & ~found)
                for i, mid, edit, start in zip(ask.tolist(), qmid[ask].tolist(), qedit[ask].tolist(),
                                               run.starts(qmid[ask])):
                    t = run.find(fd, mid, edit, start)
                    if t is not None:
                        chi, clo, pos = run.value(fd, t)
                        hits[i] = (chi == int(q["chi"][i]) and clo == int(q["clo"][i]), pos)
                        found[i] = True
        return hits

    def _lookup_arrays(self, q: np.ndarray, hits: dict) -> np.ndarray:
        mid, edit, n = self.mid, self.edit, len(self.mid)
        qmid, qedit = q["mid"], q["edit"]
        left = np.searchsorted(mid, qmid, "left")
        right = np.searchsorted(mid, qmid, "right")
        cand = np.minimum(left, n - 1)
        found = (right > left) & (edit[cand] == qedit)
        idx = np.where(found, cand, -1)
        for i in np.flatnonzero((right - left > 1) & ~found).tolist():  # several edits of one id: rare
            a, b = int(left[i]), int(right[i])
            t = a + int(np.searchsorted(edit[a:b], qedit[i]))  # sorted by edit hash within an id
            if t < b and edit[t] == qedit[i]:
                idx[i] = t
                found[i] = True
        at = np.flatnonzero(found)
        if at.size:
            t = idx[at]
            same = (self.chi[t] == q["chi"][at]) & (self.clo[t] == q["clo"][at])
            hits.update(zip(at.tolist(), zip(same.tolist(), self.pos[t].tolist())))
        return found

    def settle(self) -> None:
        """Between lookups: at the cap, the memory part goes to disk; else the dict is merged
        into the arrays once it is large enough."""
        if len(self) >= self.cap:
            self.spill()
        elif len(self.recent) >= self.merge_min:
            self.merge()

    def merge(self) -> None:
        recent = self.recent
        if not recent:
            return
        keys = np.frombuffer(b"".join(recent), _KEY)
        vals = np.frombuffer(b"".join(recent.values()), _VAL)
        self.recent = {}
        del recent
        order = np.lexsort((keys["edit"], keys["mid"]))
        mids, edits = keys["mid"][order], keys["edit"][order]
        # where each goes: after the equal ids, then among them by edit hash (a new key is never there)
        left = np.searchsorted(self.mid, mids, "left")
        at = np.searchsorted(self.mid, mids, "right")
        for i in np.flatnonzero(at > left).tolist():
            a = int(left[i])
            at[i] = a + int(np.searchsorted(self.edit[a:at[i]], edits[i]))
        for name, new in (("mid", mids), ("edit", edits), ("chi", vals["chi"][order]), ("clo", vals["clo"][order]),
                          ("pos", vals["pos"][order])):
            old = getattr(self, name)
            setattr(self, name, None)  # one column at a time: the peak is the arrays and one new column
            setattr(self, name, np.insert(old, at, new))
            del old

    def spill(self) -> None:
        """The memory part, sorted, to disk as one more run."""
        self.merge()
        n = len(self.mid)
        if not n:
            return
        if self.directory is None:
            self._open()
        offset = self._end
        for name, _ in _COLUMNS:
            data = memoryview(getattr(self, name).view(np.uint8))
            written = 0
            while written < len(data):
                written += os.pwrite(self._fd, data[written:], self._end + written)
            self._end += written
        self.runs.append(_Run(offset, n, int(self.mid[0]), int(self.mid[-1]), self.mid[::BLOCK].copy(), BLOCK))
        self.spilled += n
        self._empty()

    def _open(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="whopushed-books-", dir=TMPDIR)
        path = os.path.join(self.directory, "runs")
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self._finalizer = weakref.finalize(self, _remove, self._fd, self.directory)
        try:
            os.unlink(path)  # the data goes with the descriptor, even if the process is killed
        except OSError:  # not where open files cannot be unlinked: the directory goes on close
            pass

    def close(self) -> None:
        """Remove the runs from disk; the books are empty after."""
        if self._finalizer is not None:
            self._finalizer()
        self._fd, self.directory, self._end = -1, None, 0
        self.runs, self.spilled, self.recent = [], 0, {}
        self._empty()
