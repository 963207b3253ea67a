"""Full-text search across scripts and spellings.

Each searchable field of a record is one row of `search_docs`: the original text (for
snippets) and its folded keys (whopushed.text.fold). The database finds the rows whose
keys start with every query stem: FTS5 on SQLite, a tsvector with a GIN index on
PostgreSQL, LIKE elsewhere. Ranking is done here, in Python, so that every backend orders
hits the same way.

Rank of a field: for each query word, 1.0 when a word of the field folds to exactly the
word or its stem, 0.5 when it merely starts with the stem, plus 0.1 for each further
occurrence (up to 4); summed over the query words and multiplied by the field's weight
(names 2, titles and aliases 1.5, other text 1). A record is one hit, through its best
field. Hits are ordered by rank (highest first), then collection, then id.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..model import Place, Record
from ..text import Term, query_terms, words
from ..text import fold as fold_text
from .tables import search_docs

# collection -> the fields of its records that are searched, in order of preference
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "actors": ("name", "aliases"),
    "sources": ("name",),
    "captures": ("title", "excerpt"),
    "incidents": ("title", "summary", "targets", "launch_area", "impact_area"),
    "claims": ("text", "quote", "launch_area", "impact_area"),
    "statements": ("quote", "rendering_en"),
    "sanctions": ("title", "scope"),
}
WEIGHTS = {"name": 2.0, "title": 1.5, "aliases": 1.5}
SNIPPET_CHARS = 200
MAX_CANDIDATES = 20_000  # rows fetched for ranking; a bound on pathological one-letter queries
MAX_TERMS = 64  # query words beyond these are ignored


@dataclass(frozen=True)
class SearchHit:
    collection: str
    record_id: str
    field: str
    snippet: str  # plain text around the first match, at most SNIPPET_CHARS
    rank: float  # higher is better


def _field_text(value: object) -> str | None:
    if isinstance(value, Place):
        value = " — ".join(v for v in (value.name, value.stated) if v)
    elif isinstance(value, list):
        value = " · ".join(str(v) for v in value)
    return value or None  # type: ignore[return-value]


def documents(collection: str, record: Record) -> list[dict]:
    """The search_docs rows of one record."""
    rows = []
    for field in SEARCH_FIELDS.get(collection, ()):
        text = _field_text(getattr(record, field, None))
        if text:
            rows.append({"collection": collection, "record_id": record.id, "field": field,
                         "text": text, "folded": fold_text(text)})
    return rows


def _candidates(conn: sa.Connection, terms: list[Term]) -> list[sa.Row]:
    d = search_docs
    cols = (d.c.collection, d.c.record_id, d.c.field, d.c.text, d.c.folded)
    order = (d.c.collection, d.c.record_id, d.c.field)
    dialect = conn.dialect.name
    # Stems are lowercase ASCII letters and digits only (fold guarantees it), so they can
    # be quoted into FTS syntax without any escaping problem.
    if dialect == "sqlite":
        match = " AND ".join(f'"{t.stem}"*' for t in terms)
        fts = sa.table("search_fts", sa.column("rowid"))
        query = (sa.select(*cols).select_from(fts.join(d, d.c.id == fts.c.rowid))
                 .where(sa.text("search_fts MATCH :match")).order_by(*order).limit(MAX_CANDIDATES))
        return list(conn.execute(query, {"match": match}))
    if dialect == "postgresql":
        tsquery = " & ".join(f"{t.stem}:*" for t in terms)
        query = (sa.select(*cols).where(sa.text("tsv @@ to_tsquery('simple', :tsquery)"))
                 .order_by(*order).limit(MAX_CANDIDATES))
        return list(conn.execute(query, {"tsquery": tsquery}))
    padded = sa.literal(" ") + d.c.folded
    query = sa.select(*cols).where(*(padded.like(f"% {t.stem}%") for t in terms))
    return list(conn.execute(query.order_by(*order).limit(MAX_CANDIDATES)))


def rank(terms: list[Term], folded: str, field: str) -> float:
    keys = folded.split()
    total = 0.0
    for term in terms:
        best, seen = 0.0, 0
        for key in keys:
            if key in (term.key, term.stem):
                score = 1.0
            elif key.startswith(term.stem):
                score = 0.5
            else:
                continue
            seen += 1
            best = max(best, score)
        if not seen:
            return 0.0
        total += best + 0.1 * min(seen - 1, 4)
    return round(total * WEIGHTS.get(field, 1.0), 4)


def snippet(text: str, terms: list[Term], width: int = SNIPPET_CHARS) -> str:
    """A window of `text` around its first matching word, whitespace squashed."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    at = next((s for s, _, key in words(text) if any(key.startswith(t.stem) for t in terms)), 0)
    room = width - 2  # for the ellipses
    start = max(0, min(at - room // 3, len(text) - room))
    end = start + room
    if start > 0:
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", at + 1, end)
        end = space if space != -1 else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def search(conn: sa.Connection, text: str, limit: int = 50) -> list[SearchHit]:
    terms = query_terms(text)[:MAX_TERMS]
    if not terms or limit <= 0:
        return []
    preference = {(c, f): i for c, fields in SEARCH_FIELDS.items() for i, f in enumerate(fields)}
    best: dict[tuple[str, str], tuple[float, int, sa.Row]] = {}
    for row in _candidates(conn, terms):
        score = rank(terms, row.folded, row.field)
        if score <= 0:
            continue
        key = (row.collection, row.record_id)
        pref = preference.get((row.collection, row.field), 99)
        if key not in best or (score, -pref) > (best[key][0], -best[key][1]):
            best[key] = (score, pref, row)
    ordered = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0][0], kv[0][1]))
    return [SearchHit(coll, rid, row.field, snippet(row.text, terms), score)
            for (coll, rid), (score, _, row) in ordered[:limit]]
