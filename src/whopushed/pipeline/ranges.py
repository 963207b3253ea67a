"""Each worker reads its own part of the export: the whole stream without the parent parsing it.

The parent cuts the messages array into byte ranges at message boundaries (cheaply: a few
reads near each cut, ingest/telegram_fast.py `cuts`) and ships each worker only a small task
(path, start, end, the chat's id, the stage). The worker reads its bytes, parses them with
orjson, builds the stage's tuples and runs the stage; it returns the rows with, for each
message, its identity key and content digest (28 bytes), all pickled into one bytes object,
left in a file where the workers are this machine's processes (spool.py) and else moved by
the engine; the parent unpickles it with the collector paused (most of the cost of taking a
row dict was the collections its allocations set off in a parent whose heap holds the
detector), or, for `whopushed detect --json`, passes the rows' JSON on as it is (output.py). The parent takes the results in file order and keeps the books (read,
messages, duplicates, conflicts with their positions, disagreements, skipped) exactly as the
sequential reader does, dropping the rows of duplicates and conflicts, so rows and report are
the sequential path's. The identities already read are kept in bounded memory
(`books.FirstVersions`, keyed by message id and edit key: the chat is the file's): fewer
than books.CAP entries in memory after each range (sorted numpy arrays and a dict of the
latest ones, ~48 MB), the older ones in sorted runs in a temporary file, read only for ids
within a run's range (never, for ids ascending); the file goes when the reading ends,
falls back or is abandoned.

Anything unsure falls back to the sequential path for the whole file (ingest.telegram
read_file, batches shipped to the engine): another layout (a full account export), a range
that does not parse as whole messages (bad JSON or UTF-8, a truncated file, a cut that was
not a boundary after all), a message the careful reader would skip as too large, a file the
worker cannot read or that has another size there. The rows already given are the first
rows of the sequential path, which goes on after them with a fresh report.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..gcpause import collector_paused
from ..ingest import telegram as tg
from ..ingest import telegram_fast as tf
from ..ingest.errors import InputIssue
from . import books, spool
from .books import KEY_BYTES, NO_POS, REC_BYTES, FirstVersions, value
from .engines import batched
from .output import row_bytes
from .stages import as_tuple, detect_batch, framed_rows, json_twin

RANGE_MIN, RANGE_MAX = 1 << 16, 1 << 20  # bytes per range, unless asked otherwise


@dataclass(frozen=True)
class RangeTask:
    path: str  # absolute: the worker opens it
    start: int
    end: int
    size: int  # the file's size where it was cut: a worker that finds another refuses the task
    indent: bytes
    chat_id: Any
    stage: Callable[[list], list]
    with_text: bool = False
    spool: str | None = None  # a directory of this machine where the worker leaves its result (spool.py)


def _unix(raw: dict, unix_key: str, local_key: str) -> int | None:
    """As stages.as_tuple gives telegram's _utc(...): unix seconds."""
    u = raw.get(unix_key)
    if type(u) is str and 0 < len(u) <= 11 and u.isascii() and u.isdigit():
        return int(u)
    dt = tg._utc(u, raw.get(local_key))
    return int(dt.timestamp()) if dt else None


def message_tuple(raw: dict, chat_id: Any) -> tuple[tuple | None, str | None, str | None]:
    """(the stage's tuple, a skip reason, a disagreement) of one message object: what
    as_tuple(telegram._message(...)) gives, without building the Message."""
    mid = raw.get("id")
    if type(mid) is not int:
        return None, f"message without an integer id ({mid!r}); skipped", None
    text, disagreement = tg.message_text(raw)
    if "edited" in raw or "edited_unixtime" in raw:
        edited = _unix(raw, "edited_unixtime", "edited")
        edit_key = str(raw.get("edited_unixtime") or "")
    else:
        edited, edit_key = None, ""
    kind = raw.get("type", "message")
    u = raw.get("date_unixtime")  # _unix's usual case, here: a call a message saved
    date = int(u) if type(u) is str and 0 < len(u) <= 11 and u.isascii() and u.isdigit() \
        else _unix(raw, "date_unixtime", "date")
    return (chat_id, mid, edit_key, kind if type(kind) is str else str(kind), text, date, edited), None, disagreement


