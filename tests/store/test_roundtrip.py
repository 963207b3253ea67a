"""Import then export gives the case back; the schema is what the migrations say."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from whopushed.model import COLLECTIONS, CaseMeta
from whopushed.store import Store, StoreError
from whopushed.store.migrate import alembic_config, include_object
from whopushed.store.tables import metadata

from .fixtures import make_case

REPO = Path(__file__).resolve().parents[2]


def test_export_after_import_equals_the_case(store):
    case = make_case()
    store.import_case(case)
    assert store.export_case() == case


def test_export_keeps_records_in_import_order(store):
    case = make_case()
    store.import_case(case)
    exported = store.export_case()
    for name in COLLECTIONS:
        assert [r.id for r in getattr(exported, name)] == [r.id for r in getattr(case, name)]


def test_first_import_reports_every_record_added(store):
    case = make_case()
    report = store.import_case(case)
    assert report.added == case.counts()
    assert sum(report.unchanged.values()) == sum(report.updated.values()) == 0
    assert report.changed_ids == [rec.id for _, _, rec in case.records()]
    assert report.case == "added"


def test_counts_and_case_meta_after_import(store):
    assert store.case_meta() is None
    case = make_case()
    store.import_case(case)
    assert store.counts() == case.counts()
    assert store.case_meta() == case.case
    assert isinstance(store.case_meta(), CaseMeta)


def test_get_finds_any_record_by_id_with_its_collection(store):
    case = make_case()
    store.import_case(case)
    for name, _, rec in case.records():
        assert store.get(rec.id) == (name, rec)
    assert store.get("no-such-id") is None


def test_export_of_an_empty_store_raises_store_error(store):
    with pytest.raises(StoreError, match="no case"):
        store.export_case()


def test_migrating_an_up_to_date_database_again_is_harmless(store_url):
    with Store.open(store_url) as s:
        s.import_case(make_case())
    with Store.open(store_url) as s:
        s.migrate()
        assert s.export_case() == make_case()


def test_migrations_create_exactly_the_tables_the_code_describes(store):
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object})
        assert compare_metadata(ctx, metadata) == []


def test_downgrade_to_base_and_upgrade_again_works(store):
    store.import_case(make_case())
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), "base")
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    store.migrate()
    store.import_case(make_case())
    assert store.export_case() == make_case()


def test_bare_file_path_opens_sqlite(tmp_path):
    with Store.open(str(tmp_path / "plain.db")) as s:
        assert s.engine.dialect.name == "sqlite"
        s.import_case(make_case())
    assert (tmp_path / "plain.db").exists()


def test_unusable_url_raises_store_error():
    with pytest.raises(StoreError):
        Store("nosuchdialect://x/y")


def test_unreachable_postgres_raises_store_error():
    with pytest.raises(StoreError, match="cannot open"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")


def test_bundled_case_round_trips(store):
    pytest.importorskip("whopushed.ingest.casefile")
    from whopushed.ingest.casefile import read_case
    from whopushed.ingest.errors import InputError

    try:
        case = read_case(REPO / "cases" / "belarus")
    except InputError as exc:  # the case is being edited by others; not the store's fault
        pytest.skip(f"bundled case does not validate right now: {exc}")
    store.import_case(case)
    assert store.export_case() == case
    assert sum(store.import_case(case).unchanged.values()) == sum(case.counts().values())
