"""A workspace with its store, signing key and blob store, for the ledger's tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from whopushed.ledger.blobs import FileBlobStore
from whopushed.ledger.keys import Signer, load_signer
from whopushed.store import Store
from whopushed.workspace import Workspace, init_workspace


@dataclass
class Bench:
    ws: Workspace
    store: Store
    signer: Signer
    blobs: FileBlobStore

    @property
    def engine(self):
        return self.store.engine


def make_bench(folder: Path, db_url: str | None = None) -> Bench:
    ws, _ = init_workspace(folder, db_url)
    store = Store.open(ws.db_url)
    signer = load_signer(ws.state_dir)
    store.signer = signer
    return Bench(ws, store, signer, FileBlobStore(ws.state_dir / "blobs"))


@pytest.fixture
def bench(tmp_path, store_url):
    """A workspace on each backend (its database at `store_url`)."""
    b = make_bench(tmp_path / "ws", store_url)
    yield b
    b.store.close()


@pytest.fixture
def sqlite_bench(tmp_path):
    b = make_bench(tmp_path / "ws")
    yield b
    b.store.close()
