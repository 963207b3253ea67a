"""The custody log: every capture, claim, grading, link, edit and retraction as an
append-only entry (who, when, what, why, the previous value and the new one), the entries
as the leaves of an RFC 6962 Merkle tree, and tree heads signed with the workspace's key.

An entry's leaf is SHA-256(0x00 || its canonical bytes): the entry as JSON with sorted
keys, no spaces, UTF-8. Entry `seq` n is leaf index n-1. Nothing is updated or deleted;
a correction or retraction is a new entry.

Writers take the log's lock around seq assignment: BEGIN IMMEDIATE on SQLite (one writer
at a time, across processes), a transaction-scoped advisory lock on PostgreSQL. The
entries and the head that covers them commit in one transaction with the change itself,
so a failed or killed write leaves no trace in the log.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..store import tables as t
from . import merkle
from .keys import Signer, check_signature, key_id

ENTRY_FORMAT = "whopushed-entry/v1"
HEAD_FORMAT = "whopushed-tree-head/v1"
INCLUSION_FORMAT = "whopushed-inclusion-proof/v1"
CONSISTENCY_FORMAT = "whopushed-consistency-proof/v1"
_PG_LEDGER_LOCK = 0x776C6467  # "wldg": serialises seq assignment on one PostgreSQL database


class LedgerError(Exception):
    """A ledger operation was refused (and changed nothing)."""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def default_actor() -> str:
    """Who is acting: $WHOPUSHED_ACTOR, else the login name."""
    name = os.environ.get("WHOPUSHED_ACTOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


@dataclass(frozen=True)
class Change:
    """One change to log: `prev` and `new` are the record's JSON before and after (None
    for "did not exist")."""

    action: str
    collection: str | None
    record_id: str | None
    prev: dict | None
    new: dict | None
    why: str | None = None


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    collection: str | None
    record_id: str | None
    why: str | None
    prev: dict | None
    new: dict | None

    def body(self) -> dict[str, Any]:
        return {"format": ENTRY_FORMAT, "seq": self.seq, "at": self.at, "actor": self.actor,
                "action": self.action, "collection": self.collection, "record": self.record_id,
                "why": self.why, "prev": self.prev, "new": self.new}

    def canonical(self) -> bytes:
        return canonical_json(self.body()).encode("utf-8")

    def leaf(self) -> bytes:
        return merkle.leaf_hash(self.canonical())

    def row(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "collection": self.collection, "record_id": self.record_id, "why": self.why,
                "prev": None if self.prev is None else canonical_json(self.prev),
                "new": None if self.new is None else canonical_json(self.new),
                "entry": self.canonical(), "leaf_hash": self.leaf().hex()}

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "leaf_hash": self.leaf().hex()}


def entry_from_row(row: Any) -> Entry:
    """Rebuild an entry from its columns; ValueError when a JSON column does not parse."""
    return Entry(row.seq, row.at, row.actor, row.action, row.collection, row.record_id, row.why,
                 None if row.prev is None else json.loads(row.prev),
                 None if row.new is None else json.loads(row.new))


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: str  # hex
    signed_at: str
    key_id: str
    public_key: str  # base64, raw Ed25519
    signature: str  # base64

    def message(self) -> bytes:
        return head_message(self.size, self.root, self.signed_at, self.key_id)

    def to_json(self) -> dict[str, Any]:
        return {"format": HEAD_FORMAT, "size": self.size, "root": self.root, "signed_at": self.signed_at,
                "key_id": self.key_id, "public_key": self.public_key, "signature": self.signature}

    @classmethod
    def from_json(cls, data: Any, where: str = "head") -> "TreeHead":
        if not isinstance(data, dict) or data.get("format") != HEAD_FORMAT:
            raise LedgerError(f"{where}: not a tree head (wants a JSON object with format {HEAD_FORMAT!r}, "
                              "as 'whopushed ledger head --json' prints)")
        try:
            head = cls(int(data["size"]), str(data["root"]), str(data["signed_at"]), str(data["key_id"]),
                       str(data["public_key"]), str(data["signature"]))
        except KeyError as exc:
            raise LedgerError(f"{where}: the tree head lacks the field {exc.args[0]!r}") from None
        except (TypeError, ValueError):
            raise LedgerError(f"{where}: 'size' is not a whole number") from None
        _hex32(head.root, f"{where}: root")
        return head

    def check(self, public_key: str | None = None) -> str | None:
        """None when the head is signed by `public_key` (default: the key it names); else why not."""
        key = public_key or self.public_key
        for name, value in (("public key", self.public_key), ("signature", self.signature)):
            if not _canonical_b64(value):  # no second spelling of the same bytes
                return f"the {name} is not canonical base64"
        if public_key is not None and self.public_key != public_key:
            return f"it carries the public key {self.public_key}, not {public_key}"
        try:
            if key_id(key) != self.key_id:
                return f"signed with key {self.key_id[:16]}…, not with key {key_id(key)[:16]}…"
        except (binascii.Error, ValueError):
            return "the public key is not base64"
        return check_signature(key, self.message(), self.signature)


def _canonical_b64(value: str) -> bool:
    try:
        return base64.b64encode(base64.b64decode(value, validate=True)).decode() == value
    except (binascii.Error, ValueError, TypeError):
        return False


def head_message(size: int, root: str, signed_at: str, key: str) -> bytes:
    """The bytes a tree head's signature covers."""
    return f"{HEAD_FORMAT}\nsize {size}\nroot {root}\nsigned_at {signed_at}\nkey {key}\n".encode()


