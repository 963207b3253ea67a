"""The `whopushed` command line. Every command that reports has --json for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .ingest.casefile import read_case, write_case
from .ingest.errors import InputError
from .model import When
from .workspace import WorkspaceError, init_workspace, resolve_db

app = typer.Typer(
    help="Who launched a strike from one state's territory against another: preserved "
         "evidence, claims by their parties, incidents, and what follows in law.\n\n"
         "Start with 'whopushed init' in a folder, then 'whopushed import case cases/belarus'.",
    no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False, add_completion=False,
    epilog="Examples:\n\n  whopushed init && whopushed import case cases/belarus\n\n"
           "  whopushed incidents --launched-from BY --since 2022-06\n\n"
           "  whopushed show INC-04 ; whopushed search Мозырь ; whopushed statements --speaker lukashenka\n\n"
           "Docs: docs/user-guide.md, docs/case-format.md, docs/json.md")
import_app = typer.Typer(help="Bring records into the workspace.", no_args_is_help=True)
case_app = typer.Typer(help="Work with case files (YAML) without a workspace.", no_args_is_help=True)
export_app = typer.Typer(help="Write the workspace out.", no_args_is_help=True)
from .cli_ach import ach_app  # noqa: E402  (the ach commands live in their own module)

app.add_typer(ach_app, name="ach", help="Score an ACH matrix from a CSV file (Heuer, PARC, posterior).")
from .cli_ledger import claim_app, ledger_app, register as register_ledger  # noqa: E402  (the ledger's commands)

app.add_typer(ledger_app, name="ledger")
app.add_typer(claim_app, name="claim")
register_ledger(app)  # verify, capture
from .cli_web import register as register_web  # noqa: E402  (serve; export dossier|geojson|csv|timemap)

register_web(app, export_app)
from .cli_sanctions import sanctions_app  # noqa: E402  (the sanctions commands)
app.add_typer(sanctions_app, name="sanctions")
from .cli_corpus import register as register_corpus  # noqa: E402  (import csv/telegram, detect)

register_corpus(app, import_app)
app.add_typer(import_app, name="import")
app.add_typer(case_app, name="case")
app.add_typer(export_app, name="export")

out = Console()
err = Console(stderr=True)
_state: dict[str, Any] = {"workspace": None, "db": None}

JSON_OPT = typer.Option(False, "--json", help="Print JSON (documented in docs/json.md) instead of tables.")


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def _open_store():
    from .store import Store

    try:
        return Store.open(resolve_db(_state["workspace"], _state["db"]))
    except WorkspaceError as exc:
        _fail(str(exc))


def _time_bound(text: str | None, side: str):
    if text is None:
        return None
    try:
        earliest, latest, _ = When(value=text).bounds()
    except ValueError as exc:
        _fail(f"--{side}: {exc}")
    return earliest if side == "since" else latest


@app.callback()
def main_callback(
    workspace: Optional[str] = typer.Option(None, "--workspace", "-w", envvar="WHOPUSHED_WORKSPACE",
                                            help="Workspace folder (default: this folder or the nearest above with .whopushed/)."),
    db: Optional[str] = typer.Option(None, "--db", envvar="WHOPUSHED_DB",
                                     help="SQLAlchemy database URL, e.g. postgresql+psycopg://user@host/db (default: the workspace's SQLite file)."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        out.print(f"whopushed {__version__}")
        raise typer.Exit()
    _state["workspace"], _state["db"] = workspace, db


@app.command()
def init(directory: Optional[Path] = typer.Argument(None, help="Folder to make a workspace (default: $WHOPUSHED_WORKSPACE or this folder).")) -> None:
    """Create a workspace: a folder holding the database and, later, the evidence blobs."""
    from .store import Store

    folder = directory or Path(_state["workspace"] or ".")
    try:
        ws, created = init_workspace(folder, _state["db"])
    except WorkspaceError as exc:
        _fail(str(exc))
    Store.open(ws.db_url).close()
    verb = "Created" if created else "Reopened"
    out.print(f"{verb} workspace [bold]{ws.root}[/] (database: {ws.db_url})")
    out.print("Next: [bold]whopushed import case cases/belarus[/]")


@case_app.command("validate")
def case_validate(path: Path = typer.Argument(..., help="A case folder or file."), as_json: bool = JSON_OPT) -> None:
    """Check case files: syntax, fields, grades, ids and references. Exit 1 on any problem."""
    try:
        case = read_case(path)
    except InputError as exc:
        if as_json:
            _emit_json({"valid": False, "problems": [vars(i) for i in exc.issues]})
        else:
            sys.stderr.write(exc.render() + "\n")
            err.print(f"[red]{len(exc.issues)} problem(s); nothing was imported.[/]")
        raise typer.Exit(1)
    if as_json:
        _emit_json({"valid": True, "case": case.case.id, "counts": case.counts()})
    else:
        out.print(f"[green]valid[/]: case {case.case.id} — " +
                  ", ".join(f"{n} {k}" for k, n in case.counts().items()))


@case_app.command("schema")
def case_schema() -> None:
    """Print the JSON Schema of case files (published as docs/case.schema.json)."""
    from .model import case_json_schema

    _emit_json(case_json_schema())


@import_app.command("case")
def import_case(path: Path = typer.Argument(..., help="A case folder (cases/belarus) or one YAML file."),
                as_json: bool = JSON_OPT) -> None:
    """Import case files in one transaction: a bad file changes nothing; importing the same
    case again changes nothing either."""
    try:
        case = read_case(path)
    except InputError as exc:
        sys.stderr.write(exc.render() + "\n")
        _fail(f"{len(exc.issues)} problem(s) in {path}; nothing was imported.", 1)
    store = _open_store()
    from .cli_ledger import workspace_signer

    store.signer = workspace_signer()  # with a workspace key, the import signs a head covering it
    try:
        with err.status(f"Importing {path}…"):
            report = store.import_case(case)
    finally:
        store.close()
    if as_json:
        _emit_json({"case": case.case.id, "added": report.added, "unchanged": report.unchanged,
                    "updated": report.updated, "changed_ids": report.changed_ids})
        return
    table = Table(title=f"Imported case {case.case.id}")
    for col in ("collection", "added", "updated", "unchanged"):
        table.add_column(col, justify="left" if col == "collection" else "right")
    for name in case.counts():
        table.add_row(name, str(report.added.get(name, 0)), str(report.updated.get(name, 0)),
                      str(report.unchanged.get(name, 0)))
    out.print(table)


@app.command()
def incidents(
    launched_from: Optional[str] = typer.Option(None, "--launched-from", metavar="ISO2",
                                                help="Only launch incidents launched from this territory (ISO 3166 code, SEA or AIR)."),
    since: Optional[str] = typer.Option(None, help="Only incidents that may have happened on or after this (2022, 2022-06, 2022-06-25)."),
    until: Optional[str] = typer.Option(None, help="Only incidents that may have happened on or before this."),
    kind: Optional[str] = typer.Option(None, help="launch, sortie, base_activity or other."),
    include_excluded: bool = typer.Option(False, "--include-excluded", help="Also list strikes checked and excluded."),
    as_json: bool = JSON_OPT,
) -> None:
    """List incidents, oldest first, each with the sources that report it."""
    from .views import Lookup, incident_json

    territory = launched_from.upper() if launched_from else None
    store = _open_store()
    try:
        found = store.incidents(launched_from=territory, since=_time_bound(since, "since"),
                                until=_time_bound(until, "until"), kind=kind,
                                include_excluded=include_excluded)
        look = Lookup(store.get)
        rows = [incident_json(i, store.claims(incident=i.id), look) for i in found]
    finally:
        store.close()
    if as_json:
        _emit_json(rows)
        return
    table = Table(title=f"{len(rows)} incident(s)", show_lines=False)
    for col in ("id", "when", "kind", "from", "weapons", "title", "sources"):
        table.add_column(col, overflow="fold")
    for r in rows:
        cited = sum(1 for s in r["sources"] if s["preservation"] == "citation-only")
        table.add_row(r["id"], r["when"]["value"], r["kind"], r["launch_territory"] or "?",
                      ", ".join(r["weapons"]), r["title"] + (" [dim](excluded)[/]" if r["excluded"] else ""),
                      f"{len(r['sources'])} ({cited} citation-only)")
    out.print(table)


@app.command()
def show(record_id: str = typer.Argument(..., metavar="ID", help="Any record id: INC-04, ST-12, cap-001, act-lukashenka..."),
         as_json: bool = JSON_OPT) -> None:
    """Show one record in full: an incident with its claims, parties, grades and sources."""
    from .views import Lookup, record_json

    store = _open_store()
    try:
        found = store.get(record_id)
        if found is None:
            _fail(f"no record with id '{record_id}'; try 'whopushed search {record_id}'", 1)
        collection, rec = found
        claims = store.claims(incident=rec.id) if collection == "incidents" else None
        classification = None
        if collection == "statements":
            from .analyses import classifications

            classification = classifications(store.export_case()).get(rec.id)
        data = record_json(collection, rec, Lookup(store.get), claims, classification)
    finally:
        store.close()
    if as_json:
        _emit_json(data)
        return
    from .report.terminal import print_record

    print_record(out, data)


def _speaker_chains(look, speakers: set[str]) -> dict:
    """The speakers and every actor above them (part_of): what stance rules need to know."""
    from .model import Actor

    actors: dict = {}
    todo = list(speakers)
    while todo:
        rid = todo.pop()
        actor = look.record(rid) if rid not in actors else None
        if isinstance(actor, Actor):
            actors[rid] = actor
            if actor.part_of:
                todo.append(actor.part_of)
    return actors


@app.command()
def statements(speaker: Optional[str] = typer.Option(None, help="Actor id, or part of a name in any script (Лукашенко, lukashenka)."),
               contradictions: bool = typer.Option(False, "--contradictions", help="List the pairs of one speaker's statements whose stances cannot both be true."),
               rules_path: Optional[Path] = typer.Option(None, "--rules", help="Your own stance rule file (see docs/statements.md)."),
               as_json: bool = JSON_OPT) -> None:
    """Official statements over time, with speaker, stances (by rule or by override) and
    sources; with --contradictions, the statements of one speaker that cannot both be true.

    Stances come from the rules of reason/rules/stances.yaml, or a statement's own
    `stances:` in the case file."""
    from .reason.stances import StanceRuleError, StanceRules, classify
    from .reason.stances import contradictions as find_contradictions
    from .rulefiles import load_yaml
    from .views import Lookup, contradiction_json, statement_json

    try:
        rules = StanceRules.from_dict(load_yaml("stances.yaml", rules_path), name=str(rules_path or "stances.yaml"))
    except (OSError, StanceRuleError) as exc:
        _fail(str(exc))
    except Exception as exc:  # a YAML syntax error in the user's file
        _fail(f"{rules_path}: {exc}")
    store = _open_store()
    try:
        meta = store.case_meta()
        look = Lookup(store.get)
        found = store.statements(speaker=speaker) if meta else []
        cls = classify(found, _speaker_chains(look, {s.speaker for s in found}), meta.territorial_state,
                       rules, meta.aggressor_state) if meta else {}
        if contradictions:
            by_id = {s.id: s for s in found}
            rows = [contradiction_json(c, by_id, cls, look) for c in find_contradictions(found, cls, rules)]
        else:
            rows = [statement_json(s, look, cls.get(s.id)) for s in found]
    finally:
        store.close()
    if as_json:
        _emit_json(rows)
        return
    if contradictions:
        _print_contradictions(rows)
        return
    table = Table(title=f"{len(rows)} statement(s)")
    for col in ("id", "when", "speaker", "stances", "by", "quote"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["made"]["value"], r["speaker"]["name"], "\n".join(r["stances"]) or "—",
                      r["stance_source"], r["quote"][:220] + ("…" if len(r["quote"]) > 220 else ""))
    out.print(table)


def _print_contradictions(rows: list[dict]) -> None:
    if not rows:
        out.print("No contradictions: no speaker's statements take stances the rules declare incompatible.")
        return
    out.print(f"{len(rows)} contradiction(s) between statements of one speaker\n", markup=False, highlight=False)
    for r in rows:
        out.print(f"{r['speaker']['name']}: {r['first']['id']} {r['stances'][0]} vs "
                  f"{r['second']['id']} {r['stances'][1]}", style="bold", markup=False, highlight=False)
        out.print(f"  {r['why']}", style="dim", markup=False, highlight=False, soft_wrap=True)
        for side in ("first", "second"):
            st = r[side]
            out.print(f"  {st['made']['value']}  {st['id']}  ({', '.join(st['stances'])}, by {st['stance_source']})",
                      markup=False, highlight=False)
            out.print(f"    “{st['quote']}”", markup=False, highlight=False, soft_wrap=True)
            if st["rendering_en"]:
                out.print(f"    ({st['rendering_en']})", style="dim", markup=False, highlight=False, soft_wrap=True)
            for src in st["sources"]:
                out.print(f"    source: {src.get('url') or src.get('capture')} ({src.get('publisher', '')})",
                          markup=False, highlight=False, soft_wrap=True)
        out.print()


@app.command()
def search(text: str = typer.Argument(..., help="Words in any script: Мозырь, Mazyr and Mozyr find each other."),
           limit: int = typer.Option(50, min=1, max=1000), as_json: bool = JSON_OPT) -> None:
    """Full-text search over claims, captures, statements, incidents and actors."""
    store = _open_store()
    try:
        hits = store.search(text, limit=limit)
    finally:
        store.close()
    if as_json:
        _emit_json([{"collection": h.collection, "id": h.record_id, "field": h.field,
                     "snippet": h.snippet, "rank": h.rank} for h in hits])
        return
    table = Table(title=f"{len(hits)} match(es) for {text!r}")
    for col in ("collection", "id", "field", "snippet"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(h.collection, h.record_id, h.field, h.snippet)
    out.print(table, markup=False)


@export_app.command("case")
def export_case(directory: Path = typer.Argument(..., help="Folder to write the case files into."),
                as_json: bool = JSON_OPT) -> None:
    """Write the workspace back out as case files. Importing them into an empty workspace
    reproduces it exactly, so this is also the backup."""
    store = _open_store()
    try:
        case = store.export_case()
    finally:
        store.close()
    files = write_case(case, directory)
    if as_json:
        _emit_json({"case": case.case.id, "files": [str(f) for f in files], "counts": case.counts()})
    else:
        out.print(f"Wrote {len(files)} files to {directory} (" +
                  ", ".join(f"{n} {k}" for k, n in case.counts().items()) + ")")


def _rule_files(load, path: Path | None):
    """A rule file, shipped or the user's: a broken one is refused, never replaced."""
    from .reason.rulebook import RulebookError
    from .reason.rules import RuleError

    try:
        return load(path)
    except (OSError, RuleError, RulebookError) as exc:
        _fail(str(exc))
    except Exception as exc:  # a YAML syntax error in the user's file
        _fail(f"{path}: {exc}")


