"""The web and export commands: `serve`, and `export dossier|geojson|csv|timemap`.
Registered on the app and its `export` group by cli.py (see register)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console

err = Console(stderr=True)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WITHHELD_OPT = typer.Option(False, "--include-withheld",
                            help="Also records marked restricted or private (for internal use; do not publish).")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def _db_url() -> str:
    from . import cli
    from .workspace import WorkspaceError, resolve_db

    try:
        return resolve_db(cli._state.get("workspace"), cli._state.get("db"))
    except WorkspaceError as exc:
        _fail(str(exc))


def _case(include_withheld: bool):
    from .report.exports import public_case
    from .store import Store

    with Store.open(_db_url()) as store:
        case = store.export_case()
    return case if include_withheld else public_case(case)


def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on (default: this machine only)."),
          port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
          read_only: bool = typer.Option(False, "--read-only", help="A public view: only records marked public, "
                                                                     "and nothing that rests on the others.")) -> None:
    """The web workspace: overview, incidents with map and timeline, one incident with its
    evidence, statements, the determination, search; the REST API under /api (OpenAPI at
    /openapi.json). Everything it loads ships with the package: it works offline."""
    import uvicorn

    from .store import StoreError
    from .web import create_app

    url = _db_url()
    if host not in LOOPBACK and not read_only:
        err.print(f"[yellow]warning:[/] serving every record, restricted and private too, on {host}; "
                  "use --read-only for a public view", highlight=False)
    try:
        app = create_app(url, read_only=read_only)
    except StoreError as exc:
        _fail(str(exc), 1)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"whopushed serving {'the public view of ' if read_only else ''}{url} at "
              f"[bold]http://{shown}:{port}/[/] (Ctrl+C stops)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def export_dossier(out: Path = typer.Option(..., "--out", help="FILE.html or FILE.pdf (PDF through WeasyPrint)."),
                   include_withheld: bool = WITHHELD_OPT) -> None:
    """The dossier: determination and flips, a map, the incidents with their evidence and
    full citations, the statements, and an appendix of capture hashes and the ledger head."""
    from .report.dossier import write_dossier
    from .workspace import find_workspace

    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        _fail("--out: give a file ending in .html or .pdf")
    from . import cli

    try:
        ws = find_workspace(cli._state.get("workspace"))
    except Exception:
        ws = None
    with err.status(f"Writing {out}…"):
        path = write_dossier(_db_url(), out, include_withheld=include_withheld, workspace=ws)
    err.print(f"Wrote {path}")


def _export(kind: str):
    def command(path: Path = typer.Argument(..., help="The file to write ('-' for standard output)."),
                include_withheld: bool = WITHHELD_OPT) -> None:
        from .analyses import attribute_case
        from .report.exports import write_export

        case = _case(include_withheld)
        text = write_export(kind, case, {a["incident"]: a for a in attribute_case(case)})
        if str(path) == "-":
            sys.stdout.write(text)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        err.print(f"Wrote {path} ({len(case.incidents)} incidents{'' if include_withheld else ', public records only'})")

    command.__doc__ = {
        "geojson": "The incidents as GeoJSON: launch and impact points (with precision and radius) and the line between.",
        "csv": "The incidents as CSV, one row each, with places, weapons, the most likely operator and source URLs.",
        "timemap": "The case as Forensic Architecture's TimeMap data: events, sources and associations (JSON).",
    }[kind]
    return command


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    app.command("serve")(serve)
    export_app.command("dossier")(export_dossier)
    for kind in ("geojson", "csv", "timemap"):
        export_app.command(kind)(_export(kind))


__all__ = ["register"]
