"""Fixtures for the web tests: the bundled case in a database, the app, a server on a
loopback port, and headless Chromium (Debian's, never a downloaded one).

Without Chromium the browser tests are skipped; on CI (CI=true) or with
WHOPUSHED_REQUIRE_BROWSER=1 they fail instead, so a missing browser cannot pass unseen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from whopushed.ingest.casefile import read_case
from whopushed.model import Case
from whopushed.store import Store

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "cases" / "belarus"


def pytest_configure(config):
    # starlette's TestClient warns that it will move to httpx2; nothing to do here yet
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")


def import_into(case: Case, folder: Path) -> str:
    url = f"sqlite:///{folder / 'case.db'}"
    with Store.open(url) as store:
        store.import_case(case)
    return url


@pytest.fixture(scope="session")
def belarus() -> Case:
    return read_case(BUNDLED)


@pytest.fixture(scope="session")
def belarus_db(belarus, tmp_path_factory) -> str:
    return import_into(belarus, tmp_path_factory.mktemp("belarus"))


@pytest.fixture(scope="session")
def app(belarus_db):
    from whopushed.web import create_app

    return create_app(belarus_db)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def server(app):
    from whopushed.web.server import running

    with running(app) as base:
        yield base


def _require_browser() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("WHOPUSHED_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def browser():
    from whopushed.web.browser import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (make setup installs Debian's chromium as root)"
        if _require_browser():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB", timezone_id="UTC")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # the tests check that no script failed
    yield pg
    context.close()


@pytest.fixture(scope="session")
def openapi_schema(app, client):
    import schemathesis

    return schemathesis.openapi.from_asgi("/openapi.json", app)
