"""Shared fixtures for the sanctions tests: the data files, and the OFAC list imported once
per backend (it has ~11k rows) together with the Belarus case."""

from __future__ import annotations

from pathlib import Path

import pytest

from whopushed.ingest.casefile import read_case
from whopushed.sanctions.importer import import_file
from whopushed.store import Store

ROOT = Path(__file__).parents[2]
FIXTURES = Path(__file__).with_name("fixtures")
SIMPLE = FIXTURES / "targets.simple.csv"
FTM = FIXTURES / "entities.ftm.json"
DATA = ROOT.parent / "shared" / "data"
OFAC = DATA / "ofac_sdn_2023-01.csv"
OFAC_ADD = DATA / "ofac_add_2023-01.csv"
BELARUS = ROOT / "cases" / "belarus"


@pytest.fixture(scope="module")
def ofac_store(shared_store_url):
    """A store holding the OFAC SDN list (with its address file) and the Belarus case."""
    if not OFAC.is_file():
        pytest.skip(f"{OFAC} is not here (the shared data)")
    store = Store.open(shared_store_url)
    summary = import_file(store.engine, OFAC)
    store.import_case(read_case(BELARUS))
    yield store, summary
    store.close()
