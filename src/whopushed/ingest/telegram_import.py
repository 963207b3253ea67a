"""Importing Telegram exports into a store: every message version becomes a capture and,
where the detector finds a launch report, a launch claim by the channel.

One transaction per batch: a crash or a bad stretch of file loses at most the batch being
written, and a rerun finds the rest unchanged (identities are stable) and goes on. The
batch's blobs are flushed to disk before the transaction that references them commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputIssue
from .telegram import Chat, Message, ReadReport, read_file


@dataclass
class TelegramImport:
    files: list[ReadReport] = field(default_factory=list)
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    claims_added: int = 0
    claims_unchanged: int = 0
    launch_reports: int = 0
    preserved: bool = False  # blobs written (a workspace) or citation-only captures (--db only)
    refused: list[InputIssue] = field(default_factory=list)  # captures the store holds with other bytes
    case: str | None = None
    detector: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"case": self.case, "preserved": self.preserved,
                "captures": {"added": self.added, "unchanged": self.unchanged, "updated": self.updated},
                "claims": {"launch_reports": self.launch_reports, "added": self.claims_added,
                           "unchanged": self.claims_unchanged, "detector": self.detector},
                "refused": [{"capture": i.field, "message": i.message} for i in self.refused],
                "files": [f.as_json() for f in self.files]}


def capture_id(msg: Message) -> str:
    chat = msg.chat.id if msg.chat.id is not None else "x"
    return f"tg-{chat}-{msg.id}" + (f"-e{msg.edit_key}" if msg.edit_key else "")


def source_id(chat: Chat) -> str:
    return f"src-tg-{chat.id if chat.id is not None else 'unknown'}"


def _minute(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%MZ") if dt else None


def to_capture(msg: Message, sha256: str | None, size: int | None):
    """The capture of one message version: preserved (sha256 of its canonical JSON) or,
    without a blob store, citation-only by its t.me URL. Everything in it derives from the
    message alone, so the same message from two exports gives the same record."""
    from ..model import Capture

    name = msg.chat.name or f"chat {msg.chat.id}"
    if msg.type == "service":
        head = f"service message ({msg.raw.get('action', 'unknown action')})"
    else:
        head = " ".join(msg.text.split())[:100] or "(no text)"
    notes = []
    if msg.forwarded_from or msg.raw.get("forwarded_from_id"):
        notes.append(f"Forwarded from {msg.forwarded_from or msg.raw.get('forwarded_from_id')}.")
    if msg.reply_to is not None:
        notes.append(f"Reply to message {msg.reply_to}.")
    if msg.edited:
        notes.append(f"This version was edited at {_minute(msg.edited)}.")
    return Capture(
        id=capture_id(msg), source=source_id(msg.chat), url=msg.url, title=f"{name} #{msg.id}: {head}",
        published=_minute(msg.date), excerpt=msg.text[:2000] or None,
        sha256=sha256, size=size, media_type="application/json" if sha256 else None,
        method="whopushed import telegram: the message's canonical JSON from a Telegram Desktop export",
        notes=" ".join(notes) or None)


def actor_id(chat: Chat) -> str:
    return f"act-tg-{chat.id if chat.id is not None else 'unknown'}"


@lru_cache(maxsize=1)
def detector_version() -> str:
    """A short digest of the detector's data files: claims name the rules that found them."""
    digest = hashlib.sha256()
    data = resources.files("whopushed.extract").joinpath("data")
    for name in sorted(p.name for p in data.iterdir() if p.name.endswith((".yaml", ".json", ".txt"))):
        digest.update(name.encode() + b"\0" + data.joinpath(name).read_bytes())
    return f"rules {digest.hexdigest()[:12]}"


def _channel_records(chat: Chat):
    from ..model import Actor, Source

    name = chat.name or f"Telegram chat {chat.id}"
    actor = Actor(id=actor_id(chat), name=name, kind="unknown",
                  role=f"Telegram {chat.type or 'chat'} (id {chat.id}); who runs it is not assessed yet")
    source = Source(id=source_id(chat), name=name, kind="other", actor=actor.id, reliability="F",
                    reliability_why="Imported from a Telegram export; not graded yet.")
    return actor, source


def import_telegram(store, paths: list[str | Path], blobs=None, batch: int = 2000,
                    progress: Callable[[], None] | None = None, actor: str | None = None,
                    claims: bool = True) -> TelegramImport:
    """Import every message version of the exports as a capture, in batches (one transaction
    each). With `blobs` (a ledger.blobs store) each capture is preserved: the message's
    canonical JSON is the blob; without, captures are citation-only by URL. With `claims`,
    each message the detector reads as a launch report also gives a launch claim."""
    from ..extract.claims import launch_claim
    from ..model import Case
    from ..pipeline.stages import as_tuple, detect_batch
    from ..store import StoreError
    from .csvmap import placeholder_meta

    result = TelegramImport(preserved=blobs is not None, detector=detector_version() if claims else None)
    meta = store.case_meta() or placeholder_meta(None)
    result.case = meta.id
    known: set[str] = set()  # channel records the store holds (never re-sent: a grade given later stays)
    pending: list[Message] = []

    def count(rep) -> None:
        result.added += rep.added["captures"]
        result.unchanged += rep.unchanged["captures"]
        result.updated += rep.updated["captures"]
        result.claims_added += rep.added["claims"]
        result.claims_unchanged += rep.unchanged["claims"]

    def flush() -> None:
        if not pending:
            return
        new_channels: dict[str, tuple] = {}
        for msg in pending:
            aid = actor_id(msg.chat)
            if aid not in known and aid not in new_channels:
                a, s = _channel_records(msg.chat)
                a = a if store.get(a.id) is None else None
                s = s if store.get(s.id) is None else None
                if a or s:
                    new_channels[aid] = (a, s)
                else:
                    known.add(aid)
        bodies = [m.canonical_bytes() for m in pending] if blobs is not None else None
        shas = blobs.put_many(bodies) if bodies is not None else None
        captures = [to_capture(m, shas[i] if shas else None, len(bodies[i]) if bodies else None)
                    for i, m in enumerate(pending)]
        found = []
        if claims:
            rows = detect_batch([as_tuple(m) for m in pending])
            for msg, row in zip(pending, rows):
                claim = launch_claim(row, capture_id(msg), actor_id(msg.chat), msg.date, msg.text,
                                     result.detector)
                if claim is not None:
                    found.append(claim)
            result.launch_reports += len(found)
        actors = [a for a, _ in new_channels.values() if a]
        sources = [s for _, s in new_channels.values() if s]
        try:
            count(store.import_case(Case(case=meta, actors=actors, sources=sources, captures=captures,
                                         claims=found), actor=actor, partial=True))
        except StoreError:
            # a preserved capture the store holds with other bytes: one message at a time, refuse those
            for cap in captures:
                mine = [c for c in found if cap.id in c.captures]
                try:
                    count(store.import_case(Case(case=meta, actors=actors, sources=sources, captures=[cap],
                                                 claims=mine), actor=actor, partial=True))
                    actors, sources = [], []
                except StoreError as exc:
                    result.refused.append(InputIssue("store", None, None, cap.id, str(exc)))
        known.update(new_channels)
        pending.clear()

    for path in paths:
        report = ReadReport(str(path))
        result.files.append(report)
        try:
            for msg in read_file(path, report, progress):
                pending.append(msg)
                if len(pending) >= batch:
                    flush()
        except OSError as exc:
            report.stopped = InputIssue(str(path), None, None, None, f"cannot read: {exc}")
        flush()
    return result