def _hex32(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raw = b""
    if len(raw) != merkle.HASH_SIZE or value != raw.hex():
        raise LedgerError(f"{what} is not a SHA-256 hash in lowercase hex: {str(value)[:80]!r}")
    return raw


# locking and appending


def lock(conn: sa.Connection) -> None:
    """Take the log's write lock for the rest of this transaction. On SQLite this must come
    before anything else in the transaction (BEGIN IMMEDIATE), unless the caller already
    began one that way."""
    if conn.dialect.name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LEDGER_LOCK})


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction holding the log's lock from its first statement."""
    with engine.begin() as conn:
        lock(conn)
        yield conn


def size(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.max(t.ledger_entries.c.seq))).scalar() or 0


def append(conn: sa.Connection, changes: list[Change], actor: str | None = None,
           signer: Signer | None = None) -> list[Entry]:
    """Append one entry per change, in this transaction (which must hold the lock: see
    `lock`), and sign the new tree head when a signer is given."""
    lock(conn)
    if not changes:
        return []
    actor = actor or default_actor()
    at = utc_now()
    first = size(conn) + 1
    entries = [Entry(first + i, at, actor, c.action, c.collection, c.record_id, c.why, c.prev, c.new)
               for i, c in enumerate(changes)]
    conn.execute(t.ledger_entries.insert(), [e.row() for e in entries])
    if signer is not None:
        sign_head(conn, signer)
    return entries


# reading


def leaf_hashes(conn: sa.Connection, after: int = 0, upto: int | None = None) -> list[bytes]:
    """Leaf hashes of entries after seq `after`, up to `upto`, in order (from the stored
    column: verify is what rechecks them against the entries)."""
    e = t.ledger_entries
    query = sa.select(e.c.leaf_hash).where(e.c.seq > after).order_by(e.c.seq)
    if upto is not None:
        query = query.where(e.c.seq <= upto)
    return [bytes.fromhex(h) for h in conn.execute(query).scalars()]


def entry(conn: sa.Connection, seq: int) -> Entry | None:
    row = conn.execute(sa.select(t.ledger_entries).where(t.ledger_entries.c.seq == seq)).first()
    return entry_from_row(row) if row is not None else None


def latest_for(conn: sa.Connection, record_id: str) -> Entry | None:
    e = t.ledger_entries
    row = conn.execute(sa.select(e).where(e.c.record_id == record_id).order_by(e.c.seq.desc()).limit(1)).first()
    return entry_from_row(row) if row is not None else None


def history(conn: sa.Connection, record_id: str) -> list[Entry]:
    e = t.ledger_entries
    return [entry_from_row(r) for r in conn.execute(sa.select(e).where(e.c.record_id == record_id).order_by(e.c.seq))]


def _head_from_row(row: Any) -> TreeHead:
    return TreeHead(row.size, row.root, row.signed_at, row.key_id, row.public_key, row.signature)


def latest_head(conn: sa.Connection) -> TreeHead | None:
    h = t.tree_heads
    row = conn.execute(sa.select(h).order_by(h.c.size.desc()).limit(1)).first()
    return _head_from_row(row) if row is not None else None


def head_at(conn: sa.Connection, at_size: int) -> TreeHead | None:
    row = conn.execute(sa.select(t.tree_heads).where(t.tree_heads.c.size == at_size)).first()
    return _head_from_row(row) if row is not None else None


# heads


def frontier_text(rng: merkle.CompactRange) -> str:
    return ",".join(h.hex() for h in rng.hashes)


def sign_head(conn: sa.Connection, signer: Signer) -> TreeHead | None:
    """Sign a head over the whole log as it stands in this transaction (None for an empty
    log; the existing head when one covers it already). The new head is queued for a
    trusted timestamp (timestamps.py), which never holds up the signing."""
    lock(conn)
    n = size(conn)
    if n == 0:
        return None
    last = conn.execute(sa.select(t.tree_heads).order_by(t.tree_heads.c.size.desc()).limit(1)).first()
    if last is not None and last.size == n:
        return _head_from_row(last)
    rng = merkle.CompactRange()
    after = 0
    if last is not None and last.size < n:
        try:  # extend the last head's compact range rather than rehash the whole log
            rng = merkle.CompactRange.restore(last.size, [bytes.fromhex(x) for x in last.frontier.split(",") if x])
            after = last.size
        except ValueError:
            rng, after = merkle.CompactRange(), 0  # a damaged cache: start over (verify names it)
    for leaf in leaf_hashes(conn, after=after, upto=n):
        rng.append(leaf)
    root = rng.root().hex()
    signed_at = utc_now()
    head = TreeHead(n, root, signed_at, signer.key_id, signer.public_key,
                    signer.sign(head_message(n, root, signed_at, signer.key_id)))
    conn.execute(t.tree_heads.insert().values(
        size=n, root=root, signed_at=signed_at, key_id=signer.key_id, public_key=signer.public_key,
        signature=head.signature, frontier=frontier_text(rng), timestamp_status="queued", timestamp_token=None))
    return head


