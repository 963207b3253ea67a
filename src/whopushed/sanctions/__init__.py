"""Sanctions lists and parity: how far the sanctions on the territorial state lag those on the
aggressor. A policy comparison, kept apart from the legal determination (docs/sanctions.md).

    formats/*.yaml   mapping files: how each list format's columns become targets
    programmes.yaml  which state's conduct each programme answers
    readers.py       streaming readers (CSV, FollowTheMoney JSON lines)
    importer.py      import_file: detect, read, store
    store.py         the store's sanctions tables: save, counts, targets for parity
    parity.py        the pure computation
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["parity_report"]


def parity_report(db: str | Store, as_of: date | str | None = None, measures=None) -> dict[str, Any]:
    """The parity report for a database URL (or an open Store): its imported sanctions lists,
    the programme table shipped with whopushed, and the case's sanctions measures.

    as_of: a date, or text such as 2022-03 (taken to the end of that period).
    measures: the case's measures to use instead of the stored ones (a public view passes
    only the public ones)."""
    from ..model import When
    from ..store import Store
    from . import store as sstore
    from .parity import parity
    from .programmes import load_programmes

    if isinstance(as_of, str):
        as_of = When(value=as_of).latest.date()
    opened = None
    if isinstance(db, Store):
        store = db
    else:
        store = opened = Store.open(db)
    try:
        engine = store.engine
        sources = {s.id: {"format": s.format, "jurisdiction": s.jurisdiction, "title": s.title}
                   for s in sstore.sources(engine).values()}
        chosen = sstore.case_measures(engine) if measures is None else list(measures)
        return parity(sstore.iter_targets(engine), load_programmes(), chosen, sources, as_of)
    finally:
        if opened is not None:
            opened.close()