def run_range(task: RangeTask) -> tuple:
    """One range, in a worker: ("ok", blob), the blob pickling (read, skips, digests, labels,
    disagreements, rows, ends, texts) (`unpack`), or ("unsure", why) / ("unreadable", why).
    The collector is paused throughout: the range's objects are acyclic, and the collections
    their allocations set off cost a tenth of the range's time."""
    with collector_paused():
        result = _run_range(task)
    return spool.leave(task.spool, str(task.start), result) if task.spool and result[0] == "ok" else result


def _run_range(task: RangeTask) -> tuple:
    try:
        values = tf.read_range(task.path, task.start, task.end, task.size, task.indent)
    except OSError as exc:
        return ("unreadable", str(exc))
    if values is None:
        return ("unsure", f"bytes {task.start}-{task.end} are not whole messages")
    chat_id = task.chat_id
    skips: list[tuple[int, str]] = []
    digests = bytearray()
    labels: list[tuple[int, str]] = []  # (message id, edit) for conflict messages
    disagreements: dict[int, str] = {}  # index among the range's messages -> text
    items: list[tuple] = []
    body_of, digest_of, key_of = tg._content_body, tg._content_digest, books.identity_key
    limit = tg.MAX_MESSAGE_CHARS
    for j, raw in enumerate(values):
        item, skip, disagreement = message_tuple(raw, chat_id)
        if item is None:
            skips.append((j, skip))
            continue
        body = body_of(raw)
        if len(body) > limit:  # may be over the careful reader's limit: it would skip it
            return ("unsure", f"a message of {len(body):,} bytes")
        if disagreement is not None:
            disagreements[len(items)] = disagreement
        digests += key_of(item[1], item[2])  # the chat is the file's: the id and edit key suffice
        digests += digest_of(raw, body)
        labels.append((item[1], item[2]))
        items.append(item)
    rows, ends = _stage_rows(task.stage, items)
    texts = [it[4][:120] for it in items] if task.with_text else None
    return ("ok", pickle.dumps((len(values), skips, bytes(digests), labels, disagreements, rows, ends, texts),
                               pickle.HIGHEST_PROTOCOL))


def _stage_rows(stage: Callable[[list], list], items: list) -> tuple[Any, list[int] | None]:
    """The stage's rows: one JSON array and where each row ends in it, where the stage has a
    JSON twin (stages.json_twin: writing it costs a fraction of copying and pickling the row
    dicts, and the parent may pass the rows on as they are); else the rows as they are, and None."""
    twin = json_twin(stage)
    if twin is not None and items:
        try:
            return twin(items)
        except TypeError:  # a row orjson does not write (an id past 64 bits, a lone surrogate)
            pass
    return (stage(items) if items else []), None


def unpack(blob: bytes, encoded: bool = False) -> tuple:
    """What run_range pickled, with the rows as dicts, or with `encoded` as each row's JSON
    bytes (output.row_bytes). Done with the collector paused: the objects are new and acyclic,
    and a collection set off by their allocations would walk the parent's heap."""
    with collector_paused():
        read, skips, digests, labels, disagreements, rows, ends, texts = pickle.loads(blob)
        if ends is not None:
            rows = framed_rows(rows, ends) if encoded else orjson.loads(rows)
        elif encoded:
            rows = [row_bytes(r) for r in rows]
        return read, skips, digests, labels, disagreements, rows, texts


