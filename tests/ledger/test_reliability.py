"""Reliability: any single flipped byte in a blob or a log row is caught and named; a
capture killed at any point leaves a verifiable workspace that a rerun completes without
duplicates; two processes capturing into one SQLite workspace lose nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from whopushed.ledger.capture import capture_file
from whopushed.ledger.verify import verify
from whopushed.store import tables as t

from ledger.conftest import make_bench  # tests/ is on sys.path (rootdir conftest)
from store.fixtures import make_case

WORKER = Path(__file__).with_name("capture_worker.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def _files(folder: Path, n: int, seed: int) -> list[Path]:
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"doc-{i:03d}.html"
        p.write_bytes(b"<html><body><p>report %d</p>%s</body></html>" % (i, rnd.randbytes(rnd.randrange(200, 4000)).hex().encode()))
        out.append(p)
    return out


def _flip_text(value: str, rnd: random.Random) -> str:
    i = rnd.randrange(len(value))
    c = value[i]
    other = "a" if c != "a" else "b"
    return value[:i] + other + value[i + 1:]


def test_any_single_flipped_byte_in_a_blob_or_log_row_is_caught_and_named(tmp_path):
    bench = make_bench(tmp_path / "ws")
    bench.store.import_case(make_case())
    for p in _files(tmp_path / "in", 4, seed=1):
        capture_file(bench.engine, bench.blobs, p, source=None, actor="a1", signer=bench.signer)
    key = bench.signer.public_key
    assert verify(bench.engine, bench.blobs, key).ok
    rnd = random.Random(20260501)
    blobs = list(bench.blobs.iterate())
    with bench.engine.connect() as conn:
        n_entries = conn.execute(sa.select(sa.func.count()).select_from(t.ledger_entries)).scalar_one()
        heads = list(conn.execute(sa.select(t.tree_heads.c.size)).scalars())
    entry_cols = ["seq", "at", "actor", "action", "collection", "record_id", "why", "prev", "new", "entry", "leaf_hash"]
    head_cols = ["size", "root", "signed_at", "key_id", "public_key", "signature", "frontier", "timestamp_status"]
    for trial in range(300):
        target = rnd.choice(["blob", "entry", "entry", "head"])
        if target == "blob":
            sha = rnd.choice(blobs)
            path = bench.blobs.path(sha)
            original = path.read_bytes()
            os.chmod(path, 0o644)
            damaged = bytearray(original)
            damaged[rnd.randrange(len(damaged))] ^= 1 << rnd.randrange(8)
            path.write_bytes(bytes(damaged))
            report = verify(bench.engine, bench.blobs, key)
            path.write_bytes(original)
            assert ("blob", sha) in {(p.kind, p.id) for p in report.problems}, trial
            continue
        table, cols, pk = ((t.ledger_entries, entry_cols, "seq") if target == "entry"
                           else (t.tree_heads, head_cols, "size"))
        key_value = rnd.randint(1, n_entries) if target == "entry" else rnd.choice(heads)
        with bench.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c[pk] == key_value)).first()
        col = rnd.choice([c for c in cols if getattr(row, c) is not None])
        value = getattr(row, col)
        if isinstance(value, int):
            flipped = value ^ (1 << rnd.randrange(4)) or value + 1
            if flipped in (heads if target == "head" else range(1, n_entries + 1)):
                flipped = value + 10_000  # a primary key must stay unique
        elif isinstance(value, bytes):
            b = bytearray(value)
            b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
            flipped = bytes(b)
        else:
            flipped = _flip_text(value, rnd)
        with bench.engine.begin() as conn:
            conn.execute(table.update().where(table.c[pk] == key_value).values({col: flipped}))
        report = verify(bench.engine, bench.blobs, key)
        with bench.engine.begin() as conn:
            where = flipped if col == pk else key_value
            conn.execute(table.update().where(table.c[pk] == where).values({col: value}))
        named = {(p.kind, p.id) for p in report.problems}
        assert not report.ok, (trial, target, col)
        assert (target, str(key_value)) in named or (target, str(flipped)) in named, (trial, target, col, named)
    assert verify(bench.engine, bench.blobs, key).ok
    bench.store.close()


def _run_worker(ws: Path, actor: str, files: list[Path]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, str(WORKER), str(ws), actor, *map(str, files)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _captures(bench) -> list[tuple[str, str]]:
    with bench.engine.connect() as conn:
        return list(conn.execute(sa.select(t.captures.c.id, t.captures.c.sha256)))


def test_a_capture_killed_at_random_points_verifies_and_a_rerun_completes_without_duplicates(tmp_path):
    bench = make_bench(tmp_path / "ws")
    files = _files(tmp_path / "in", 40, seed=2)
    rnd = random.Random(9)
    killed_after: list[int] = []
    for attempt in range(4):
        proc = _run_worker(bench.ws.root, "killed", files)
        # let it commit a few new captures, then kill it a moment later: inside the next one
        for _ in range(len(_captures(bench)) + rnd.randrange(1, 8)):
            proc.stdout.readline()
        time.sleep(rnd.uniform(0, 0.02))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_after.append(len(_captures(bench)))
        report = verify(bench.engine, bench.blobs, bench.signer.public_key)
        assert report.ok, [str(p) for p in report.problems]
        tmp = bench.ws.state_dir / "blobs" / ".tmp"
        for sha in bench.blobs.iterate():  # nothing half-written under a blob's name
            assert not tmp.exists() or bench.blobs.path(sha).parent != tmp
    assert killed_after[-1] < len(files)  # the kills landed before the end
    done = _run_worker(bench.ws.root, "rerun", files)
    out, errs = done.communicate(timeout=120)
    assert done.returncode == 0, errs.decode()
    caps = _captures(bench)
    assert len(caps) == len(files) == len({sha for _, sha in caps})
    report = verify(bench.engine, bench.blobs, bench.signer.public_key)
    assert report.ok and report.size == report.checked["entries"]
    bench.store.close()


def test_two_processes_capturing_into_one_sqlite_workspace_lose_no_entry(tmp_path):
    bench = make_bench(tmp_path / "ws")
    files = _files(tmp_path / "in", 30, seed=3)
    shared = files[:10]  # both capture these: each must end up captured once
    a = _run_worker(bench.ws.root, "alice", shared + files[10:20])
    b = _run_worker(bench.ws.root, "bob", shared[::-1] + files[20:])
    for p in (a, b):
        _, errs = p.communicate(timeout=120)
        assert p.returncode == 0, errs.decode()
    caps = _captures(bench)
    assert len(caps) == 30 == len({sha for _, sha in caps})
    report = verify(bench.engine, bench.blobs, bench.signer.public_key)
    assert report.ok, [str(p) for p in report.problems]
    with bench.engine.connect() as conn:
        seqs = list(conn.execute(sa.select(t.ledger_entries.c.seq).order_by(t.ledger_entries.c.seq)).scalars())
        actions = list(conn.execute(sa.select(t.ledger_entries.c.action)).scalars())
    assert seqs == list(range(1, len(seqs) + 1))
    assert actions.count("capture") == 30 and actions.count("derive") == 30 and actions.count("source.add") == 1
    bench.store.close()
