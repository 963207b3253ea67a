"""Rows out as JSON bytes: what `whopushed detect --json` writes, one row at a time.

The workers already write each row as JSON (stages.detect_batch_framed); passing those
bytes through, rather than reading them into dicts in the parent and writing them again,
saves most of the parent's work a message. A row is read only as far as the tally needs:
whether it reports a launch, and from where.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

_LAUNCH = b'"is_launch_report":'
_TERRITORY = b'"launch_territory":'


def row_bytes(row: dict[str, Any]) -> bytes:
    """A row as compact JSON: orjson's, or the standard library's where orjson cannot write it
    (an integer past 64 bits, a lone surrogate: escaped, so the bytes are always UTF-8)."""
    try:
        return orjson.dumps(row)
    except TypeError:
        return json.dumps(row, separators=(",", ":")).encode()


def launch_of(encoded: bytes) -> tuple[bool, str | None]:
    """(is_launch_report, launch_territory) of a row's compact JSON, without reading the rest.
    No nested object of a row has either key, and a key's quotes cannot occur unescaped
    inside a string, so the first match is the row's own field, in whatever order."""
    i = encoded.find(_LAUNCH)
    if i < 0 or not encoded.startswith(b"true", i + len(_LAUNCH)):
        return False, None
    j = encoded.find(_TERRITORY)
    if j < 0:
        return True, None
    j += len(_TERRITORY)
    if encoded[j:j + 1] != b'"':
        return True, None
    return True, encoded[j + 1:encoded.index(b'"', j + 1)].decode()


@dataclass
class Tally:
    messages: int = 0
    launch_reports: int = 0
    by_launch_territory: dict[str, int] = field(default_factory=dict)


_LAUNCHED = _LAUNCH + b"true"
# a launch report's territory, where the row writes it right after (Detection.as_json's order)
_LAUNCHED_FROM = re.compile(re.escape(_LAUNCHED + b"," + _TERRITORY) + rb'(?:null|"([^"\\]*)")')


def _tally(joined: bytes, chunk: list[bytes], by: dict[str, int]) -> int:
    """Count the launch reports among a chunk's rows (`joined`: them joined), by territory."""
    launches = joined.count(_LAUNCHED)  # a key's quotes cannot occur unescaped in a string
    if not launches:
        return 0
    found: list = _LAUNCHED_FROM.findall(joined)
    if len(found) != launches:  # another order of fields: row by row
        found = [(launch_of(row)[1] or "").encode() for row in chunk if _LAUNCHED in row]
    for territory in found:
        key = territory.decode() or "unstated"
        by[key] = by.get(key, 0) + 1
    return launches


def write_rows(chunks: Iterable[list[bytes]], write: Callable[[bytes], Any], launch_only: bool = False) -> Tally:
    """Write each row (or each launch report's, with launch_only) as an item of a JSON array
    whose "[" the caller has written, separated by ",\\n  "; `chunks` are lists of rows
    (ranges.detect_files with encoded=True), each written at once. Returns what was counted."""
    tally = Tally()
    sep, between = b"\n  ", b",\n  "
    for chunk in chunks:
        if not chunk:
            continue
        tally.messages += len(chunk)
        joined = between.join(chunk)
        tally.launch_reports += _tally(joined, chunk, tally.by_launch_territory)
        if launch_only:
            joined = between.join(row for row in chunk if _LAUNCHED in row and launch_of(row)[0])
        if joined:
            write(sep + joined)
            sep = between
    return tally
