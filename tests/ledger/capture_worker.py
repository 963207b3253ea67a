"""Run by the reliability tests in a subprocess: capture the files named into a workspace,
printing each capture's id as it is committed (so the parent can kill it mid-way)."""

from __future__ import annotations

import sys
from pathlib import Path

from whopushed.ledger.blobs import FileBlobStore
from whopushed.ledger.capture import capture_file
from whopushed.ledger.keys import load_signer
from whopushed.store import Store
from whopushed.workspace import open_workspace


def main(folder: str, actor: str, *files: str) -> None:
    ws = open_workspace(Path(folder))
    store = Store.open(ws.db_url)
    signer, blobs = load_signer(ws.state_dir), FileBlobStore(ws.state_dir / "blobs")
    for f in files:
        r = capture_file(store.engine, blobs, Path(f), source=None, actor=actor, signer=signer)
        print(r.id, flush=True)
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
