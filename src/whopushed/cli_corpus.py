"""The corpus commands: `import csv` (event datasets with a mapping), `import telegram`
(Telegram Desktop exports) and `detect` (launch reports in messages). Registered on the
main app by cli.py; they share its workspace options and output helpers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

JSON_OPT = typer.Option(False, "--json", help="Print JSON (documented in docs/mappings.md and docs/conventions.md) instead of tables.")


def _cli():
    from . import cli  # late: cli imports this module while it is being built

    return cli


def _progress(total: int, what: str) -> Progress:
    cli = _cli()
    return Progress(TextColumn(f"[bold]{what}[/]"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                    console=cli.err, transient=True, disable=not cli.err.is_terminal)


def import_csv_command(
    file: Path = typer.Argument(..., help="The CSV file of an event dataset."),
    mapping: str = typer.Option(..., "--mapping", "-m", metavar="NAME|PATH",
                                help="A shipped mapping (missile-attacks, acled) or a mapping file (see docs/mappings.md)."),
    batch_rows: int = typer.Option(5000, "--batch-rows", min=1, help="Rows per transaction."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import an event dataset: each row becomes one incident with one launch claim by the
    dataset's publisher. Malformed rows are skipped and reported with their line; rows
    imported before a problem stay; importing the same file again changes nothing."""
    from .ingest.csvmap import MappingError, import_csv, load_mapping
    from .ingest.errors import InputError

    cli = _cli()
    try:
        m = load_mapping(mapping)
    except InputError as exc:
        cli._fail(exc.render())
    if not file.is_file():
        cli._fail(f"{file}: no such file")
    store = cli._open_store()
    try:
        with _progress(file.stat().st_size, f"Importing {file.name}") as bar:
            task = bar.add_task("csv", total=file.stat().st_size)
            report = import_csv(store, file, m, batch_rows=batch_rows,
                                progress=lambda done: bar.update(task, completed=done))
    except MappingError as exc:
        cli._fail(f"{exc.render()}\nnothing was imported.")
    finally:
        store.close()
    data = report.as_json()
    if as_json:
        cli._emit_json(data)
    else:
        _print_csv_report(data)
    if report.stopped is not None:
        raise typer.Exit(1)


def _print_csv_report(data: dict[str, Any]) -> None:
    cli = _cli()
    out = cli.out
    added = data["added"].get("incidents", 0)
    updated = data["updated"].get("incidents", 0)
    unchanged = data["unchanged"].get("incidents", 0)
    out.print(f"[bold]{data['file']}[/] with mapping [bold]{data['mapping']}[/] into case {data['case']}",
              highlight=False)
    table = Table(show_header=False, box=None)
    table.add_row("rows read", str(data["read"]))
    table.add_row("imported", f"{data['imported']} ({added} new, {updated} updated, {unchanged} unchanged)")
    table.add_row("filtered out", str(data["filtered"]))
    table.add_row("skipped (malformed)", str(data["skipped"]))
    table.add_row("warnings", str(len(data["warnings"])))
    out.print(table)
    for reason, n in sorted(data["filtered_reasons"].items(), key=lambda x: -x[1])[:10]:
        out.print(f"  filtered: {n} × {reason}", markup=False, highlight=False)
    for row in data["skipped_rows"][:20]:
        col = f" [{row['column']}]" if row["column"] else ""
        out.print(f"  skipped line {row['line']}{col}: {row['message']}", markup=False, highlight=False)
    if data["skipped"] > 20:
        out.print(f"  … {data['skipped'] - 20} more skipped (see --json)", highlight=False)
    for row in data["warnings"][:10]:
        out.print(f"  warning line {row['line']}: {row['message']}", markup=False, highlight=False)
    if data["stopped"]:
        cli.err.print(f"[bold red]stopped[/] at line {data['stopped']['line']}: {data['stopped']['message']}",
                      highlight=False)


def import_telegram_command(
    files: list[Path] = typer.Argument(..., help="Telegram Desktop exports (result.json), one chat or a whole account."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import every message of Telegram Desktop exports as a capture. In a workspace each is
    preserved: its canonical JSON is stored as a blob (SHA-256) and logged; with only --db,
    captures are citation-only by their t.me link. Edits are new versions; importing the same
    export again changes nothing; conflicts and unreadable parts are reported with their
    position, and what came before them is kept."""
    from .ingest.telegram import import_telegram
    from .ledger.blobs import FileBlobStore
    from .workspace import WorkspaceError, find_workspace

    cli = _cli()
    for f in files:
        if not f.is_file():
            cli._fail(f"{f}: no such file")
    blobs = None
    if not (cli._state.get("db") or os.environ.get("WHOPUSHED_DB")):
        try:
            ws = find_workspace(cli._state.get("workspace"))
        except WorkspaceError as exc:
            cli._fail(str(exc))
        if ws is not None:
            blobs = FileBlobStore(ws.state_dir / "blobs")
    store = cli._open_store()
    try:
        total = sum(f.stat().st_size for f in files)
        with _progress(total, "Importing messages") as bar:
            task = bar.add_task("telegram", total=None)
            result = import_telegram(store, files, blobs=blobs, progress=lambda: bar.advance(task))
    finally:
        store.close()
    data = result.as_json()
    if as_json:
        cli._emit_json(data)
    else:
        _print_telegram_report(data)
    if any(f["stopped"] for f in data["files"]) or data["refused"]:
        raise typer.Exit(1)


def _print_telegram_report(data: dict[str, Any]) -> None:
    cli = _cli()
    out = cli.out
    caps = data["captures"]
    kind = "preserved (blobs)" if data["preserved"] else "citation-only (no workspace: --db)"
    out.print(f"Captures into case {data['case']}: {caps['added']} new, {caps['unchanged']} unchanged, "
              f"{caps['updated']} updated; {kind}", highlight=False)
    for f in data["files"]:
        out.print(f"[bold]{f['file']}[/]: {f['read']} read, {f['messages']} messages, {f['duplicates']} duplicates, "
                  f"{len(f['conflicts'])} conflicts, {len(f['disagreements'])} text disagreements, "
                  f"{len(f['skipped'])} skipped", highlight=False)
        for kind_, rows in (("conflict", f["conflicts"]), ("text", f["disagreements"]), ("skipped", f["skipped"])):
            for r in rows[:20]:
                out.print(f"  {kind_} at {r['position']}: {r['message']}", markup=False, highlight=False)
        if f["stopped"]:
            cli.err.print(f"  stopped at {f['stopped']['position']}: {f['stopped']['message']}", markup=False,
                          highlight=False)
    for r in data["refused"]:
        cli.err.print(f"  refused {r['capture']}: {r['message']}", markup=False, highlight=False)


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add the corpus commands: `import csv`, `import telegram` on import_app, `detect` on app."""
    import_app.command("csv")(import_csv_command)
    import_app.command("telegram")(import_telegram_command)
