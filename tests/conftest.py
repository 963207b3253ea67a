"""Shared fixtures: database URLs for the store, on SQLite and on PostgreSQL.

PostgreSQL: WHOPUSHED_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
then the same as root). Each test gets a fresh schema of its own, reached through libpq's
`options=-csearch_path=...` in the URL, and dropped afterwards, so tests never see each
other's data, in parallel too. When the server does not answer, postgres tests are skipped,
or fail where WHOPUSHED_REQUIRE_PG=1 (CI).
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

DEFAULT_PG_URLS = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                   "postgresql+psycopg://root@127.0.0.1:5432/test")


def _pg_engine() -> sa.Engine:
    named = os.environ.get("WHOPUSHED_TEST_PG_URL")
    problems = []
    for url in (named,) if named else DEFAULT_PG_URLS:
        u = make_url(url)
        if "connect_timeout" not in u.query:
            u = u.update_query_dict({"connect_timeout": "3"})
        engine = sa.create_engine(u, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return engine
        except Exception as exc:  # any failure to connect means: no server for tests
            engine.dispose()
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            problems.append(f"{u.render_as_string(hide_password=True)}: {reason}")
    message = "PostgreSQL is not reachable (" + "; ".join(problems) + ")"
    if os.environ.get("WHOPUSHED_REQUIRE_PG") == "1":
        pytest.fail(message + " and WHOPUSHED_REQUIRE_PG=1", pytrace=False)
    pytest.skip(message + "; set WHOPUSHED_TEST_PG_URL to run these tests")


@pytest.fixture(scope="session")
def pg_admin() -> sa.Engine:
    engine = _pg_engine()
    yield engine
    engine.dispose()


@contextmanager
def _pg_schema(admin: sa.Engine):
    schema = f"wp_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def postgres_url(pg_admin: sa.Engine) -> str:
    """A store URL on a fresh, empty schema of the test PostgreSQL database."""
    with _pg_schema(pg_admin) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(scope="module")
def postgres_url_shared(pg_admin: sa.Engine) -> str:
    """As postgres_url, shared by the tests of one module (for read-only tests)."""
    with _pg_schema(pg_admin) as url:
        yield url


@pytest.fixture(scope="module")
def sqlite_url_shared(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"


BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_url(request) -> str:
    """A URL for an empty database, once per backend."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store_url(request) -> str:
    """A URL for an empty database, once per backend, shared by the tests of a module:
    for tests that only read what a module-scoped fixture put there."""
    return request.getfixturevalue(f"{request.param}_url_shared")


@pytest.fixture
def store(store_url):
    from whopushed.store import Store

    s = Store.open(store_url)
    yield s
    s.close()
