"""The store: a case in SQLite (the default) or PostgreSQL (for teams), the same code for both.

Records are kept whole as JSON (`data`) and rebuilt with their model, so export gives back
exactly what was imported; the columns beside `data` exist for queries. Nothing is lost:
a record that changes keeps its previous version in `revisions`, a record missing from a
later import stays, and a preserved capture never changes at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.util import CommandError

from ..model import COLLECTIONS, Actor, Capture, Case, CaseMeta, Claim, Incident, Record, Statement
from ..text import folded_contains
from . import search as search_mod
from . import tables as t
from .migrate import alembic_config
from .search import SearchHit

PLACEHOLDER_CASE_ID = "unnamed-workspace"  # the case meta of a workspace that only holds datasets
_PG_LOCK = 0x77686F70  # "whop": serialises migrations and imports on one PostgreSQL database


class StoreError(Exception):
    """The store refused an operation (and changed nothing), or cannot be reached."""


def _zeros() -> dict[str, int]:
    return {name: 0 for name in COLLECTIONS}


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=_zeros)
    unchanged: dict[str, int] = field(default_factory=_zeros)
    updated: dict[str, int] = field(default_factory=_zeros)
    changed_ids: list[str] = field(default_factory=list)  # added or updated, in import order
    case: str = "unchanged"  # the case meta: added, updated or unchanged

    @property
    def changed(self) -> bool:
        return bool(self.changed_ids) or self.case != "unchanged"


@dataclass(frozen=True)
class Revision:
    """A replaced version of a record (collection "case" for the case meta)."""

    record_id: str
    collection: str
    data: dict[str, Any]
    replaced_at: datetime


def _columns(rec: Record) -> dict[str, Any]:
    """The query columns of a record's row, beside id, ord and data."""
    if isinstance(rec, Incident):
        earliest, latest, _ = rec.when.bounds()
        return {"kind": rec.kind.value, "launch_territory": rec.launch_territory,
                "earliest": earliest, "latest": latest, "excluded": rec.excluded is not None}
    if isinstance(rec, Claim):
        return {"kind": rec.kind.value, "party": rec.party}
    if isinstance(rec, Statement):
        return {"speaker": rec.speaker, "made_earliest": rec.made.earliest}
    if isinstance(rec, Capture):
        return {"sha256": rec.sha256}
    return {}


def _bound(value: date | datetime, end: bool) -> tuple[datetime, bool]:
    """A since/until bound as a UTC instant, and whether the comparison is strict.
    A date covers its whole (UTC) day; a naive datetime is taken as UTC."""
    if isinstance(value, datetime):
        instant = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return instant.astimezone(timezone.utc), False
    start = datetime.combine(value, time(0), tzinfo=timezone.utc)
    return (start + timedelta(days=1), True) if end else (start, False)


def _value(x: Any) -> Any:
    return getattr(x, "value", x)  # enums given for str filters


