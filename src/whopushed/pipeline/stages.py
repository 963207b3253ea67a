"""Stage functions: plain data in, plain data out, so any engine can run them anywhere.

A batch is a list of message tuples (chat, id, edit, type, text, date_unixtime,
edited_unixtime); `detect_batch` gives, for each, the row that `whopushed detect --json`
prints. The detector is built once per process (default_detector is cached); messages with
no word it could act on skip it (extract/prefilter.py) and get the same row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

MessageTuple = tuple  # (chat, id, edit, type, text, date_unixtime | None, edited_unixtime | None)


def as_tuple(msg) -> MessageTuple:
    """A message of ingest.telegram as the tuple the stages take (small to ship to workers)."""
    edited = int(msg.edited.timestamp()) if msg.edited else None
    date = int(msg.date.timestamp()) if msg.date else None
    return (msg.chat.id, msg.id, msg.edit_key, msg.type, msg.text, date, edited)


@lru_cache(maxsize=1)
def _prefilter():
    from ..extract.detect import default_detector
    from ..extract.prefilter import Prefilter

    return Prefilter(default_detector())


def detect_one(item: MessageTuple, detector=None) -> dict[str, Any]:
    """The row of one message: by `detector` in full when one is given, else by the default
    detector behind its prefilter (the same row, sooner)."""
    chat, mid, _edit, kind, text, date, edited = item
    posted = datetime.fromtimestamp(date, tz=UTC) if date is not None else None
    row = {"id": mid, "chat": chat, "date": posted.isoformat() if posted else None,
           "edited": datetime.fromtimestamp(edited, tz=UTC).isoformat() if edited is not None else None,
           "type": kind}
    if kind == "message":
        found = detector.detect(text, posted) if detector is not None else _prefilter().detect(text, posted)
    else:
        from ..extract.detect import Detection  # here only: a message's row needs no import per call

        found = Detection(None, False, None, [], [], [], None, None, None, False, [], [], None,
                          [f"a {kind} message"])
    row.update(found.as_json())
    return row


def detect_batch(batch: list[MessageTuple]) -> list[dict[str, Any]]:
    return [detect_one(item) for item in batch]


def warm() -> None:
    """Build the default detector and run it over a message of each kind and language, so that
    what it builds lazily is built: run in the parent before its workers fork (engines.
    LocalEngine), they share those pages instead of each building its own."""
    import random
    from itertools import product

    from .synthetic import message_text

    rng = random.Random(0)
    detect_batch([(None, i, "", "message", message_text(rng, kind, lang), 1_700_000_000, None)
                  for i, (kind, lang) in enumerate(product(("launch", "near", "chatter"), ("ru", "uk", "be", "en")))])
