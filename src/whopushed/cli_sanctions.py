"""The sanctions commands: `sanctions import`, `sanctions parity`, `sanctions formats`,
`sanctions programmes`. Parity is policy, kept apart from the legal determination."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

sanctions_app = typer.Typer(
    help="Sanctions lists (OFAC SDN, OpenSanctions, FollowTheMoney) and parity between the sanctions "
         "on the aggressor and on the territorial state: policy, not law.",
    no_args_is_help=True)

out = Console()
err = Console(stderr=True)
JSON_OPT = typer.Option(False, "--json", help="Print JSON (documented in docs/sanctions.md) instead of tables.")


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _open_store():
    from . import cli

    return cli._open_store()


@sanctions_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="A sanctions list file: OFAC SDN CSV, OpenSanctions targets.simple.csv, FollowTheMoney JSON lines."),
    format: str | None = typer.Option(None, "--format", help="ofac-sdn, opensanctions-simple or ftm (default: detected from the file)."),
    addresses: Path | None = typer.Option(None, "--addresses", help="OFAC's address file (default: the file beside the list, sdn -> add in its name)."),
    source: str | None = typer.Option(None, "--source", help="Store the targets under this source id (default: the format's, e.g. us-ofac-sdn)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import a sanctions list, streamed, in one transaction. A malformed row is reported
    with its line and the rest imported; importing the same file again changes nothing;
    targets a newer file no longer holds are marked delisted, never deleted."""
    from .sanctions.formats import FormatError
    from .sanctions.importer import import_file
    from .sanctions.store import SourceError

    store = _open_store()
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                      TimeRemainingColumn(), console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"Importing {file.name}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = import_file(store.engine, file, format, addresses, source, progress)
    except FormatError as exc:
        _fail(str(exc))
    except SourceError as exc:
        _fail(str(exc))
    finally:
        store.close()
    data = summary.as_json()
    if as_json:
        _emit(data)
        return
    _print_summary(data)


def _print_summary(data: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(data['file'])}[/] as {data['format']} (source {escape(data['source'])})"
              + (f", addresses from {escape(data['addresses'])}" if data["addresses"] else ""), highlight=False)
    table = Table(show_header=False, box=None)
    for label in ("read", "imported", "added", "updated", "unchanged", "delisted", "problem_count"):
        table.add_row("problems" if label == "problem_count" else label, str(data[label]))
    for skip in data["skipped"]:
        table.add_row("skipped", f"{skip['count']}: {escape(skip['reason'])}")
    out.print(table)
    for problem in data["problems"][:50]:
        where = f"{problem['file']}:{problem['line']}" if problem["line"] else problem["file"]
        err.print(f"[yellow]{escape(where)}[/]: {escape(problem['message'])}", highlight=False, soft_wrap=True)
    if data["problem_count"] > 50:
        err.print(f"... and {data['problem_count'] - 50} more problems (all in --json)", highlight=False)
    if data["unknown_programmes"]:
        out.print("Programmes not in the programme table (listed by `sanctions parity`): "
                  + escape(", ".join(data["unknown_programmes"])), highlight=False, soft_wrap=True)
    for note in data["notes"]:
        out.print(f"[dim]{escape(note)}[/]", highlight=False)


@sanctions_app.command("parity")
def parity_cmd(
    as_of: str | None = typer.Option(None, "--as-of", metavar="DATE", help="Count what was listed by this date (2022-03-01) where the source gives listing dates; it says where it cannot."),
    as_json: bool = JSON_OPT,
) -> None:
    """Parity: targets per jurisdiction and state by type and sector, targets tied to both
    states, the lag of each Belarus measure behind its Russian counterpart (from the case's
    sanctions measures) and the gaps. Policy, not law."""
    from .model import When
    from .sanctions import parity_report

    day = None
    if as_of is not None:
        try:
            latest = When(value=as_of).latest
        except ValueError as exc:
            _fail(f"--as-of: {exc}")
        if latest is None:
            _fail("--as-of: give a date with its year (2022-03-01)")
        day = latest.date()
    store = _open_store()
    try:
        data = parity_report(store, day)
    finally:
        store.close()
    if as_json:
        _emit(data)
        return
    _print_parity(data)


