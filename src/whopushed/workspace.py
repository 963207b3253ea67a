"""A workspace: a folder holding the database and, later, the evidence blobs.

It is found the way git finds a repository: `--workspace`, then $WHOPUSHED_WORKSPACE,
then the current folder and each folder above it that has a `.whopushed/` inside.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .ledger.keys import create_key

MARKER = ".whopushed"
CONFIG = "workspace.json"
FORMAT = 1


class WorkspaceError(Exception):
    pass


@dataclass(frozen=True)
class Workspace:
    root: Path
    db_url: str

    @property
    def state_dir(self) -> Path:
        return self.root / MARKER


def _default_db(root: Path) -> str:
    return f"sqlite:///{(root / MARKER / 'whopushed.db').resolve()}"


def init_workspace(folder: Path, db_url: str | None = None) -> tuple[Workspace, bool]:
    """Create (or reopen) the workspace in `folder`; returns it and whether it was new."""
    state = folder / MARKER
    config = state / CONFIG
    if config.exists():
        ws = open_workspace(folder)
        if db_url and db_url != ws.db_url:
            raise WorkspaceError(f"{folder} is already a workspace using {ws.db_url}; "
                                 "pass that --db or none")
        create_key(state)  # a workspace made before the ledger gets its key now
        return ws, False
    state.mkdir(parents=True, exist_ok=True)
    create_key(state)  # the Ed25519 key that signs the ledger's tree heads (0600)
    tmp = config.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "db": db_url}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, config)
    return Workspace(folder.resolve(), db_url or _default_db(folder)), True


def open_workspace(folder: Path) -> Workspace:
    config = folder / MARKER / CONFIG
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkspaceError(f"{folder} is not a workspace (no {MARKER}/{CONFIG}); "
                             f"run 'whopushed init {folder}'") from None
    except json.JSONDecodeError as exc:
        raise WorkspaceError(f"{config}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    return Workspace(folder.resolve(), data.get("db") or _default_db(folder))


def find_workspace(explicit: str | None = None, start: Path | None = None) -> Workspace | None:
    """The workspace named explicitly or by the environment, else the nearest one above."""
    named = explicit or os.environ.get("WHOPUSHED_WORKSPACE")
    if named:
        return open_workspace(Path(named))
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER / CONFIG).is_file():
            return open_workspace(folder)
    return None


def resolve_db(workspace: str | None, db: str | None) -> str:
    """The database URL for a command: --db / $WHOPUSHED_DB win over the workspace's."""
    url = db or os.environ.get("WHOPUSHED_DB")
    if url:
        return url
    ws = find_workspace(workspace)
    if ws is None:
        raise WorkspaceError("no workspace here or above; run 'whopushed init [DIR]', "
                             "or pass --workspace DIR, or set WHOPUSHED_WORKSPACE or --db URL")
    return ws.db_url
