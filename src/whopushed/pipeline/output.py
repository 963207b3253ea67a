"""Rows out as JSON bytes: what `whopushed detect --json` writes, a range's rows at a time.

The workers already write each row as JSON (stages.detect_batch_framed); passing those
bytes through, rather than reading them into dicts in the parent and writing them again,
saves most of the parent's work a message. The tally (launch reports, by territory) is
read off a range's joined rows, not row by row.
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
    """What `detect` counts for its summary."""

    messages: int = 0
    launch_reports: int = 0
    by_launch_territory: dict[str, int] = field(default_factory=dict)

    def launch(self, territory: str | None) -> None:
        """One more launch report, from `territory` (None: unstated)."""
        self.launch_reports += 1
        key = territory or "unstated"
        self.by_launch_territory[key] = self.by_launch_territory.get(key, 0) + 1


_LAUNCHED = _LAUNCH + b"true"
# a launch report's territory, where the row writes it right after (Detection.as_json's order)
_LAUNCHED_FROM = re.compile(re.escape(_LAUNCHED + b"," + _TERRITORY) + rb'(?:null|"([^"\\]*)")')


def _tally(joined: bytes, chunk: list[bytes], tally: Tally) -> None:
    """Count the launch reports among a chunk's rows (`joined`: them joined), by territory."""
    launches = joined.count(_LAUNCHED)  # a key's quotes cannot occur unescaped in a string
    if not launches:
        return
    found = [t.decode() for t in _LAUNCHED_FROM.findall(joined)]
    if len(found) != launches:  # another order of fields: row by row
        found = [launch_of(row)[1] for row in chunk if _LAUNCHED in row]
    for territory in found:
        tally.launch(territory)


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
        _tally(joined, chunk, tally)
        if launch_only:
            joined = between.join(row for row in chunk if _LAUNCHED in row)
        if joined:
            write(sep + joined)
            sep = between
    return tally