def _print_parity(data: dict[str, Any]) -> None:
    out.print(f"[bold]Sanctions parity[/] [dim]({escape(data['label'])})[/]", highlight=False, soft_wrap=True)
    table = Table(title="Targets tied to each state (distinct targets)")
    for col in ("jurisdiction", "state", "targets", "person", "company", "vessel", "aircraft", "other"):
        table.add_column(col, justify="left" if col in ("jurisdiction", "state") else "right")
    rows = [(j, blocks) for j, blocks in data["by_jurisdiction"].items()] + [("all", data["by_state"])]
    for j, blocks in rows:
        for state, block in blocks.items():
            table.add_row(j, state, str(block["targets"]), *(str(block["by_type"][t]) for t in
                                                            ("person", "company", "vessel", "aircraft", "other")))
    out.print(table)
    ratio = data["ratio_ru_to_by"]
    out.print(f"RU to BY: {ratio if ratio is not None else 'n/a (no BY targets)'}; "
              f"tied to both states: {data['both_states']['targets']}")
    if data["lags"]:
        lags = Table(title="Lag of each Belarus measure behind its Russian counterpart (case measures)")
        for col in ("measure", "jurisdiction", "russia", "belarus", "days", "title"):
            lags.add_column(col, overflow="fold")
        for lag in data["lags"]:
            lags.add_row(lag["measure"], lag["jurisdiction"], lag["russia_date"], lag["belarus_date"],
                         str(lag["days"]), escape(lag["title"]))
        out.print(lags)
    for u in data["undated"]:
        out.print(f"[dim]undated {u['measure']}: {escape(u['why'])}[/]", highlight=False, soft_wrap=True)
    if data["gaps"]:
        gaps = Table(title="Gaps: present for one state, absent for the other")
        for col in ("measure", "jurisdiction", "present for", "absent for", "targets / why"):
            gaps.add_column(col, overflow="fold")
        for g in data["gaps"][:40]:
            gaps.add_row(escape(g["measure"]), g["jurisdiction"], g["present_for"], g["absent_for"],
                         str(g.get("targets") or g.get("why", "")))
        out.print(gaps)
        if len(data["gaps"]) > 40:
            out.print(f"... and {len(data['gaps']) - 40} more gaps (all in --json)")
    if data["unknown_programmes"]:
        out.print("Programmes not in the programme table: " + escape(", ".join(
            f"{u['programme']} ({u['targets']})" for u in data["unknown_programmes"])), highlight=False, soft_wrap=True)
    if data["as_of"]:
        for n in data["as_of"]["not_applied"]:
            out.print(f"[dim]--as-of not applied to {n['targets']} targets of {escape(n['source'])}: "
                      f"{escape(n['why'])}[/]", highlight=False, soft_wrap=True)


@sanctions_app.command("formats")
def formats_cmd(as_json: bool = JSON_OPT) -> None:
    """The list formats `sanctions import` reads (mapping files in sanctions/formats/)."""
    from .sanctions.formats import formats

    rows = [{"name": f.name, "title": f.title, "source": f.source, "jurisdiction": f.jurisdiction}
            for f in formats().values()]
    if as_json:
        _emit(rows)
        return
    for r in rows:
        out.print(f"[bold]{r['name']}[/]: {escape(r['title'])} (source {r['source']})", highlight=False)


@sanctions_app.command("programmes")
def programmes_cmd(as_json: bool = JSON_OPT) -> None:
    """The programme table: which state's conduct each programme answers, and why."""
    from .sanctions.programmes import load_programmes

    rows = [{"programme": p.code, "jurisdiction": p.jurisdiction, "state": p.state, "reading": p.reading}
            for p in load_programmes().values()]
    if as_json:
        _emit(rows)
        return
    table = Table(title=f"{len(rows)} programmes")
    for col in ("programme", "jurisdiction", "state", "reading"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["programme"], r["jurisdiction"], r["state"] or "—", escape(r["reading"]))
    out.print(table)
