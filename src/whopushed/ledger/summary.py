"""The ledger at a glance, for pages that show it (the demo's out/index.html): the signed
tree head to publish, with its public key, and what the log and the captures hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..store import tables as t
from . import log
from .keys import KEY_FILE, load_signer


def ledger_summary(workspace: Any, *, sign: bool = True) -> dict[str, Any]:
    """`workspace`: a Workspace or its folder. With `sign` (and the workspace's key at hand)
    a head is signed first when the log has grown since the last one, so the head shown
    covers the whole log.

    Returns {"size", "root", "signed_at", "signature", "public_key", "key_id" (the latest
    signed head; None each when there is none), "head" (the head as `ledger head --json`
    prints it, to publish), "entries" (the log's size), "covers_all", "timestamp" (the
    head's trusted-timestamp status), "captures": {"preserved", "citation_only"}}."""
    from ..store import Store
    from ..workspace import Workspace, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(Path(workspace))
    signer = load_signer(ws.state_dir) if sign and (ws.state_dir / KEY_FILE).exists() else None
    store = Store.open(ws.db_url)
    try:
        with log.write_transaction(store.engine) as conn:
            head = log.sign_head(conn, signer) if signer is not None else log.latest_head(conn)
            entries = log.size(conn)
            status = None
            if head is not None:
                status = conn.execute(sa.select(t.tree_heads.c.timestamp_status)
                                      .where(t.tree_heads.c.size == head.size)).scalar()
            c = t.captures
            preserved = conn.execute(sa.select(sa.func.count()).select_from(c).where(c.c.sha256.is_not(None))).scalar_one()
            total = conn.execute(sa.select(sa.func.count()).select_from(c)).scalar_one()
    finally:
        store.close()
    fields = ("size", "root", "signed_at", "signature", "public_key", "key_id")
    shown = head.to_json() if head is not None else None
    return {**{f: shown[f] if shown else None for f in fields}, "head": shown, "entries": entries,
            "covers_all": head is not None and head.size == entries, "timestamp": status,
            "captures": {"preserved": preserved, "citation_only": total - preserved}}