@app.command()
def attribute(
    record_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="One incident id (or use --all)."),
    all_: bool = typer.Option(False, "--all", help="Every incident that is not checked and excluded."),
    rules_path: Optional[Path] = typer.Option(None, "--rules", help="Your own attribution rule file (see docs/attribution.md)."),
    prior: Optional[str] = typer.Option(None, help="Prior over the hypotheses, e.g. H-BY=0.2,H-RU=0.6,H-OTHER=0.2 (default: uniform)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Who operated the launcher: each incident's claims weighed against the hypotheses
    (ACH with a Bayesian posterior), with the linchpins and the claims behind every cell.

    Claims become cells through the rules of reason/rules/attribution.yaml; claims that
    share an origin (one party repeated, a repost, one capture cited twice) count once."""
    from .analyses import attribute_case, attribution_rules
    from .reason.ach import parse_prior

    if bool(record_id) == all_:
        _fail("name one incident ID or pass --all")
    _rule_files(attribution_rules, rules_path)
    store = _open_store()
    try:
        case = store.export_case()
    finally:
        store.close()
    if record_id and record_id not in {i.id for i in case.incidents}:
        _fail(f"no incident with id '{record_id}'; list them with 'whopushed incidents'", 1)
    try:
        weights = parse_prior(prior, [h.id for h in case.case.operator_hypotheses()]) if prior else None
    except ValueError as exc:
        _fail(f"--prior: {exc}")
    rows = attribute_case(case, rules_path, weights, only=[record_id] if record_id else None)
    if as_json:
        _emit_json(rows if all_ else rows[0])
        return
    from .report.terminal import print_assessment, print_assessments

    if all_:
        print_assessments(out, rows)
    else:
        print_assessment(out, rows[0])


@app.command()
def determine(
    rulebook_path: Optional[Path] = typer.Option(None, "--rulebook", help="Your own rulebook (see docs/rulebook.md); a broken one is refused."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help="Weigh only what had been published by this date (2022-03-01), and say what differs from today."),
    as_json: bool = JSON_OPT,
) -> None:
    """What follows in law: each conclusion (party to the conflict, aggression under Art. 3(f),
    aid or assistance under Art. 16, occupation, state responsibility) and, apart, the policy
    output on sanctions, with the standard each meets, the premises, the evidence down to
    source URLs, and the single findings that would change the answer (the flips)."""
    from .analyses import determine_case, rulebook

    _rule_files(rulebook, rulebook_path)
    if as_of:
        _time_bound(as_of, "as-of")
    store = _open_store()
    try:
        case = store.export_case()
    finally:
        store.close()
    data = determine_case(case, rulebook_path, as_of)
    if as_json:
        _emit_json(data)
        return
    from .report.terminal import print_determination

    print_determination(out, data)


@app.command()
def demo(out_dir: Path = typer.Option(Path("out"), "--out", help="Where to write the workspace and index.html."),
         case_path: Optional[Path] = typer.Option(None, "--case", help="Case folder (default: the bundled cases/belarus)."),
         as_json: bool = JSON_OPT) -> None:
    """The main job on the bundled Belarus case: a workspace, the import, every analysis,
    a summary here and a static overview in OUT/index.html."""
    from .demo import run_demo

    try:
        run_demo(out_dir, case_path, console=out, as_json=as_json)
    except InputError as exc:
        sys.stderr.write(exc.render() + "\n")
        _fail("the case does not validate", 1)


def main() -> None:
    from .store import StoreError

    try:
        app()
    except WorkspaceError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(2)
    except StoreError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(1)
