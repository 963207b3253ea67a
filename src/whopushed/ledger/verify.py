"""`whopushed verify`: rehash every blob, recheck every log entry, recompute the Merkle tree,
check every signed tree head, and compare every record with its last logged value.

It changes nothing. Each problem names what is broken (a capture, a blob, an entry by its
seq, a head by its size, a record by its id) and how; warnings are what cannot be checked
here (bytes not held in this workspace, entries not yet covered by a signed head).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..store import tables as t
from . import log, merkle
from .blobs import BlobError, BlobStore, hash_blob

TIMESTAMP_STATES = ("none", "queued", "stamped", "failed")


@dataclass(frozen=True)
class Problem:
    kind: str  # blob, capture, entry, head, record
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: {"blobs": 0, "captures": 0, "entries": 0,
                                                             "heads": 0, "records": 0})
    size: int = 0
    root: str = merkle.EMPTY_ROOT.hex()
    # the recomputed root and compact range at each size a head was signed
    roots: dict[int, str] = field(default_factory=dict, repr=False)
    frontiers: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "tree": {"size": self.size, "root": self.root},
                "problems": [vars(p) for p in self.problems], "warnings": [vars(w) for w in self.warnings]}


def verify(engine: sa.Engine, blobs: BlobStore | None, public_key: str | None = None,
           tsa_roots: list | None = None) -> Report:
    """`public_key`: the workspace's (base64); every head must be signed by it. Without it,
    each head is checked against the key it names, and a warning says so. `tsa_roots`: the
    root certificates of trusted timestamp authorities, to check timestamp signatures by."""
    report = Report()
    with engine.connect() as conn:
        damaged = _blobs(report, blobs)
        latest = _entries(conn, report, blobs, damaged)
        _heads(conn, report, public_key, tsa_roots)
        _captures(conn, report, blobs, damaged, latest)
        _records(conn, report, latest)
    return report


def _blobs(report: Report, blobs: BlobStore | None) -> dict[str, str]:
    """Rehash every stored blob; returns digest -> what is wrong with it."""
    damaged: dict[str, str] = {}
    if blobs is None:
        report.warnings.append(Problem("blob", "*", "no blob store (no workspace): the bytes were not rehashed"))
        return damaged
    for sha in blobs.iterate():
        report.checked["blobs"] += 1
        try:
            actual, _ = hash_blob(blobs, sha)
        except (OSError, BlobError) as exc:
            damaged[sha] = f"cannot be read ({exc})"
            continue
        if actual != sha:
            damaged[sha] = f"its bytes hash to {actual}, not to its name: it was changed"
    for sha, why in damaged.items():
        report.problems.append(Problem("blob", sha, f"{blobs.describe(sha)}: {why}"))
    return damaged


def _entries(conn, report: Report, blobs: BlobStore | None, damaged: dict[str, str]) -> dict[tuple, tuple[int, Any]]:
    """Check each entry row against itself and its place; build the tree. Returns
    (collection, record id) -> (seq, new value) of each record's last entry."""
    latest: dict[tuple, tuple[int, Any]] = {}
    rng = merkle.CompactRange()
    wanted_sizes = {s for s in conn.execute(sa.select(t.tree_heads.c.size)).scalars()}
    rows = conn.execute(sa.select(t.ledger_entries).order_by(t.ledger_entries.c.seq))
    for n, row in enumerate(rows, start=1):
        report.checked["entries"] += 1
        name = str(row.seq)
        if row.seq != n:
            report.problems.append(Problem("entry", name, f"is in position {n}: an entry was removed, "
                                                          "inserted or renumbered"))
        stored = bytes(row.entry) if row.entry is not None else b""
        leaf = merkle.leaf_hash(stored)
        try:
            rebuilt = log.entry_from_row(row)
        except (ValueError, TypeError) as exc:
            report.problems.append(Problem("entry", name, f"a value column does not parse ({exc})"))
            rebuilt = None
        if rebuilt is not None and rebuilt.canonical() != stored:
            cols = _differing(rebuilt, stored)
            report.problems.append(Problem("entry", name, "its columns differ from its signed bytes"
                                           + (f" ({', '.join(cols)})" if cols else "")))
        if row.leaf_hash != leaf.hex():
            report.problems.append(Problem("entry", name, "its stored leaf hash is not the hash of its bytes"))
        rng.append(leaf)
        if n in wanted_sizes:
            report.roots[n] = rng.root().hex()
            report.frontiers[n] = log.frontier_text(rng)
        if rebuilt is not None:
            if rebuilt.action == "derive" and isinstance(rebuilt.new, dict):
                _derived(report, name, rebuilt.new, blobs, damaged)
            elif rebuilt.collection and rebuilt.record_id:
                latest[(rebuilt.collection, rebuilt.record_id)] = (rebuilt.seq, rebuilt.new)
    report.size, report.root = rng.size, rng.root().hex()
    return latest


