"""The range reader's books (pipeline/books.py) are a dict of identity key -> content digest
and first position, whatever part of them is on disk: against a plain dict, with tiny caps
and blocks; memory stays under the cap; the run files go when the books are closed or
collected."""

from __future__ import annotations

import gc
import random

import numpy as np
import pytest

import whopushed.pipeline.books as books


@pytest.fixture(autouse=True)
def runs_in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.setattr(books, "TMPDIR", str(tmp_path))


def play(fv: books.FirstVersions, rng: random.Random, keys: list, rounds: int, want: dict, after=None) -> None:
    """Batches of lookups then additions, as ranges.py makes them, checked against `want`."""
    for batch in range(rounds):
        records = [(rng.choice(keys), bytes([rng.randrange(2)]) * 12) for _ in range(rng.randrange(0, 20))]
        found = fv.lookup(b"".join(k + c for k, c in records))
        for i, (key, content) in enumerate(records):
            if i in found:
                assert key in want and found[i] == (want[key][0] == content, want[key][1])
            elif key in fv.recent:
                assert fv.recent[key] == books.value(*want[key])
            else:
                assert key not in want
                want[key] = (content, batch)
                fv.recent[key] = books.value(content, batch)
        fv.settle()
        if after:
            after(fv)


def some_keys(rng: random.Random, count: int, ids: int) -> list:
    """Keys of few distinct ids (long runs of equal ids, across blocks), some negative."""
    return list({books.identity_key(rng.randrange(-3, ids), str(rng.randrange(40))) for _ in range(count)})


def test_first_versions_is_a_dict_of_28_byte_records_across_spills(monkeypatch):
    monkeypatch.setattr(books, "BLOCK", 3)
    rng = random.Random(3)
    keys = some_keys(rng, 600, 12)
    fv = books.FirstVersions(cap=40, merge_min=5)
    want: dict = {}
    play(fv, rng, keys, 150, want)
    assert len(fv.runs) > 5 and fv.spilled + len(fv) == len(want)
    assert any(run.n > 3 * run.block for run in fv.runs)
    # every key, wherever it is: as recorded
    fv.merge()
    assert list(fv.mid) == sorted(fv.mid) and not fv.recent
    every = list(want)
    found = fv.lookup(b"".join(k + want[k][0] for k in every))
    assert found == {i: (True, want[k][1]) for i, k in enumerate(every)}
    other = fv.lookup(b"".join(k + bytes(12) if want[k][0] != bytes(12) else k + b"\1" * 12 for k in every))
    assert all(same is False for same, _pos in other.values()) and len(other) == len(every)
    assert fv.lookup(b"".join(books.identity_key(m, "new") + bytes(12) for m in range(-3, 12))) == {}
    fv.close()


def test_lookups_of_ascending_ids_never_read_the_runs(monkeypatch):
    """An export lists its ids ascending: new ids are past every run's range, so the files
    are not read at all."""
    reads = []
    real = books._read
    monkeypatch.setattr(books, "_read", lambda *a: reads.append(1) or real(*a))
    fv = books.FirstVersions(cap=100, merge_min=10)
    for start in range(0, 2000, 25):
        found = fv.lookup(b"".join(books.identity_key(m, "") + bytes(12) for m in range(start, start + 25)))
        assert found == {}
        fv.recent.update((books.identity_key(m, ""), books.value(bytes(12), m)) for m in range(start, start + 25))
        fv.settle()
    assert len(fv.runs) >= 15 and not reads
    assert fv.lookup(books.identity_key(7, "") + bytes(12)) == {0: (True, 7)} and reads
    fv.close()


def test_the_memory_part_stays_under_the_cap():
    rng = random.Random(5)
    keys = some_keys(rng, 2000, 400)
    cap = 64
    fv = books.FirstVersions(cap=cap, merge_min=4)
    sizes = []

    def after(books_):
        sizes.append((len(books_), books_.nbytes(), len(books_.mid), len(books_.recent)))

    play(fv, rng, keys, 400, {}, after)
    assert max(s[0] for s in sizes) < cap and max(s[1] for s in sizes) <= 36 * (cap - 1)
    assert max(s[2] for s in sizes) > cap // 2 and any(s[3] for s in sizes) and fv.runs
    fv.close()


def test_close_and_collection_remove_the_run_files(tmp_path):
    for ending in ("close", "collect"):
        fv = books.FirstVersions(cap=4)
        fv.recent.update((books.identity_key(m, ""), books.value(bytes(12), m)) for m in range(10))
        fv.settle()
        assert fv.runs and [d.name[:16] for d in tmp_path.iterdir()] == ["whopushed-books-"]
        if ending == "close":
            fv.close()
            assert not fv.runs and len(fv) == 0
        else:
            del fv
            gc.collect()
        assert not list(tmp_path.iterdir())


def test_identity_key_is_the_id_exactly_and_keeps_ids_beyond_64_bits_apart():
    assert books.identity_key(5, "")[:8] == (5).to_bytes(8, "little")
    assert books.identity_key(-1, "x")[:8] == b"\xff" * 8
    assert books.identity_key(5, "") != books.identity_key(5, "1700000000")
    ids = [2 ** 63, 2 ** 64 - 1, -(2 ** 63) - 1, 2 ** 100, -(2 ** 63), 2 ** 63 - 1, 0]
    keys = {books.identity_key(m, e) for m in ids for e in ("", "1", "\udcff")}
    assert len(keys) == 3 * len(ids) and all(len(k) == books.KEY_BYTES for k in keys)
    assert np.frombuffer(books.identity_key(2 ** 63 - 1, "") + bytes(12), books._REC)["mid"][0] == 2 ** 63 - 1


def test_a_ranges_values_at_once_are_value_record_by_record():
    import random

    rng = random.Random(8)
    n = 300
    records = bytes(rng.getrandbits(8) for _ in range(n * books.REC_BYTES))
    for start, numbered in ((0, n), (5000, 120), (7, 0), (9, -4)):
        want = [books.value(records[i * books.REC_BYTES + books.KEY_BYTES:(i + 1) * books.REC_BYTES],
                            start + i if i < numbered else books.NO_POS) for i in range(n)]
        assert books.values(records, start, numbered) == want
    assert books.values(b"", 0, 0) == []
