"""Each worker reads its own part of the export: the whole stream without the parent parsing it.

The parent cuts the messages array into byte ranges at message boundaries (cheaply: a few
reads near each cut, ingest/telegram_fast.py `cuts`) and ships each worker only a small task
(path, start, end, the chat's id, the stage). The worker reads its bytes, parses them with
orjson, builds the stage's tuples and runs the stage; it returns the rows with, for each
message, its identity and content digests (24 bytes). The parent takes the results in file
order and keeps the books (read, messages, duplicates, conflicts with their positions,
disagreements, skipped) exactly as the sequential reader does, dropping the rows of
duplicates and conflicts, so rows and report are the sequential path's.

Anything unsure falls back to the sequential path for the whole file (ingest.telegram
read_file, batches shipped to the engine): another layout (a full account export), a range
that does not parse as whole messages (bad JSON or UTF-8, a truncated file, a cut that was
not a boundary after all), a message the careful reader would skip as too large, a file the
worker cannot read or that has another size there. The rows already given are the first
rows of the sequential path, which goes on after them with a fresh report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ingest import telegram as tg
from ..ingest import telegram_fast as tf
from ..ingest.errors import InputIssue
from .engines import batched
from .stages import as_tuple, detect_batch

RANGE_MIN, RANGE_MAX = 1 << 16, 1 << 20  # bytes per range, unless asked otherwise
FIRST_POS_LIMIT = 1_000_000  # as telegram._Books: positions of first versions kept for conflict messages
NO_POS = b"\xff" * 5


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
    ents = raw.get("text_entities")
    has_entities = isinstance(ents, list)
    by_entities = tg.text_of(ents) if has_entities else None
    disagreement = None
    if by_entities is None:
        text = tg.text_of(raw.get("text"))
    else:
        text = by_entities
        if "text" in raw:
            by_text = tg.text_of(raw.get("text"))
            if by_text != by_entities:
                disagreement = (f"message {mid}: 'text' ({by_text[:60]!r}) and 'text_entities' "
                                f"({by_entities[:60]!r}) disagree; text_entities is used")
    edited = _unix(raw, "edited_unixtime", "edited") if ("edited" in raw or "edited_unixtime" in raw) else None
    edit_key = str(raw.get("edited_unixtime") or "")
    item = (chat_id, mid, edit_key, str(raw.get("type", "message")), text,
            _unix(raw, "date_unixtime", "date"), edited)
    return item, None, disagreement


def run_range(task: RangeTask) -> tuple:
    """One range, in a worker: ("ok", read, skips, digests, labels, disagreements, rows, texts),
    or ("unsure", why) / ("unreadable", why)."""
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
    body_of, digest_of, key_of = tg._content_body, tg._content_digest, tg._identity_key
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
        digests += key_of((chat_id, item[1], item[2]))
        digests += digest_of(raw, body)
        labels.append((item[1], item[2]))
        items.append(item)
    rows = task.stage(items) if items else []
    texts = [it[4][:120] for it in items] if task.with_text else None
    return ("ok", len(values), skips, bytes(digests), labels, disagreements, rows, texts)


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
                 texts: dict | None = None, progress: Callable[[int], None] | None = None) -> Iterator[dict]:
    """The stage's rows of every first version in the file, in file order, on an open engine
    (engines.open_engine); `report` is filled as the sequential reader fills it. By ranges
    where `ranges` and the file allow, else (or on anything unsure) sequentially. With
    `texts`, texts[identity] = the message's first 120 characters, for each row given."""
    lay = plan(path) if ranges else None
    given = 0
    if lay is not None:
        state = _RangeRead(engine, Path(path), report, stage, lay, range_bytes, texts, progress)
        for row in state.rows():
            given += 1
            yield row
        if state.done:
            return
        report.__dict__.update(tg.ReadReport(report.file).__dict__)  # the sequential path counts afresh
    yield from _sequential(engine, path, report, stage, batch, texts, progress, skip=given)


