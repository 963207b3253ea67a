"""Workers reading their own byte ranges give exactly the sequential path's rows and report:
on the shared sample, on synthetic exports with duplicates and conflicts across range
boundaries (also with the books of first versions spilled to disk), on pretty-printed and
compact exports; and anything unsure (a truncated file, bad UTF-8, a full account export, a
cut that was not a boundary, an oversized message, a file a worker cannot read) falls back
to the sequential path with the same result."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("orjson")

import whopushed.ingest.telegram as tg  # noqa: E402
import whopushed.ingest.telegram_fast as tf  # noqa: E402
import whopushed.pipeline.books as books  # noqa: E402
import whopushed.pipeline.ranges as R  # noqa: E402
from whopushed.ingest.telegram import ReadReport, read_file  # noqa: E402
from whopushed.pipeline.engines import LocalEngine  # noqa: E402
from whopushed.pipeline.stages import as_tuple, detect_batch  # noqa: E402
from whopushed.pipeline.synthetic import write_export  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telegram_export_sample.json"


def echo(items: list) -> list:
    """A stage that gives its input back: rows that show exactly what the workers built."""
    return [{"item": it} for it in items]


def sequential(path, stage=echo):
    report = ReadReport(str(path))
    return stage([as_tuple(m) for m in read_file(path, report)]), report


def by_ranges(path, stage=echo, range_bytes=2000, jobs=1, texts=None):
    report = ReadReport(str(path))
    with LocalEngine(jobs) as engine:
        rows = list(R.rows_of_file(engine, path, report, stage, batch=50, range_bytes=range_bytes, texts=texts))
    return rows, report


class _Calls(list):
    last = False  # whether the last assert_same fell back


@pytest.fixture
def fallbacks(monkeypatch):
    """How many times the sequential path was taken."""
    calls = _Calls()
    real = R._sequential

    def counted(*a, **k):
        calls.append(k.get("skip", 0))
        return real(*a, **k)

    monkeypatch.setattr(R, "_sequential", counted)
    return calls


def assert_same(path, fallbacks, expect_fallback: bool | None = False, stage=echo, **kw):
    want_rows, want_report = sequential(path, stage)
    got_rows, got_report = by_ranges(path, stage, **kw)
    assert got_report == want_report
    assert got_rows == want_rows
    if expect_fallback is not None:
        assert bool(fallbacks) == expect_fallback
    fallbacks.last = bool(fallbacks)
    fallbacks.clear()
    return want_rows, want_report


def msg(mid, text, unix=1_700_000_000, **extra) -> dict:
    m = {"id": mid, "type": "message", "date": "2023-11-14T22:13:20", "date_unixtime": str(unix),
         "from": "Chan", "from_id": "channel42", "text": text, "text_entities": [{"type": "plain", "text": text}]}
    m.update(extra)
    return m


def write(path: Path, messages, indent=None, separators=None, **head) -> Path:
    doc = {"name": "Chan", "type": "public_channel", "id": 42, **head, "messages": list(messages)}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=indent, separators=separators), encoding="utf-8")
    return path


@pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the repository")
def test_the_shared_sample_gives_the_sequential_rows_and_report(fallbacks):
    for size in (64, 500, None):
        rows, report = assert_same(SAMPLE, fallbacks, range_bytes=size)
    assert rows and report.conflicts
    assert_same(SAMPLE, fallbacks, stage=detect_batch, range_bytes=300)


def export_with_copies(path: Path, n: int = 3000, copies: int = 120, seed: int = 4) -> list:
    """A synthetic export with copies of earlier messages, the same or changed, far from or
    near them, and a few odd messages; its message objects."""
    write_export(path, n, seed=seed)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, body, tail = lines[0], lines[1:-1], lines[-1]
    rng = random.Random(9)
    objs = [json.loads(line.lstrip(",")) for line in body]
    out = list(objs)
    for _ in range(copies):
        i = rng.randrange(len(objs))
        copy = dict(objs[i])
        kind = rng.random()
        if kind < 0.4:
            copy["text"] = copy["text"] + " (changed)"  # a conflict, and a disagreement if it were used
        elif kind < 0.5:
            copy["edited_unixtime"] = str(int(copy["date_unixtime"]) + 5)  # an edit: a new version
            copy["edited"] = "2023-11-14T22:20:00"
        out.insert(min(len(out), i + rng.choice((1, 2, 40, 900, 5000))), copy)
    out.insert(17, {"id": "x", "type": "message", "text": "no integer id"})
    out.insert(n // 2, msg(99999, "views as a float", views=1.0, big=2 ** 70))
    out.insert(n * 3 // 4, {**msg(88888, "a"), "text": "b"})
    path.write_text(head + "".join(("," if k else "") + json.dumps(o, ensure_ascii=False) + "\n"
                                   for k, o in enumerate(out)) + tail, encoding="utf-8")
    return out


def test_duplicates_and_conflicts_across_range_boundaries(tmp_path, fallbacks):
    path = tmp_path / "r.json"
    out = export_with_copies(path)
    rows, report = assert_same(path, fallbacks, range_bytes=3000)
    assert report.duplicates > 20 and len(report.conflicts) > 20 and report.skipped and report.disagreements
    assert report.read == len(out) and len(rows) == report.messages
    assert_same(path, fallbacks, range_bytes=50_000, jobs=2)


def test_the_compact_books_merge_collide_and_cap_positions_as_the_sequential_books(tmp_path, fallbacks,
                                                                                    monkeypatch):
    """FirstVersions merged often (its arrays searched for most messages), keys whose id half
    collides (long runs of equal ids in the arrays, told apart by the other half), and
    positions kept for the first 300 first versions only: the same rows and report."""
    import hashlib

    path = tmp_path / "r.json"
    export_with_copies(path, n=900, copies=150, seed=5)
    monkeypatch.setattr(books, "MERGE_MIN", 7)
    _rows, report = assert_same(path, fallbacks, range_bytes=1500)
    assert report.duplicates > 20 and len(report.conflicts) > 20

    def colliding(mid: int, edit: str) -> bytes:  # 4 values of the id half; the identity in the other
        rest = hashlib.blake2b(repr((mid, edit)).encode(), digest_size=8).digest()
        return (hash(mid) % 4).to_bytes(8, "little") + rest

    monkeypatch.setattr(books, "identity_key", colliding)
    _rows, report2 = assert_same(path, fallbacks, range_bytes=1500)
    assert report2.duplicates == report.duplicates and len(report2.conflicts) == len(report.conflicts)
    monkeypatch.setattr(tg, "FIRST_POS_LIMIT", 300)
    _rows, report3 = assert_same(path, fallbacks, range_bytes=1500)
    unknown = [c for c in report3.conflicts if "read before at ?" in c.message]
    assert unknown and len(unknown) < len(report3.conflicts)


def export_out_of_order(path: Path, n: int = 1500, seed: int = 3) -> list:
    """export_with_copies, its ids then renumbered: a third ascending, a third shuffled, a
    third descending; and the first 60 messages again at the end (half changed)."""
    out = export_with_copies(path, n=n, copies=150, seed=seed)
    head, *_body, tail = path.read_text(encoding="utf-8").splitlines(keepends=True)
    ids = sorted({o["id"] for o in out if type(o["id"]) is int})
    third = len(ids) // 3
    middle = ids[third: 2 * third]
    random.Random(seed).shuffle(middle)
    renumber = dict(zip(ids, ids[:third] + middle + ids[2 * third:][::-1]))
    out = [{**o, "id": renumber.get(o["id"], o["id"])} if type(o["id"]) is int else o for o in out]
    out += [dict(o, text=o["text"] + " (later)") if k % 2 and isinstance(o.get("text"), str) else o
            for k, o in enumerate(out[:60])]
    path.write_text(head + "".join(("," if k else "") + json.dumps(o, ensure_ascii=False) + "\n"
                                   for k, o in enumerate(out)) + tail, encoding="utf-8")
    return out


def test_spilled_books_give_the_sequential_rows_and_report(tmp_path, fallbacks, monkeypatch):
    """Books of at most 40 entries in memory, the rest in runs on disk: duplicates and
    conflicts across range boundaries, ids out of order (the runs' ranges overlap, so their
    files are searched) and repeats of messages spilled long before, with their positions
    (and "?" past FIRST_POS_LIMIT): the same rows and report as the sequential path."""
    path = tmp_path / "r.json"
    out = export_out_of_order(path)
    monkeypatch.setattr(books, "CAP", 40)
    monkeypatch.setattr(books, "MERGE_MIN", 5)
    monkeypatch.setattr(books, "BLOCK", 4)
    spills, searched = [], []
    real_spill, real_find = books.FirstVersions.spill, books._Run.find
    monkeypatch.setattr(books.FirstVersions, "spill", lambda self: spills.append(1) or real_spill(self))
    monkeypatch.setattr(books._Run, "find", lambda self, *a: searched.append(r := real_find(self, *a)) or r)
    rows, report = assert_same(path, fallbacks, range_bytes=1500)
    assert report.read == len(out) and len(rows) == report.messages
    assert report.duplicates > 20 and len(report.conflicts) > 40
    assert len(spills) > 20 and len([s for s in searched if s is not None]) > 30
    assert_same(path, fallbacks, range_bytes=5000, jobs=2)
    monkeypatch.setattr(tg, "FIRST_POS_LIMIT", 300)
    _rows, report2 = assert_same(path, fallbacks, range_bytes=1500)
    unknown = [c for c in report2.conflicts if "read before at ?" in c.message]
    assert unknown and len(unknown) < len(report2.conflicts)


def test_the_books_in_memory_never_exceed_the_cap(tmp_path, fallbacks, monkeypatch):
    """Between ranges the books hold fewer entries in memory than the cap; within a range,
    at most that range's messages more."""
    path = tmp_path / "r.json"
    export_with_copies(path, n=1200, copies=100, seed=7)
    cap = 50
    monkeypatch.setattr(books, "CAP", cap)
    monkeypatch.setattr(books, "MERGE_MIN", 8)
    seen: list = []
    real_lookup, real_settle = books.FirstVersions.lookup, books.FirstVersions.settle

    def lookup(self, records):
        seen.append(("range", len(records) // books.REC_BYTES))
        return real_lookup(self, records)

    def settle(self):
        seen.append(("before", len(self)))
        real_settle(self)
        seen.append(("after", len(self), self.nbytes(), len(self.recent)))

    monkeypatch.setattr(books.FirstVersions, "lookup", lookup)
    monkeypatch.setattr(books.FirstVersions, "settle", settle)
    assert_same(path, fallbacks, range_bytes=2000)
    after = [s for s in seen if s[0] == "after"]
    assert len(after) > 50 and max(s[1] for s in after) < cap
    assert max(s[2] for s in after) <= 36 * cap and any(s[3] for s in after)
    for k, s in enumerate(seen):
        if s[0] == "before":
            assert s[1] < cap + seen[k - 1][1], (k, s)


def test_the_books_files_are_removed_when_reading_ends_or_is_abandoned(tmp_path, fallbacks, monkeypatch):
    import gc
    import os

    path = tmp_path / "r.json"
    write_export(path, 800, seed=12)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(books, "TMPDIR", str(tmp))
    monkeypatch.setattr(books, "CAP", 30)

    def open_runs() -> list:
        fds = Path("/proc/self/fd")
        return [d for d in fds.iterdir() if str(tmp) in os.path.realpath(d)] if fds.is_dir() else []

    made = []
    real_open = books.FirstVersions._open
    monkeypatch.setattr(books.FirstVersions, "_open", lambda self: made.append(1) or real_open(self))
    assert_same(path, fallbacks, range_bytes=1500)
    assert made and not list(tmp.iterdir()) and not open_runs()
    for ending in ("close", "collect"):
        report = ReadReport(str(path))
        with LocalEngine(1) as engine:
            gen = R.rows_of_file(engine, path, report, echo, range_bytes=1500)
            for _ in range(300):
                next(gen)
            assert [d.name[:16] for d in tmp.iterdir()] == ["whopushed-books-"]
            if Path("/proc/self/fd").is_dir():
                assert len(open_runs()) == 1
            if ending == "close":
                gen.close()
            else:
                del gen
                gc.collect()
            assert not list(tmp.iterdir()) and not open_runs()


def test_ids_beyond_64_bits_are_kept_apart(tmp_path, fallbacks):
    """orjson reads ids up to 2**64 - 1: keyed by a hash, still told apart from each other and
    from the ids within 64 bits; duplicates and conflicts as the sequential path counts them."""
    big = [2 ** 63, 2 ** 64 - 1, 2 ** 63 + 1, -(2 ** 63), 5, 0, -1]
    messages = [msg(mid, f"m{k}") for k, mid in enumerate(big)]
    messages += [msg(mid, f"m{k}" if k % 2 else "other") for k, mid in enumerate(big)]
    messages += [msg(2 ** 63, "edited", edited_unixtime="1700000100", edited="2023-11-14T22:15:00")]
    path = write(tmp_path / "big.json", messages * 3)
    _rows, report = assert_same(path, fallbacks, range_bytes=300)
    assert report.messages == len(big) + 1 and report.conflicts and report.duplicates


def test_a_pretty_printed_export_with_nested_objects(tmp_path, fallbacks):
    ents = [{"type": "plain", "text": "a},\n  {"}, {"type": "bold", "text": "b],"}, {"type": "plain", "text": "c"}]
    messages = []
    for i in range(1, 200):
        m = msg(i, "слово " * (i % 9), reactions=[{"type": "emoji", "count": i, "emoji": "👍"}])
        if i % 3 == 0:
            m["text_entities"] = ents
            m["text"] = ["a},\n  {", {"type": "bold", "text": "b],"}, "c"]
        if i % 50 == 0:
            messages.append(dict(m))
        messages.append(m)
    path = write(tmp_path / "pretty.json", messages, indent=1)
    _rows, report = assert_same(path, fallbacks, range_bytes=700)
    assert report.duplicates == 3 and report.messages == 199


def test_a_compact_export_with_misleading_bytes(tmp_path, fallbacks):
    """`},{` inside strings and between nested objects: not taken for cuts; and where a nested
    list looks like messages and a cut lands in it, the chain proof finds it out (the range
    before it does not parse) and the file is read sequentially, with the same result."""
    messages = [msg(i, 'x},{"id":5,"type":"message"},{', replies=[{"id": i * 10}, {"id": i * 10 + 1}])
                for i in range(1, 300)]
    path = write(tmp_path / "compact.json", messages, separators=(",", ":"))
    for size in (90, 1000, 5000):
        assert_same(path, fallbacks, expect_fallback=False, range_bytes=size)
    quoted = [{"id": k, "type": "message", "text": "q"} for k in range(6)]
    messages = [msg(i, "t", **({"thread": quoted} if i % 5 == 0 else {})) for i in range(1, 300)]
    path = write(tmp_path / "quoting.json", messages, separators=(",", ":"))
    fell = []
    for size in (90, 1000, 5000):
        assert_same(path, fallbacks, expect_fallback=None, range_bytes=size)
        fell.append(fallbacks.last)
    assert fell[0]


@pytest.mark.parametrize("case", ["truncated", "bad utf-8", "full account", "garbage after", "oversized",
                                  "one message", "no messages"])
def test_unsure_files_fall_back_to_the_sequential_path(tmp_path, fallbacks, monkeypatch, case):
    path = tmp_path / "r.json"
    write_export(path, 400, seed=6)
    data = path.read_bytes()
    middle = data.index(b'"id": 250,')
    if case == "truncated":
        path.write_bytes(data[: middle + 30])
    elif case == "bad utf-8":
        at = data.index(b'"text": "', middle) + 9
        path.write_bytes(data[:at] + b"\xff\xfe" + data[at + 2:])
    elif case == "full account":
        path.write_text(json.dumps({"about": "x", "chats": {"list": [
            {"name": "A", "type": "public_channel", "id": 1, "messages": [msg(i, f"a{i}") for i in range(50)]},
            {"name": "B", "type": "public_channel", "id": 2, "messages": [msg(1, "b"), msg(1, "b")]}]}}))
    elif case == "garbage after":
        path.write_bytes(data + b" ]")
    elif case == "oversized":
        monkeypatch.setattr(tg, "MAX_MESSAGE_CHARS", 1000)
        at = data.rindex(b"\n,{", 0, middle) + 2
        path.write_bytes(data[:at] + json.dumps(msg(5000, "y" * 1500)).encode() + b"\n," + data[at:])
    elif case == "one message":
        write(path, [msg(1, "one")])
    elif case == "no messages":
        write(path, [])
    rows, report = assert_same(path, fallbacks, expect_fallback=case != "one message", range_bytes=1500)
    if case in ("truncated", "bad utf-8", "garbage after"):
        assert report.stopped is not None and len(rows) >= 240


def test_a_late_fallback_gives_each_row_once(tmp_path, fallbacks):
    path = tmp_path / "r.json"
    write_export(path, 600, seed=8)
    data = path.read_bytes()
    at = data.index(b'"text": "', data.index(b'"id": 590,')) + 9
    path.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    assert_same(path, fallbacks, expect_fallback=True, range_bytes=2000)
    assert_same(path, fallbacks, expect_fallback=True, range_bytes=2000)  # again, for the skip it took
    rows, _ = by_ranges(path, range_bytes=2000)
    assert fallbacks and fallbacks[0] > 400  # most rows came from ranges before the bad one
    assert len({r["item"][1] for r in rows}) == len(rows)


def test_a_worker_that_cannot_read_the_file_falls_back(tmp_path, fallbacks, monkeypatch):
    path = tmp_path / "r.json"
    write_export(path, 300, seed=1)

    def unreadable(*_a, **_k):
        raise OSError("not on this machine")

    monkeypatch.setattr(tf, "read_range", unreadable)
    assert_same(path, fallbacks, expect_fallback=True, range_bytes=2000)


def test_texts_are_kept_as_the_sequential_path_keeps_them(tmp_path, fallbacks):
    path = tmp_path / "r.json"
    write_export(path, 200, seed=2)
    want = {m.identity: m.text[:120] for m in read_file(path)}
    got: dict = {}
    by_ranges(path, range_bytes=1000, texts=got)
    assert got == want and list(got) == list(want) and not fallbacks


def test_the_tuple_of_a_message_is_as_tuple_of_the_message():
    odd = [msg(1, "a"), msg(2, "b", edited_unixtime="1700000100", edited="2023-11-14T22:15:00"),
           msg(3, "c", date_unixtime=1700000000), msg(4, "d", date_unixtime="-5"), msg(5, "e", date_unixtime="x"),
           msg(6, "f", date_unixtime="99999999999999"), msg(7, "g", date_unixtime=None, date="2023-01-02T03:04:05"),
           msg(8, "h", date_unixtime="00017"), msg(9, "i", date_unixtime="١٢٣"), msg(10, "j", edited="2023-11-14"),
           msg(11, "k", date_unixtime=""), {"id": 12}, {"id": 13, "text": ["a", {"text": "b"}, 5]},
           {"id": 14, "type": 5, "text_entities": "no", "text": "t"}, msg(15, "l", date_unixtime=1.5),
           {**msg(16, "m"), "text": "n"}, {"id": True}, {"id": 1.0}, {"id": "7"}]
    meta = {"id": 42, "name": "Chan", "type": "public_channel"}
    for raw in odd:
        report = ReadReport("f")
        message = tg._message(raw, meta, "f", "messages[0]", report)
        item, skip, disagreement = R.message_tuple(raw, 42)
        if message is None:
            assert item is None and skip == report.skipped[0].message
            continue
        assert item == as_tuple(message), raw
        assert disagreement == (message.disagreement.message if message.disagreement else None)


def test_dask_reads_the_ranges_of_a_shared_file(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "result.json"
    write_export(path, 150, seed=11)
    want, want_report = sequential(path, detect_batch)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        for ranges in ("shared", "auto"):  # auto: an existing scheduler gets batches
            reports: list = []
            rows = list(R.detect_files([path], reports, engine="dask", scheduler=c.scheduler_address,
                                       ranges=ranges, range_bytes=4000))
            assert rows == want and reports == [want_report]
