"""Sanctions targets in the store: functions over the Store's engine (the tables are in
store/tables.py, made by migration 0003_sanctions).

An import is one transaction. Targets are keyed by (source, source id): a target read again
unchanged is left alone, a changed one is updated, a new one added; a target that an import
of its source no longer holds is marked delisted (never deleted) and is listed again if it
comes back. So importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..ingest.errors import InputIssue
from ..model import SanctionsMeasure
from ..store import tables as t
from .formats import Format
from .readers import Item, Problem, ReadStats, Skip, Target

if TYPE_CHECKING:
    from .parity import TargetFacts

BATCH = 500
PROBLEMS_LISTED = 1000  # problems kept in a summary; the count is always complete
LINES_LISTED = 20  # line numbers kept per skip reason
_PG_LOCK = 0x77687373  # "whss": one sanctions import at a time on a PostgreSQL database


class SourceError(Exception):
    """The source id is taken by targets of another format; nothing was imported."""


@dataclass
class ImportSummary:
    file: str
    format: str
    source: str
    read: int = 0  # rows (entities) read, header and end marker aside
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    delisted: int = 0  # held before, absent from this file
    problems: list[InputIssue] = field(default_factory=list)
    problem_count: int = 0
    skipped: dict[str, dict] = field(default_factory=dict)  # reason -> {"count", "lines"}
    programmes: Counter = field(default_factory=Counter)  # programme -> targets read in this file
    unknown_programmes: list[str] = field(default_factory=list)
    unknown_countries: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    addresses: str | None = None

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged

    def problem(self, issue: InputIssue) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_LISTED:
            self.problems.append(issue)

    def skip(self, line: int, reason: str) -> None:
        entry = self.skipped.setdefault(reason, {"count": 0, "lines": []})
        entry["count"] += 1
        if len(entry["lines"]) < LINES_LISTED:
            entry["lines"].append(line)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "format": self.format, "source": self.source, "sha256": self.sha256,
            "addresses": self.addresses,
            "read": self.read, "imported": self.imported, "added": self.added, "updated": self.updated,
            "unchanged": self.unchanged, "delisted": self.delisted,
            "problems": [{"file": p.file, "line": p.line, "column": p.column, "field": p.field,
                          "message": p.message} for p in self.problems],
            "problem_count": self.problem_count,
            "skipped": [{"reason": r, "count": e["count"], "lines": e["lines"]} for r, e in self.skipped.items()],
            "programmes": dict(sorted(self.programmes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "unknown_programmes": self.unknown_programmes,
            "unknown_countries": self.unknown_countries,
            "notes": self.notes,
        }


def _digest(target: Target) -> str:
    data = [target.type, target.name, list(target.countries), sorted(target.programmes), target.sector,
            target.listed.isoformat() if target.listed else None,
            [[c, d.isoformat()] for c, d in target.programme_listed]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _row(source: str, target: Target) -> dict[str, Any]:
    return {"source": source, "source_id": target.source_id, "type": target.type, "name": target.name,
            "countries": list(target.countries), "sector": target.sector, "listed": target.listed,
            "digest": _digest(target), "delisted_at": None}


class _Writer:
    """One import, inside one transaction."""

    def __init__(self, conn: sa.Connection, source: str, summary: ImportSummary, now: datetime):
        self.conn, self.source, self.summary, self.now = conn, source, summary, now
        self.seen = sa.Table("sanctions_seen", sa.MetaData(), sa.Column("source_id", sa.String(128), primary_key=True),
                             sa.Column("line", sa.Integer, nullable=False), prefixes=["TEMPORARY"])
        conn.execute(sa.text("DROP TABLE IF EXISTS sanctions_seen"))
        self.seen.create(conn)
        self.batch: list[Target] = []

    def close(self) -> None:
        self.conn.execute(sa.text("DROP TABLE IF EXISTS sanctions_seen"))

    def see(self, ids_lines: dict[str, int]) -> dict[str, int]:
        """Record ids as seen in this file; return those seen before, with their first line."""
        if not ids_lines:
            return {}
        before = {r.source_id: r.line for r in self.conn.execute(
            sa.select(self.seen).where(self.seen.c.source_id.in_(list(ids_lines))))}
        fresh = [{"source_id": i, "line": n} for i, n in ids_lines.items() if i not in before]
        if fresh:
            self.conn.execute(self.seen.insert(), fresh)
        return before

    def add(self, target: Target) -> None:
        self.batch.append(target)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        unique: dict[str, Target] = {}
        for target in batch:
            if target.source_id in unique:
                self._repeat(target, unique[target.source_id].line)
            else:
                unique[target.source_id] = target
        for i, first in self.see({i: tg.line for i, tg in unique.items()}).items():
            self._repeat(unique.pop(i), first)
        if not unique:
            return
        tt, tp = t.sanctions_targets, t.sanctions_target_programmes
        stored = {r.source_id: r for r in self.conn.execute(
            sa.select(tt.c.source_id, tt.c.digest, tt.c.delisted_at)
            .where(tt.c.source == self.source, tt.c.source_id.in_(list(unique))))}
        inserts, changed = [], []
        for sid, target in unique.items():
            row = _row(self.source, target)
            old = stored.get(sid)
            if old is None:
                inserts.append(row)
                self.summary.added += 1
            elif old.digest == row["digest"] and old.delisted_at is None:
                self.summary.unchanged += 1
                continue
            else:
                changed.append(row)
                self.summary.updated += 1
        if changed:
            ids = [r["source_id"] for r in changed]
            self.conn.execute(tp.delete().where(tp.c.source == self.source, tp.c.source_id.in_(ids)))
            self.conn.execute(tt.delete().where(tt.c.source == self.source, tt.c.source_id.in_(ids)))
        rows = inserts + changed
        if rows:
            self.conn.execute(tt.insert(), rows)
            links = []
            for r in rows:
                target = unique[r["source_id"]]
                dates = dict(target.programme_listed)
                links += [{"source": self.source, "source_id": r["source_id"], "programme": p,
                           "listed": dates.get(p)} for p in target.programmes]
            if links:
                self.conn.execute(tp.insert(), links)

    def _repeat(self, target: Target, first: int) -> None:
        self.summary.problem(InputIssue(self.summary.file, target.line, None, "id",
                                        f"id {target.source_id!r} repeats line {first}; this row was not imported"))

    def delist(self) -> int:
        tt = t.sanctions_targets
        result = self.conn.execute(
            tt.update()
            .where(tt.c.source == self.source, tt.c.delisted_at.is_(None),
                   tt.c.source_id.not_in(sa.select(self.seen.c.source_id)))
            .values(delisted_at=self.now))
        return result.rowcount or 0


def save(engine: sa.Engine, fmt: Format, source: str, items: Iterable[Item], summary: ImportSummary,
         known_programmes: Iterable[str] = (), stats: ReadStats | None = None) -> ImportSummary:
    """Store the items read from one file of `source` in one transaction; fill `summary`
    (with what the reader's `stats` gathered, once the items are read)."""
    known = set(known_programmes)
    unknown: set[str] = set()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        _source(conn, fmt, source)
        writer = _Writer(conn, source, summary, now)
        try:
            problem_ids: dict[str, int] = {}
            for item in items:
                if isinstance(item, Skip):
                    summary.read += 1
                    summary.skip(item.line, item.reason)
                elif isinstance(item, Problem):
                    summary.read += 1
                    summary.problem(item.issue)
                    if item.source_id:  # a bad row still says its target is listed
                        problem_ids.setdefault(item.source_id, item.issue.line or 0)
                        if len(problem_ids) >= BATCH:
                            writer.see(problem_ids)
                            problem_ids = {}
                else:
                    summary.read += 1
                    summary.programmes.update(item.programmes)
                    unknown.update(p for p in item.programmes if p not in known)
                    writer.add(item)
            writer.flush()
            writer.see(problem_ids)
            summary.delisted = writer.delist()
        finally:
            writer.close()
        summary.unknown_programmes = sorted(unknown)
        summary.problems.sort(key=lambda p: (p.file, p.line or 0))  # repeats are found a batch late
        if stats is not None:
            summary.sha256 = stats.sha256
            summary.notes += stats.notes
            summary.unknown_countries = dict(stats.unknown_countries.most_common())
        conn.execute(t.sanctions_imports.insert().values(
            source=source, file=summary.file, sha256=summary.sha256, at=now, summary=summary.as_json()))
    return summary


def _source(conn: sa.Connection, fmt: Format, source: str) -> None:
    s = t.sanctions_sources
    row = conn.execute(sa.select(s).where(s.c.id == source)).first()
    values = {"format": fmt.name, "jurisdiction": fmt.jurisdiction, "title": fmt.title}
    if row is None:
        conn.execute(s.insert().values(id=source, **values))
    elif row.format != fmt.name:
        raise SourceError(f"source '{source}' holds targets read as {row.format}, not {fmt.name}; "
                         "give this file another --source")
    elif (row.jurisdiction, row.title) != (fmt.jurisdiction, fmt.title):
        conn.execute(s.update().where(s.c.id == source).values(**values))


# reading


@dataclass(frozen=True)
class SourceInfo:
    id: str
    format: str
    jurisdiction: str | None
    title: str


def sources(engine: sa.Engine) -> dict[str, SourceInfo]:
    s = t.sanctions_sources
    with engine.connect() as conn:
        return {r.id: SourceInfo(r.id, r.format, r.jurisdiction, r.title)
                for r in conn.execute(sa.select(s).order_by(s.c.id))}


def programme_counts(engine: sa.Engine, source: str | None = None) -> dict[str, int]:
    """Listed (not delisted) targets per programme code: a target under two programmes
    counts once under each."""
    tt, tp = t.sanctions_targets, t.sanctions_target_programmes
    query = (sa.select(tp.c.programme, sa.func.count())
             .select_from(tp.join(tt, sa.and_(tp.c.source == tt.c.source, tp.c.source_id == tt.c.source_id)))
             .where(tt.c.delisted_at.is_(None)).group_by(tp.c.programme))
    if source is not None:
        query = query.where(tt.c.source == source)
    with engine.connect() as conn:
        return {code: n for code, n in conn.execute(query)}


def target_count(engine: sa.Engine, source: str | None = None, include_delisted: bool = False) -> int:
    tt = t.sanctions_targets
    query = sa.select(sa.func.count()).select_from(tt)
    if source is not None:
        query = query.where(tt.c.source == source)
    if not include_delisted:
        query = query.where(tt.c.delisted_at.is_(None))
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def imports(engine: sa.Engine) -> list[dict[str, Any]]:
    """The import log, oldest first."""
    i = t.sanctions_imports
    with engine.connect() as conn:
        return [{"id": r.id, "source": r.source, "file": r.file, "sha256": r.sha256, "at": r.at.isoformat(),
                 "summary": r.summary} for r in conn.execute(sa.select(i).order_by(i.c.id))]


def iter_targets(engine: sa.Engine) -> Iterator[TargetFacts]:
    """Every listed target with its programmes, in (source, id) order, streamed: the two
    ordered queries are walked side by side."""
    from .parity import TargetFacts

    tt, tp = t.sanctions_targets, t.sanctions_target_programmes
    listed = tt.c.delisted_at.is_(None)
    targets_q = (sa.select(tt.c.source, tt.c.source_id, tt.c.type, tt.c.countries, tt.c.sector, tt.c.listed)
                 .where(listed).order_by(tt.c.source, tt.c.source_id))
    # no join: a server-side cursor over a join gets a slow plan on PostgreSQL; the links of
    # delisted targets are passed over in the walk (both orders are by code point)
    links_q = sa.select(tp.c.source, tp.c.source_id, tp.c.programme, tp.c.listed).order_by(
        tp.c.source, tp.c.source_id, tp.c.programme)
    with engine.connect() as c1, engine.connect() as c2:
        links = iter(c2.execution_options(yield_per=2000).execute(links_q))
        link = next(links, None)
        for r in c1.execution_options(yield_per=2000).execute(targets_q):
            key = (r.source, r.source_id)
            codes, dates = [], {}
            while link is not None and (link.source, link.source_id) < key:
                link = next(links, None)
            while link is not None and (link.source, link.source_id) == key:
                codes.append(link.programme)
                if link.listed is not None:
                    dates[link.programme] = link.listed
                link = next(links, None)
            yield TargetFacts(r.source, r.source_id, r.type, tuple(codes), tuple(r.countries or ()),
                              r.sector, r.listed, dates)


def case_measures(engine: sa.Engine) -> list[SanctionsMeasure]:
    """The case's sanctions measures (the `sanctions` collection), in case order."""
    s = t.sanctions
    with engine.connect() as conn:
        return [SanctionsMeasure.model_validate(d)
                for d in conn.execute(sa.select(s.c.data).order_by(s.c.ord, s.c.id)).scalars()]