def _sequential(engine, path, report, stage, batch, texts, progress, skip: int = 0) -> Iterator[dict]:
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
        yield from rows


class _RangeRead:
    def __init__(self, engine, path: Path, report, stage, lay: tf.Layout, range_bytes, texts, progress):
        self.engine, self.path, self.report, self.stage, self.lay = engine, path, report, stage, lay
        self.target = range_bytes or range_bytes_for(lay.size, engine.workers)
        self.texts, self.progress = texts, progress
        self.done = False
        self.unsure = False
        # identity digest -> content digest (12 bytes) + index of the first version (5 bytes,
        # NO_POS past FIRST_POS_LIMIT first versions, as telegram._Books keeps them): one small
        # bytes object a message, so the books of a million messages stay near 150 MB
        self.seen: dict[bytes, bytes] = {}

    def tasks(self) -> Iterator[RangeTask]:
        lay = self.lay
        path = str(self.path.resolve())
        chat_id = lay.meta.get("id")
        try:
            with open(path, "rb") as fh:
                for start, end in tf.cuts(fh, lay, self.target):
                    yield RangeTask(path, start, end, lay.size, lay.indent, chat_id, self.stage, self.texts is not None)
        except (tf._Unsure, OSError):
            self.unsure = True

    def rows(self) -> Iterator[dict]:
        report, file = self.report, str(self.path)
        meta = self.lay.meta
        chat_id = meta.get("id")
        seen, texts = self.seen, self.texts
        k = 0  # message objects read before this range
        for result in self.engine.imap(run_range, self.tasks()):
            if result[0] != "ok":
                return
            _ok, read, skips, digests, labels, disagreements, rows, rtexts = result
            skipped = {j for j, _ in skips}
            for j, why in skips:
                report.skipped.append(InputIssue(file, None, None, f"messages[{k + j}]", why))
            j = 0
            given = 0
            for i, row in enumerate(rows):
                while j in skipped:
                    j += 1
                key = digests[24 * i: 24 * i + 12]
                digest = digests[24 * i + 12: 24 * i + 24]
                before = seen.get(key)
                if before is not None:
                    if before[:12] == digest:
                        report.duplicates += 1
                    else:
                        mid, edit = labels[i]
                        first = None if before[12:] == NO_POS else int.from_bytes(before[12:], "little")
                        report.conflicts.append(InputIssue(
                            file, None, None, f"messages[{k + j}]",
                            f"message {mid} of chat {chat_id} (edit {edit or 'none'}) was read before at "
                            f"{'?' if first is None else f'messages[{first}]'} with other content; this one "
                            "is not used, the first is kept"))
                    j += 1
                    continue
                seen[key] = digest + ((k + j).to_bytes(5, "little") if report.messages < FIRST_POS_LIMIT else NO_POS)
                if i in disagreements:
                    report.disagreements.append(InputIssue(file, None, None, f"messages[{k + j}]", disagreements[i]))
                report.messages += 1
                if texts is not None:
                    mid, edit = labels[i]
                    texts[(chat_id, mid, edit)] = rtexts[i]
                given += 1
                j += 1
                yield row
            k += read
            report.read += read
            if self.progress and given:
                self.progress(given)
        self.done = not self.unsure


def detect_files(files: Iterable[str | Path], reports: list, stage: Callable[[list], list] = detect_batch,
                 engine: str = "local", scheduler: str | None = None, jobs: int | None = None, batch: int = 2000,
                 ranges: str = "auto", range_bytes: int | None = None, texts: dict | None = None,
                 progress: Callable[[int], None] | None = None) -> Iterator[dict]:
    """The rows of every file, in order, on one engine; a ReadReport per file is appended to
    `reports` as its reading starts. `ranges`: "auto" (workers read their own ranges where
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
            yield from rows_of_file(eng, f, report, stage, batch, by_ranges, range_bytes, texts, progress)