def range_bytes_for(size: int, workers: int) -> int:
    return max(RANGE_MIN, min(RANGE_MAX, size // max(workers * 16, 1)))


def plan(path: str | Path) -> tf.Layout | None:
    """The outline for reading by ranges, or None where the file must be read sequentially."""
    try:
        with open(path, "rb") as fh:
            return tf.layout(fh)
    except OSError:
        return None


def rows_of_file(engine, path: str | Path, report: tg.ReadReport, stage: Callable[[list], list] = detect_batch,
                 batch: int = 2000, ranges: bool = True, range_bytes: int | None = None,
                 texts: dict | None = None, progress: Callable[[int], None] | None = None,
                 encoded: bool = False) -> Iterator[Any]:
    """The stage's rows of every first version in the file, in file order, on an open engine
    (engines.open_engine); `report` is filled as the sequential reader fills it. By ranges
    where `ranges` and the file allow, else (or on anything unsure) sequentially. With
    `texts`, texts[identity] = the message's first 120 characters, for each row given. With
    `encoded`, lists of rows (a range's or a batch's, in order), each row its JSON bytes
    (output.row_bytes) as the workers wrote it: a caller that writes them out need not
    touch each one."""
    chunks = _chunks_of_file(engine, path, report, stage, batch, ranges, range_bytes, texts, progress, encoded)
    with closing(chunks):  # abandoned here: the books' and the spool's files go now, not at collection
        for chunk in chunks:
            if encoded:
                yield chunk
            else:
                yield from chunk


def _chunks_of_file(engine, path, report, stage, batch, ranges, range_bytes, texts, progress,
                    encoded) -> Iterator[list]:
    """rows_of_file's rows, a list a range (or a batch, sequentially)."""
    lay = plan(path) if ranges else None
    given = 0
    if lay is not None:
        state = _RangeRead(engine, Path(path), report, stage, lay, range_bytes, texts, progress, encoded)
        with closing(state.rows()) as chunks:
            for chunk in chunks:
                given += len(chunk)
                yield chunk
        if state.done:
            return
        report.__dict__.update(tg.ReadReport(report.file).__dict__)  # the sequential path counts afresh
    yield from _sequential(engine, path, report, stage, batch, texts, progress, skip=given, encoded=encoded)


def _sequential(engine, path, report, stage, batch, texts, progress, skip: int = 0,
                encoded: bool = False) -> Iterator[list]:
    tick = (lambda: progress(1)) if progress else None

    def items() -> Iterator[tuple]:
        n = 0
        for msg in tg.read_file(path, report, progress=tick):
            n += 1
            if n <= skip:  # given already, by ranges: the same messages
                continue
            if texts is not None:
                texts[msg.identity] = msg.text[:120]
            yield as_tuple(msg)

    for rows in engine.imap(stage, batched(items(), batch)):
        yield [row_bytes(r) for r in rows] if encoded else rows


class _RangeRead:
    def __init__(self, engine, path: Path, report, stage, lay: tf.Layout, range_bytes, texts, progress,
                 encoded: bool = False):
        self.engine, self.path, self.report, self.stage, self.lay = engine, path, report, stage, lay
        self.encoded = encoded
        self.target = range_bytes or range_bytes_for(lay.size, engine.workers)
        self.texts, self.progress = texts, progress
        self.done = False
        self.unsure = False
        # identity key -> content digest + index of the first version (NO_POS past
        # telegram.FIRST_POS_LIMIT first versions, as telegram._Books keeps them)
        self.seen = FirstVersions()
        # results left in files (spool.py) where the workers are this machine's processes
        self.spool = spool.Spool() if engine.spools else None

    def tasks(self) -> Iterator[RangeTask]:
        lay = self.lay
        path = str(self.path.resolve())
        chat_id = lay.meta.get("id")
        try:
            with open(path, "rb") as fh:
                for start, end in tf.cuts(fh, lay, self.target):
                    yield RangeTask(path, start, end, lay.size, lay.indent, chat_id, self.stage, self.texts is not None,
                                    self.spool.path if self.spool else None)
        except (tf._Unsure, OSError):
            self.unsure = True

    def rows(self) -> Iterator[list]:
        """The rows kept of each range, a list a range."""
        try:
            yield from self._rows()
        finally:
            self.seen.close()  # its runs on disk go, however the reading ends
            if self.spool:
                self.spool.close()

    def _rows(self) -> Iterator[list]:
        report, file = self.report, str(self.path)
        meta = self.lay.meta
        chat_id = meta.get("id")
        seen, texts = self.seen, self.texts
        size = REC_BYTES
        k = 0  # message objects read before this range
        for result in self.engine.imap(run_range, self.tasks()):
            result = spool.take(result)
            if result[0] != "ok":
                return
            read, skips, digests, labels, disagreements, rows, rtexts = unpack(result[1], self.encoded)
            skipped = {j for j, _ in skips}
            for j, why in skips:
                report.skipped.append(InputIssue(file, None, None, f"messages[{k + j}]", why))
            found = seen.lookup(digests)  # in the arrays or on disk: (same content, first position)
            recent = seen.recent  # the latest first versions, this range's included
            limit = tg.FIRST_POS_LIMIT
            j = 0
            given = 0
            keys = None if skips or found else [digests[o: o + KEY_BYTES] for o in range(0, len(digests), size)]
            if keys and len(set(keys)) == len(keys) and recent.keys().isdisjoint(keys):
                # the common case, every message a first version: the books take the range at once
                first = report.messages
                recent.update(zip(keys, books.values(digests, k, limit - first)))
                for i, why in disagreements.items():
                    report.disagreements.append(InputIssue(file, None, None, f"messages[{k + i}]", why))
                report.messages += len(rows)
                if texts is not None:
                    for (mid, edit), text in zip(labels, rtexts):
                        texts[(chat_id, mid, edit)] = text
                given = len(rows)
                yield rows
                rows = ()
            kept = []
            for i, row in enumerate(rows):
                while j in skipped:
                    j += 1
                key = digests[size * i: size * i + KEY_BYTES]
                content = digests[size * i + KEY_BYTES: size * (i + 1)]
                hit = found.get(i)
                if hit is None:
                    before = recent.get(key)
                    if before is not None:
                        hit = (before[:12] == content, int.from_bytes(before[12:], "little", signed=True))
                if hit is not None:
                    same, first = hit
                    if same:
                        report.duplicates += 1
                    else:
                        mid, edit = labels[i]
                        report.conflicts.append(InputIssue(
                            file, None, None, f"messages[{k + j}]",
                            f"message {mid} of chat {chat_id} (edit {edit or 'none'}) was read before at "
                            f"{'?' if first == NO_POS else f'messages[{first}]'} with other content; this one "
                            "is not used, the first is kept"))
                    j += 1
                    continue
                recent[key] = value(content, (k + j) if report.messages < limit else NO_POS)
                if i in disagreements:
                    report.disagreements.append(InputIssue(file, None, None, f"messages[{k + j}]", disagreements[i]))
                report.messages += 1
                if texts is not None:
                    mid, edit = labels[i]
                    texts[(chat_id, mid, edit)] = rtexts[i]
                given += 1
                j += 1
                kept.append(row)
            if kept:
                yield kept
            seen.settle()
            k += read
            report.read += read
            if self.progress and given:
                self.progress(given)
        self.done = not self.unsure


def detect_files(files: Iterable[str | Path], reports: list, stage: Callable[[list], list] = detect_batch,
                 engine: str = "local", scheduler: str | None = None, jobs: int | None = None, batch: int = 2000,
                 ranges: str = "auto", range_bytes: int | None = None, texts: dict | None = None,
                 progress: Callable[[int], None] | None = None, encoded: bool = False) -> Iterator[Any]:
    """The rows of every file, in order, on one engine (with `encoded`, lists of rows' JSON
    bytes: rows_of_file); a ReadReport per file is appended to `reports` as its reading
    starts. `ranges`: "auto" (workers read their own ranges where
    they can read this machine's files: the local engine, a Dask LocalCluster), "shared"
    (also on an existing Dask cluster: the files are at the same path on every worker) or
    "off" (batches of messages read here, as before)."""
    from .engines import open_engine

    if ranges not in ("auto", "shared", "off"):
        raise ValueError(f"ranges: {ranges!r} is not auto, shared or off")
    from .stages import warm

    with open_engine(engine, scheduler, jobs, warm=warm if stage is detect_batch else None) as eng:
        by_ranges = ranges == "shared" or (ranges == "auto" and eng.local_files)
        for f in files:
            report = tg.ReadReport(str(f))
            reports.append(report)
            yield from rows_of_file(eng, f, report, stage, batch, by_ranges, range_bytes, texts, progress, encoded)
