"""The same calls give the same answers on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from whopushed.store import Store

from .fixtures import CASE, make_case, replaced

SEARCHES = ["Мозырь", "Mazyr", "Мозыре", "Гомелем", "Homel", "Ziabrauka", "Лукашенко", "launch",
            "launches from", "NEAR", '"quoted" (NEAR) *', "-", "a", "r", "2022", "9M723", "Беларусь",
            "missiles Homel", "troops", "dawn", "Hajun", "нашы войскі"]


def run_calls(store: Store) -> list:
    """A fixed sequence of calls and what each returned, in comparable form."""
    out: list = []
    record = out.append
    r1 = store.import_case(make_case(sanctions=[]))
    r2 = store.import_case(make_case(incidents=replaced("incidents", "INC-02", title="Missiles over Gomel"),
                                     claims=replaced("claims", "CL-03", incidents=["INC-02", "INC-05"])))
    for report in (r1, r2):
        record((report.added, report.unchanged, report.updated, report.changed_ids, report.case))
    record(store.counts())
    record(store.export_case())
    record(store.case_meta())
    record([(r.collection, r.data) for r in store.revisions("INC-02")])
    for rid in ("INC-01", "CL-03", "cap-002", "act-hajun", "SAN-01", "nope"):
        record(store.get(rid))
    for kwargs in ({}, {"launched_from": "BY"}, {"launched_from": "BY", "include_excluded": True},
                   {"launched_from": "RU"}, {"kind": "sortie"}, {"since": date(2022, 3, 1)},
                   {"until": date(2022, 2, 28)}, {"since": date(2022, 2, 24), "until": date(2022, 3, 10)},
                   {"since": datetime(2022, 6, 25, 5, tzinfo=timezone.utc), "include_excluded": True}):
        record([i.id for i in store.incidents(**kwargs)])
    for kwargs in ({}, {"incident": "INC-01"}, {"incident": "INC-05"}, {"party": "act-hajun"},
                   {"kind": "statement"}):
        record(store.claims(**kwargs))
    for speaker in (None, "act-lukashenka", "Лукашенко", "lukashenka", "Air Force", "ЗСУ", "nobody"):
        record(store.statements(speaker=speaker))
    for text in SEARCHES:
        record(store.search(text))
    record(store.search("launch", limit=3))
    return out


@pytest.mark.postgres
def test_same_calls_give_identical_results_on_sqlite_and_postgres(sqlite_url, postgres_url):
    with Store.open(sqlite_url) as lite, Store.open(postgres_url) as pg:
        assert lite.engine.dialect.name == "sqlite" and pg.engine.dialect.name == "postgresql"
        on_sqlite, on_postgres = run_calls(lite), run_calls(pg)
    assert len(on_sqlite) == len(on_postgres)
    for i, (a, b) in enumerate(zip(on_sqlite, on_postgres)):
        assert a == b, f"call {i} differs"
    assert any(on_sqlite[-len(SEARCHES) - 1:])  # the searches found something


@pytest.mark.postgres
def test_ids_sort_by_code_point_on_both_backends(sqlite_url, postgres_url):
    # glibc collations ignore punctuation and case; the store must not
    ids = ["INC-1", "INC-10", "INC-1a", "INC.2", "INC_3", "inc-0", "INC:9", "INC-1-b"]
    incidents = [{"id": i, "kind": "launch", "title": i, "when": "2022-01-01", "launch_territory": "BY"}
                 for i in ids]
    case = make_case(incidents=incidents, claims=[
        {**c, "incidents": []} for c in CASE["claims"]])
    results = []
    for url in (sqlite_url, postgres_url):
        with Store.open(url) as s:
            s.import_case(case)
            results.append([i.id for i in s.incidents()])
            if s.engine.dialect.name == "postgresql":  # whatever the database's own collation
                with s.engine.connect() as conn:
                    collations = conn.execute(sa.text(
                        "SELECT DISTINCT collation_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND column_name IN ('id', 'record_id') "
                        "AND data_type <> 'integer'"
                    )).scalars().all()
                assert collations == ["C"]
    assert results[0] == results[1] == sorted(ids)