class Store:
    def __init__(self, url: str, connect_args: dict[str, Any] | None = None):
        """`url`: any SQLAlchemy URL (sqlite:///case.db, postgresql+psycopg://user@host/db;
        libpq options such as ?options=-csearch_path%3Dmyschema pass through), or a bare
        file path, taken as SQLite."""
        if "://" not in url:
            url = f"sqlite:///{url}"
        try:
            self.engine = sa.create_engine(url, connect_args=connect_args or {})
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"cannot use database URL {url!r}: {exc}") from None
        self.signer = None  # a ledger.keys.Signer: imports then sign the ledger's new tree head
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str, connect_args: dict[str, Any] | None = None) -> "Store":
        store = cls(url, connect_args)
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, doing: str, exc: Exception) -> StoreError:
        orig = getattr(exc, "orig", None) or exc
        return StoreError(f"{doing} ({self.url}): {str(orig).strip()}")

    # schema

    def migrate(self) -> None:
        """Bring the database schema up to date (alembic upgrade head)."""
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
                command.upgrade(alembic_config(connection=conn), "heads")  # each capability adds its own branch of migrations
        except CommandError as exc:
            raise StoreError(f"cannot migrate {self.url}: {exc} (was it written by a newer "
                             "whopushed?)") from exc
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail("cannot open or migrate the database", exc) from exc

    # import

    def import_case(self, case: Case, actor: str | None = None, partial: bool = False) -> ImportReport:
        """Import a case in one transaction: all of it, or (on any error) nothing. Each added
        or updated record gets a custody log entry in that same transaction.

        `partial`: the case is one batch of a larger import (a corpus, a dataset): only its
        own records are looked up and new ones go after everything stored, so each batch
        costs the same however much is stored already. A full import (the default) also
        puts the stored records in the case's order."""
        from ..ledger import log  # the ledger sits beside the store and uses its tables

        report = ImportReport()
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
                log.lock(conn)  # first, so that concurrent writers queue for the log's seq
                importer = _Importer(conn, report, datetime.now(timezone.utc))
                importer.run(case, partial)
                log.append(conn, importer.changes, actor, self.signer)
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail("import failed; nothing was changed", exc) from exc
        return report

    # reading

    def case_meta(self) -> CaseMeta | None:
        with self.engine.connect() as conn:
            data = conn.execute(sa.select(t.case_meta.c.data)).scalar()
        return CaseMeta.model_validate(data) if data is not None else None

    def export_case(self) -> Case:
        meta = self.case_meta()
        if meta is None:
            raise StoreError(f"{self.url} holds no case yet; import one first")
        parts = {}
        with self.engine.connect() as conn:
            for name, table in t.RECORD_TABLES.items():
                rows = conn.execute(sa.select(table.c.data).order_by(table.c.ord, table.c.id))
                parts[name] = [COLLECTIONS[name].model_validate(d) for d in rows.scalars()]
        return Case(case=meta, **parts)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                    for name, table in t.RECORD_TABLES.items()}

    def get(self, record_id: str) -> tuple[str, Record] | None:
        with self.engine.connect() as conn:
            for name, table in t.RECORD_TABLES.items():
                data = conn.execute(sa.select(table.c.data).where(table.c.id == record_id)).scalar()
                if data is not None:
                    return name, COLLECTIONS[name].model_validate(data)
        return None

    def revisions(self, record_id: str) -> list[Revision]:
        """Earlier versions of a record, oldest first."""
        r = t.revisions
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(r).where(r.c.record_id == record_id).order_by(r.c.id))
            return [Revision(row.record_id, row.collection, row.data, row.replaced_at) for row in rows]

    def incidents(self, launched_from: str | None = None, since: date | datetime | None = None,
                  until: date | datetime | None = None, kind: str | None = None,
                  include_excluded: bool = False) -> list[Incident]:
        """Incidents, earliest first (then by id; days without a year last).

        launched_from: launch incidents only, launched from this territory (ISO2, SEA, AIR).
        since / until: incidents whose time window overlaps [since, until]; those without
        bounds (a day without a year) are left out. Excluded incidents only on request."""
        i = t.incidents
        query = sa.select(i.c.data)
        if launched_from is not None:
            query = query.where(i.c.kind == "launch", i.c.launch_territory == launched_from.upper())
        if kind is not None:
            query = query.where(i.c.kind == _value(kind))
        if not include_excluded:
            query = query.where(i.c.excluded == sa.false())
        if since is not None:
            at, _ = _bound(since, end=False)
            query = query.where(i.c.latest >= at)
        if until is not None:
            at, strict = _bound(until, end=True)
            query = query.where(i.c.earliest < at if strict else i.c.earliest <= at)
        query = query.order_by(i.c.earliest.is_(None), i.c.earliest, i.c.id)
        with self.engine.connect() as conn:
            return [Incident.model_validate(d) for d in conn.execute(query).scalars()]

    def claims(self, incident: str | None = None, party: str | None = None,
               kind: str | None = None) -> list[Claim]:
        """Claims in import order: reporting on `incident`, made by `party`, of `kind`."""
        c = t.claims
        query = sa.select(c.c.data)
        if incident is not None:
            ci = t.claim_incidents
            query = query.where(c.c.id.in_(sa.select(ci.c.claim_id).where(ci.c.incident_id == incident)))
        if party is not None:
            query = query.where(c.c.party == party)
        if kind is not None:
            query = query.where(c.c.kind == _value(kind))
        with self.engine.connect() as conn:
            return [Claim.model_validate(d) for d in conn.execute(query.order_by(c.c.ord)).scalars()]

    def statements(self, speaker: str | None = None) -> list[Statement]:
        """Statements, earliest first (then by id). `speaker`: an actor id, exactly, or part
        of an actor's name or alias in any script or spelling (Лукашенко, lukashenka)."""
        s = t.statements
        query = sa.select(s.c.data)
        with self.engine.connect() as conn:
            if speaker is not None and speaker.strip():
                ids = {speaker} | self._actors_named(conn, speaker)
                query = query.where(s.c.speaker.in_(sorted(ids)))
            query = query.order_by(s.c.made_earliest.is_(None), s.c.made_earliest, s.c.id)
            return [Statement.model_validate(d) for d in conn.execute(query).scalars()]

    @staticmethod
    def _actors_named(conn: sa.Connection, part: str) -> set[str]:
        wanted = part.casefold().strip()
        found = set()
        for data in conn.execute(sa.select(t.actors.c.data)).scalars():
            actor = Actor.model_validate(data)
            for name in (actor.name, *actor.aliases):
                if wanted in name.casefold() or folded_contains(name, part):
                    found.add(actor.id)
                    break
        return found

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Records whose text has every word of `text`, in any script or spelling, as a
        word or the start of one (inflected forms too). See store/search.py for ranking."""
        with self.engine.connect() as conn:
            return search_mod.search(conn, text, limit)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class _Importer:
    """One import, inside one transaction."""

    def __init__(self, conn: sa.Connection, report: ImportReport, now: datetime):
        self.conn, self.report, self.now = conn, report, now
        self.partial = False
        self.changes: list = []  # ledger.log.Change for each record added or updated

    def run(self, case: Case, partial: bool = False) -> None:
        self._meta(case.case)
        stored = self._stored([rec.id for _, _, rec in case.records()] if partial else None)
        self.partial = partial
        seen: dict[str, str] = {}
        for name, _, rec in case.records():
            if rec.id in seen:
                raise StoreError(f"id '{rec.id}' is used twice in the case ({seen[rec.id]} and "
                                 f"{name}); nothing was imported")
            seen[rec.id] = name
            home = next((c for c, rows in stored.items() if rec.id in rows), name)
            if home != name:
                raise StoreError(f"'{rec.id}' is stored as one of the {home}; the case puts it "
                                 f"in {name}. Give the new record another id; nothing was imported")
        for name in COLLECTIONS:
            self._collection(name, getattr(case, name), stored[name])

    def _meta(self, meta: CaseMeta) -> None:
        row = self.conn.execute(sa.select(t.case_meta)).first()
        data = meta.model_dump(mode="json")
        if row is None:
            self.conn.execute(t.case_meta.insert().values(id=meta.id, data=data))
            self.report.case = "added"
            self._log("case", meta.id, None, data)
        elif row.id != meta.id and row.id == PLACEHOLDER_CASE_ID:
            # a placeholder that 'import csv' made in an empty workspace: the real case replaces it
            self._revision(row.id, "case", row.data)
            self.conn.execute(t.case_meta.update().where(t.case_meta.c.id == row.id).values(id=meta.id, data=data))
            self.report.case = "updated"
            self._log("case", row.id, row.data, None)  # the log shows the placeholder ending here
            self._log("case", meta.id, None, data)
        elif row.id != meta.id:
            raise StoreError(f"this database holds case '{row.id}'; it cannot also hold case "
                             f"'{meta.id}' (one workspace holds one case): use another workspace")
        elif row.data != data:
            self._revision(meta.id, "case", row.data)
            self.conn.execute(t.case_meta.update().where(t.case_meta.c.id == meta.id).values(data=data))
            self.report.case = "updated"
            self._log("case", meta.id, row.data, data)

    def _stored(self, ids: list[str] | None = None) -> dict[str, dict[str, sa.Row]]:
        """Stored records by collection: all of them, or only those with the given ids."""
        out: dict[str, dict[str, sa.Row]] = {}
        for name, table in t.RECORD_TABLES.items():
            query = sa.select(table.c.id, table.c.ord, table.c.data)
            if ids is None:
                out[name] = {row.id: row for row in self.conn.execute(query)}
                continue
            out[name] = {}
            for k in range(0, len(ids), 500):  # bound the IN list: drivers cap parameters
                out[name].update((row.id, row) for row in self.conn.execute(query.where(table.c.id.in_(ids[k:k + 500]))))
        return out

    def _log(self, collection: str, record_id: str, prev: dict | None, new: dict) -> None:
        from ..ledger.log import Change

        self.changes.append(Change("import", collection, record_id, prev, new))

    def _revision(self, record_id: str, collection: str, data: dict) -> None:
        self.conn.execute(t.revisions.insert().values(record_id=record_id, collection=collection,
                                                      data=data, replaced_at=self.now))

    def _collection(self, name: str, records: list[Record], stored: dict[str, sa.Row]) -> None:
        table = t.RECORD_TABLES[name]
        new_rows, docs, links, fresh = [], [], [], []
        after = 0
        if self.partial and records:  # appended after everything stored; stored ones keep their place
            after = (self.conn.execute(sa.select(sa.func.max(table.c.ord))).scalar() or 0) + 1
        for ord_, rec in enumerate(records):
            data = rec.model_dump(mode="json")
            old = stored.get(rec.id)
            if self.partial:
                ord_ = old.ord if old is not None else after + len(new_rows)
            if old is not None and old.data == data:
                self.report.unchanged[name] += 1
                if old.ord != ord_:
                    self.conn.execute(table.update().where(table.c.id == rec.id).values(ord=ord_))
                continue
            row = {"id": rec.id, "ord": ord_, "data": data, **_columns(rec)}
            if old is None:
                new_rows.append(row)
                self.report.added[name] += 1
            else:
                if name == "captures" and old.data.get("sha256"):
                    raise StoreError(f"capture '{rec.id}' is preserved (sha256 {old.data['sha256'][:12]}…) "
                                     "and evidence is never changed; add a new capture instead. "
                                     "Nothing was imported")
                self._revision(rec.id, name, old.data)
                self.conn.execute(table.update().where(table.c.id == rec.id).values(**row))
                fresh.append(rec.id)
                self.report.updated[name] += 1
            self.report.changed_ids.append(rec.id)
            self._log(name, rec.id, None if old is None else old.data, data)
            docs += search_mod.documents(name, rec)
            if isinstance(rec, Claim):
                links += [{"claim_id": rec.id, "incident_id": i} for i in dict.fromkeys(rec.incidents)]
        # records kept from earlier imports but absent from this one go after the others
        in_case = {r.id for r in records} if not self.partial else set(stored)
        kept = sorted((row for rid, row in stored.items() if rid not in in_case),
                      key=lambda row: (row.ord, row.id))
        for k, row in enumerate(kept, start=len(records)):
            if row.ord != k:
                self.conn.execute(table.update().where(table.c.id == row.id).values(ord=k))
        if fresh:
            self.conn.execute(t.search_docs.delete().where(t.search_docs.c.record_id.in_(fresh)))
            if name == "claims":
                self.conn.execute(t.claim_incidents.delete().where(t.claim_incidents.c.claim_id.in_(fresh)))
        for target, rows in ((table, new_rows), (t.search_docs, docs), (t.claim_incidents, links)):
            if rows:
                self.conn.execute(target.insert(), rows)