# proofs


def inclusion_proof(conn: sa.Connection, seq: int, head: TreeHead) -> dict[str, Any]:
    """A proof that entry `seq` is in the tree of the signed `head`, with the entry itself,
    so the checker can hash it and read what it says."""
    if not 1 <= seq <= head.size:
        raise LedgerError(f"entry {seq} is not in the tree of size {head.size}")
    leaves = leaf_hashes(conn, upto=head.size)
    found = entry(conn, seq)
    assert found is not None
    return {"format": INCLUSION_FORMAT, "seq": seq, "index": seq - 1, "tree_size": head.size,
            "entry": base64.b64encode(found.canonical()).decode(), "leaf_hash": leaves[seq - 1].hex(),
            "proof": [h.hex() for h in merkle.inclusion_proof(leaves, seq - 1)], "head": head.to_json()}


def consistency_proof(conn: sa.Connection, old: TreeHead, new: TreeHead) -> dict[str, Any]:
    if not 0 < old.size <= new.size:
        raise LedgerError(f"no consistency proof from size {old.size} to size {new.size}")
    leaves = leaf_hashes(conn, upto=new.size)
    if len(leaves) < new.size:
        raise LedgerError(f"the log holds {len(leaves)} entries, fewer than the head's {new.size}")
    ours = merkle.root(leaves[:old.size]).hex()
    if ours != old.root:
        raise LedgerError(f"the given head's root at size {old.size} is {old.root}, but this log's is {ours}: "
                          "that head was not published from this log, or the log was rewritten")
    return {"format": CONSISTENCY_FORMAT, "size1": old.size, "root1": old.root, "size2": new.size,
            "root2": new.root, "proof": [h.hex() for h in merkle.consistency_proof(leaves, old.size)],
            "old_head": old.to_json(), "head": new.to_json()}


def check_proof(proof: Any, head: TreeHead, public_key: str) -> list[str]:
    """Check an inclusion or consistency proof against a published `head` and key, with no
    access to any workspace. Returns what was checked; raises LedgerError on any failure."""
    done: list[str] = []

    def signed(h: TreeHead, name: str) -> None:
        problem = h.check(public_key)
        if problem:
            raise LedgerError(f"{name} (size {h.size}): {problem}")
        done.append(f"{name} (size {h.size}, root {h.root}) is signed by key {h.key_id[:16]}…")

    if not isinstance(proof, dict):
        raise LedgerError("the proof is not a JSON object")
    signed(head, "the given head")
    kind = proof.get("format")
    try:
        hashes = [_hex32(x, f"proof[{i}]") for i, x in enumerate(proof["proof"])]
        if kind == INCLUSION_FORMAT:
            index, tree_size = int(proof["index"]), int(proof["tree_size"])
            leaf = _hex32(proof["leaf_hash"], "leaf_hash")
            if "entry" in proof:
                body = base64.b64decode(proof["entry"], validate=True)
                if merkle.leaf_hash(body) != leaf:
                    raise LedgerError("the entry does not hash to the leaf hash")
                done.append("the entry hashes to the leaf hash")
            if tree_size != head.size:
                raise LedgerError(f"the proof is for a tree of size {tree_size}; the given head has size {head.size}")
            merkle.verify_inclusion(index, tree_size, leaf, hashes, bytes.fromhex(head.root))
            done.append(f"entry {index + 1} (leaf {index}) is in the tree of size {tree_size}")
        elif kind == CONSISTENCY_FORMAT:
            size1, size2 = int(proof["size1"]), int(proof["size2"])
            old = TreeHead.from_json(proof["old_head"], "the proof's old head")
            new = TreeHead.from_json(proof["head"], "the proof's head")
            if (old.size, old.root) != (size1, proof["root1"]) or (new.size, new.root) != (size2, proof["root2"]):
                raise LedgerError("the proof's sizes and roots differ from its heads")
            if head.to_json() not in (old.to_json(), new.to_json()):
                raise LedgerError("the given head is neither end of this consistency proof")
            signed(old, "the older head")
            signed(new, "the newer head")
            merkle.verify_consistency(size1, size2, hashes, _hex32(proof["root1"], "root1"),
                                      _hex32(proof["root2"], "root2"))
            done.append(f"the tree of size {size1} is a prefix of the tree of size {size2}: nothing was "
                        "changed or removed in between")
        else:
            raise LedgerError(f"unknown proof format {kind!r} (wants {INCLUSION_FORMAT} or {CONSISTENCY_FORMAT})")
    except KeyError as exc:
        raise LedgerError(f"the proof lacks the field {exc.args[0]!r}") from None
    except (TypeError, ValueError, binascii.Error) as exc:
        if isinstance(exc, merkle.ProofError):
            raise LedgerError(f"the proof does not verify: {exc}") from None
        raise LedgerError(f"the proof is malformed: {exc}") from None
    return done
