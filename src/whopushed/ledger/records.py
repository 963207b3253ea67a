"""Changing records through the custody log, never around it: each write updates the
record's table (keeping the previous version in `revisions`, as imports do), its search
documents and links, and appends the entry, all in one locked transaction.

The claim operations: add, grade (a new credibility and why), link (to an incident) and
retract (a new claim that `retracts` the old one; the old one stays as it was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..model import COLLECTIONS, Capture, Claim, Record, Source
from ..store import search as search_mod
from ..store import tables as t
from ..store.store import _columns
from . import log
from .keys import Signer


@dataclass
class Write:
    """One record to write: `expect_new` refuses to replace an existing record."""

    collection: str
    record: Record
    action: str
    why: str | None = None
    expect_new: bool = False


def _where(conn: sa.Connection, record_id: str) -> tuple[str, dict] | None:
    for name, table in t.RECORD_TABLES.items():
        data = conn.execute(sa.select(table.c.data).where(table.c.id == record_id)).scalar()
        if data is not None:
            return name, data
    return None


def get(conn: sa.Connection, record_id: str) -> tuple[str, Record] | None:
    found = _where(conn, record_id)
    return (found[0], COLLECTIONS[found[0]].model_validate(found[1])) if found else None


def write(conn: sa.Connection, writes: list[Write], actor: str | None, signer: Signer | None,
          extra: list[log.Change] = ()) -> list[log.Entry]:
    """Write records and log them in this transaction (which takes the log's lock first)."""
    log.lock(conn)
    changes: list[log.Change] = []
    now = datetime.now(timezone.utc)
    for w in writes:
        table = t.RECORD_TABLES[w.collection]
        rec, data = w.record, w.record.model_dump(mode="json")
        found = _where(conn, rec.id)
        if found is not None and found[0] != w.collection:
            raise log.LedgerError(f"'{rec.id}' is already the id of one of the {found[0]}; choose another id")
        old = found[1] if found else None
        if old is not None and w.expect_new:
            raise log.LedgerError(f"'{rec.id}' already exists; choose another id")
        if old == data:
            continue
        row = {"id": rec.id, "data": data, **_columns(rec)}
        if old is None:
            ord_ = (conn.execute(sa.select(sa.func.max(table.c.ord))).scalar() or -1) + 1
            conn.execute(table.insert().values(ord=ord_, **row))
        else:
            if w.collection == "captures" and old.get("sha256"):
                raise log.LedgerError(f"capture '{rec.id}' is preserved and evidence is never changed; "
                                      "add a new capture instead")
            conn.execute(t.revisions.insert().values(record_id=rec.id, collection=w.collection, data=old,
                                                     replaced_at=now))
            conn.execute(table.update().where(table.c.id == rec.id).values(**row))
            conn.execute(t.search_docs.delete().where(t.search_docs.c.record_id == rec.id))
            if w.collection == "claims":
                conn.execute(t.claim_incidents.delete().where(t.claim_incidents.c.claim_id == rec.id))
        docs = search_mod.documents(w.collection, rec)
        if docs:
            conn.execute(t.search_docs.insert(), docs)
        if isinstance(rec, Claim) and rec.incidents:
            conn.execute(t.claim_incidents.insert(),
                         [{"claim_id": rec.id, "incident_id": i} for i in dict.fromkeys(rec.incidents)])
        changes.append(log.Change(w.action, w.collection, rec.id, old, data, w.why))
    return log.append(conn, changes + list(extra), actor, signer)


def _need(conn: sa.Connection, record_id: str, collection: str, what: str) -> Record:
    found = get(conn, record_id)
    if found is None or found[0] != collection:
        raise log.LedgerError(f"{what}: no record '{record_id}' among the {collection}")
    return found[1]


def check_references(conn: sa.Connection, claim: Claim) -> None:
    """The references a claim makes resolve in this workspace (a case file checks its own)."""
    _need(conn, claim.party, "actors", "party")
    if claim.operator:
        _need(conn, claim.operator, "actors", "operator")
    for c in claim.captures:
        _need(conn, c, "captures", "captures")
    for i in claim.incidents:
        _need(conn, i, "incidents", "incidents")
    if claim.retracts:
        _need(conn, claim.retracts, "claims", "retracts")


def add_claim(engine: sa.Engine, claim: Claim, actor: str | None, signer: Signer | None,
              why: str | None = None) -> list[log.Entry]:
    with log.write_transaction(engine) as conn:
        check_references(conn, claim)
        return write(conn, [Write("claims", claim, "claim.add", why, expect_new=True)], actor, signer)


def _change_claim(engine: sa.Engine, claim_id: str, action: str, why: str, actor: str | None,
                  signer: Signer | None, **changes: Any) -> list[log.Entry]:
    with log.write_transaction(engine) as conn:
        old = _need(conn, claim_id, "claims", "claim")
        try:
            new = Claim.model_validate({**old.model_dump(mode="json"), **changes})
        except ValueError as exc:
            raise log.LedgerError(f"claim '{claim_id}': {exc}") from None
        check_references(conn, new)
        entries = write(conn, [Write("claims", new, action, why)], actor, signer)
        if not entries:
            raise log.LedgerError(f"claim '{claim_id}' already says that; nothing was logged")
        return entries


def grade_claim(engine, claim_id: str, credibility: str, why: str, actor=None, signer=None):
    return _change_claim(engine, claim_id, "claim.grade", why, actor, signer,
                         credibility=credibility, credibility_why=why)


def link_claim(engine, claim_id: str, incident_id: str, why: str | None, actor=None, signer=None):
    with engine.connect() as conn:
        old = get(conn, claim_id)
    if old is None or old[0] != "claims":
        raise log.LedgerError(f"claim: no record '{claim_id}' among the claims")
    incidents = list(dict.fromkeys([*old[1].incidents, incident_id]))
    return _change_claim(engine, claim_id, "claim.link", why or f"linked to {incident_id}", actor, signer,
                         incidents=incidents)


def retract_claim(engine, claim_id: str, why: str, actor=None, signer=None,
                  new_id: str | None = None) -> list[log.Entry]:
    """A new claim that retracts `claim_id`: same party, captures and kind, the reason as its
    text. The retracted claim is left exactly as it was."""
    with log.write_transaction(engine) as conn:
        old = _need(conn, claim_id, "claims", "claim")
        assert isinstance(old, Claim)
        rid = new_id or f"{claim_id}-retraction"
        existing = conn.execute(sa.select(t.claims.c.id, t.claims.c.data)).all()
        if any(d.get("retracts") == claim_id for _, d in existing):
            raise log.LedgerError(f"claim '{claim_id}' is already retracted")
        try:
            retraction = Claim(id=rid, kind=old.kind, party=old.party, text=f"Retraction of {claim_id}: {why}",
                               captures=old.captures, incidents=old.incidents, credibility=old.credibility,
                               credibility_why=why, retracts=claim_id, operator=old.operator,
                               operator_state=old.operator_state, sensitivity=old.sensitivity)
        except ValueError as exc:
            raise log.LedgerError(f"cannot retract '{claim_id}': {exc}") from None
        return write(conn, [Write("claims", retraction, "claim.retract", why, expect_new=True)], actor, signer)


UNKNOWN_SOURCE = Source(id="src-unknown", name="Unknown publisher", kind="other", reliability="F",
                        reliability_why="Captured without a named publisher; reliability cannot be judged.")


def ensure_source(conn: sa.Connection, source_id: str | None) -> tuple[str, list[Write]]:
    """The source a capture names, or 'src-unknown' (graded F), written on first use."""
    if source_id:
        _need(conn, source_id, "sources", "--source")
        return source_id, []
    if get(conn, UNKNOWN_SOURCE.id) is None:
        return UNKNOWN_SOURCE.id, [Write("sources", UNKNOWN_SOURCE, "source.add",
                                         "created for captures made without --source")]
    return UNKNOWN_SOURCE.id, []


def capture_with_sha(conn: sa.Connection, sha256: str) -> Capture | None:
    data = conn.execute(sa.select(t.captures.c.data).where(t.captures.c.sha256 == sha256)
                        .order_by(t.captures.c.id).limit(1)).scalar()
    return Capture.model_validate(data) if data is not None else None