def _differing(rebuilt: log.Entry, stored: bytes) -> list[str]:
    try:
        body = json.loads(stored.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ["entry"]
    ours = rebuilt.body()
    return [k for k in ours if body.get(k) != ours[k]] if isinstance(body, dict) else ["entry"]


def _derived(report: Report, name: str, new: dict, blobs: BlobStore | None, damaged: dict[str, str]) -> None:
    sha = new.get("sha256")
    if blobs is None or not isinstance(sha, str):
        return
    if sha in damaged:
        report.problems.append(Problem("entry", name, f"the working copy of {new.get('parent')} (blob {sha}) "
                                                      f"is damaged: {damaged[sha]}"))
    elif not blobs.exists(sha):
        report.problems.append(Problem("entry", name, f"the working copy of {new.get('parent')} (blob {sha}) "
                                                      "is missing"))


def _heads(conn, report: Report, public_key: str | None, tsa_roots: list | None = None) -> None:
    if public_key is None:
        report.warnings.append(Problem("head", "*", "no workspace key to check against: each head was "
                                                    "checked with the key it names"))
    last = 0
    waiting: list[int] = []
    unanchored: list[int] = []
    for row in conn.execute(sa.select(t.tree_heads).order_by(t.tree_heads.c.size)):
        report.checked["heads"] += 1
        name = str(row.size)
        last = max(last, row.size)
        if row.size > report.size:
            report.problems.append(Problem("head", name, f"covers {row.size} entries but the log holds "
                                                         f"{report.size}: entries were removed"))
            continue
        if row.root != report.roots.get(row.size):
            report.problems.append(Problem("head", name, "its root is not the root of the log's first "
                                                         f"{row.size} entries: the log was changed after it was signed"))
        if row.frontier != report.frontiers.get(row.size):
            report.problems.append(Problem("head", name, "its saved compact range does not match the log"))
        head = log.TreeHead(row.size, row.root, row.signed_at, row.key_id, row.public_key, row.signature)
        why = head.check(public_key)
        if why:
            report.problems.append(Problem("head", name, f"signature: {why}"))
        if row.timestamp_status not in TIMESTAMP_STATES:
            report.problems.append(Problem("head", name, f"unknown timestamp status {row.timestamp_status!r}"))
        elif row.timestamp_status == "stamped":
            if _timestamp(report, name, head, row.timestamp_token, tsa_roots):
                unanchored.append(row.size)
        elif row.timestamp_token is not None:
            report.problems.append(Problem("head", name, f"holds a timestamp token but its status is "
                                                         f"{row.timestamp_status!r}"))
        elif row.timestamp_status == "queued":
            waiting.append(row.size)
    if waiting:
        report.warnings.append(Problem("head", _sizes(waiting), "waiting for a trusted timestamp "
                                                                "('whopushed ledger timestamp --tsa URL' asks for one)"))
    if unanchored:
        report.warnings.append(Problem("head", _sizes(unanchored), "timestamped for this head, but the TSA's "
                                       "signature was not checked: no TSA root certificates (.whopushed/tsa-roots.pem "
                                       "or --tsa-roots)"))
    if report.size > last:
        first = last + 1
        report.warnings.append(Problem("entry", f"{first}-{report.size}" if first < report.size else str(first),
                                       "not yet covered by a signed tree head ('whopushed ledger head' signs "
                                       "one)"))


def _sizes(sizes: list[int]) -> str:
    return str(sizes[0]) if len(sizes) == 1 else f"{len(sizes)} heads, sizes {min(sizes)}-{max(sizes)}"


def _timestamp(report: Report, name: str, head: log.TreeHead, token: bytes | None, roots: list | None) -> bool:
    """Check a stamped head's token; True when it holds but its signature could not be
    checked (no roots)."""
    from .timestamps import TimestampError, check_token

    if token is None:
        report.problems.append(Problem("head", name, "its timestamp status is 'stamped' but it holds no token"))
        return False
    try:
        stamp = check_token(bytes(token), head, roots)
    except TimestampError as exc:
        report.problems.append(Problem("head", name, f"timestamp: {exc}"))
        return False
    return not stamp.anchored


def _captures(conn, report: Report, blobs: BlobStore | None, damaged: dict[str, str],
              latest: dict[tuple, tuple[int, Any]]) -> None:
    for row in conn.execute(sa.select(t.captures.c.id, t.captures.c.sha256, t.captures.c.data)
                            .order_by(t.captures.c.id)):
        report.checked["captures"] += 1
        data = row.data if isinstance(row.data, dict) else {}
        sha = data.get("sha256")
        if row.sha256 != sha:
            report.problems.append(Problem("capture", row.id, "its sha256 column differs from its record"))
        if not sha or blobs is None:
            continue
        if sha in damaged:
            report.problems.append(Problem("capture", row.id, f"its bytes (blob {sha}) are damaged: {damaged[sha]}"))
        elif not blobs.exists(sha):
            captured_here = latest.get(("captures", row.id))
            if captured_here is not None and _was_captured(conn, row.id):
                report.problems.append(Problem("capture", row.id, f"its bytes (blob {sha}) are missing"))
            else:
                report.warnings.append(Problem("capture", row.id, f"preserved elsewhere: blob {sha} is not "
                                                                  "held in this workspace"))
        else:
            try:
                _, size = hash_blob(blobs, sha)
            except (OSError, BlobError):
                continue
            if data.get("size") != size:
                report.problems.append(Problem("capture", row.id, f"its record says {data.get('size')} bytes; "
                                                                  f"the blob has {size}"))


def _was_captured(conn, record_id: str) -> bool:
    e = t.ledger_entries
    return conn.execute(sa.select(sa.func.count()).select_from(e)
                        .where(e.c.record_id == record_id, e.c.action == "capture")).scalar_one() > 0


def _records(conn, report: Report, latest: dict[tuple, tuple[int, Any]]) -> None:
    present: set[tuple] = set()
    tables = {**t.RECORD_TABLES, "case": t.case_meta}
    for name, table in tables.items():
        for row in conn.execute(sa.select(table.c.id, table.c.data).order_by(table.c.id)):
            report.checked["records"] += 1
            present.add((name, row.id))
            logged = latest.get((name, row.id))
            if logged is None:
                report.warnings.append(Problem("record", row.id, f"({name}) has no entry in the log: it "
                                                                 "predates the ledger or was written around it"))
            elif logged[1] != row.data:
                report.problems.append(Problem("record", row.id, f"({name}) differs from its last logged value "
                                                                 f"(entry {logged[0]}): changed outside the log"))
    for (name, rid), (seq, new) in latest.items():
        if name in tables and (name, rid) not in present and new is not None:
            report.problems.append(Problem("record", rid, f"({name}) is in the log (entry {seq}) but no longer "
                                                          "in the workspace: it was deleted"))
