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

import orjson

from ..gcpause import collector_paused

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


_DAYS: dict[int, bytes] = {}  # days since 1970 -> b'"YYYY-MM-DDT'
_MINUTES = [b"%02d:%02d:" % divmod(m, 60) for m in range(1440)]
_SECONDS = [b'%02d+00:00"' % s for s in range(60)]


def json_utc(unix: int) -> bytes:
    """The JSON string of datetime.fromtimestamp(unix, tz=UTC).isoformat(), quotes included,
    from the day's bytes (messages share days), the minute's and the second's: several times
    sooner than formatting it."""
    day, sec = divmod(unix, 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = b'"' + datetime.fromtimestamp(day * 86400, tz=UTC).isoformat()[:11].encode()
        if len(_DAYS) < 1 << 16:
            _DAYS[day] = prefix
    return prefix + _MINUTES[sec // 60] + _SECONDS[sec % 60]


def iso_utc(unix: int) -> str:
    """datetime.fromtimestamp(unix, tz=UTC).isoformat(), sooner (json_utc)."""
    return json_utc(unix)[1:-1].decode()


def _head(item: MessageTuple) -> tuple[dict[str, Any], datetime | None]:
    """The row's first fields, and the post's time."""
    chat, mid, _edit, kind, _text, date, edited = item
    head = {"id": mid, "chat": chat, "date": iso_utc(date) if date is not None else None,
            "edited": iso_utc(edited) if edited is not None else None, "type": kind}
    return head, datetime.fromtimestamp(date, tz=UTC) if date is not None and kind == "message" else None


def _not_a_message(kind: str) -> dict[str, Any]:
    from ..extract.detect import Detection  # here only: a message's row needs no import per call

    return Detection.nothing(None, f"a {kind} message").as_json()


def detect_one(item: MessageTuple, detector=None) -> dict[str, Any]:
    """The row of one message: by `detector` in full when one is given, else by the default
    detector behind its prefilter (the same row, sooner)."""
    row, posted = _head(item)
    kind, text = item[3], item[4]
    if kind != "message":
        row.update(_not_a_message(kind))
    elif detector is not None:
        row.update(detector.detect(text, posted).as_json())
    else:
        row.update(_prefilter().detect_json(text, posted))
    return row


_SCALARS: dict[tuple, bytes] = {}  # (type, a chat id or a message type) -> its JSON (a file has few)
_U64, _I64 = 1 << 64, -(1 << 63)  # the integers orjson writes


def _scalar(value: Any) -> bytes:
    key = (type(value), value)  # by type too: 1, 1.0, True and Decimal(1) are equal keys
    found = _SCALARS.get(key)
    if found is None:
        found = orjson.dumps(value)  # raises TypeError where orjson cannot write it
        if len(_SCALARS) < 1 << 10:
            _SCALARS[key] = found
    return found


def _head_json(item: MessageTuple) -> bytes:
    """The JSON of _head(item)'s row fields, open for the rest: `{"id":...,"type":...,`.
    Raises TypeError where orjson would (an integer past 64 bits, a lone surrogate)."""
    chat, mid, _edit, kind, _text, date, edited = item
    if type(mid) is not int or not _I64 <= mid < _U64:
        return orjson.dumps(_head(item)[0])[:-1] + b","
    d = json_utc(date) if date is not None else b"null"
    e = json_utc(edited) if edited is not None else b"null"
    return b'{"id":%d,"chat":%s,"date":%s,"edited":%s,"type":%s,' % (mid, _scalar(chat), d, e, _scalar(kind))


def detect_one_json(item: MessageTuple) -> bytes:
    """orjson.dumps(detect_one(item)), sooner: nothing the detector remembers is copied.
    Raises TypeError (orjson's) where the row is no JSON orjson writes (an integer past 64
    bits, a lone surrogate)."""
    kind = item[3]
    if kind != "message":
        return orjson.dumps({**_head(item)[0], **_not_a_message(kind)})
    return _prefilter().detect_bytes(_head_json(item), item[4], item[5])


# A batch's rows and detections are acyclic: the collector is paused while they are made
# (a collection would walk the warm detector's heap for nothing).


def detect_batch(batch: list[MessageTuple]) -> list[dict[str, Any]]:
    with collector_paused():
        return [detect_one(item) for item in batch]


def _json_array(batch: list[MessageTuple], ends: list[int]) -> bytes:
    out = bytearray(b"[")
    detect, head = _prefilter().detect_bytes, _head_json  # detect_one_json, unrolled: a message's usual way
    for item in batch:
        # appended at once: orjson's buffer (4 KiB) is freed and reused for the next row,
        # where a list of the rows' bytes would keep one per row
        out += detect(head(item), item[4], item[5]) if item[3] == "message" else detect_one_json(item)
        ends.append(len(out))
        out += b","
    out[-1:] = b"]"
    return bytes(out)


def detect_batch_framed(batch: list[MessageTuple]) -> tuple[bytes, list[int]]:
    """What a worker sends: detect_batch's rows as one JSON array (orjson.loads gives the same
    rows, keys in the same order) and where each row ends in it, so that the parent can pass
    each row's bytes on without reading them (`framed_rows`). Raises TypeError where a row is
    no JSON orjson writes."""
    ends: list[int] = []
    if not batch:
        return b"[]", ends
    with collector_paused():
        return _json_array(batch, ends), ends


def framed_rows(array: bytes, ends: list[int]) -> list[bytes]:
    """Each row's JSON bytes, cut from a framed array (rows are separated by one comma)."""
    start = 1
    rows = []
    for end in ends:
        rows.append(array[start:end])
        start = end + 1
    return rows


def json_twin(stage):
    """The stage that gives `stage`'s rows framed as JSON (detect_batch_framed), or None."""
    return detect_batch_framed if stage is detect_batch else None


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
