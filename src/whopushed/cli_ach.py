"""`whopushed ach`: score an Analysis of Competing Hypotheses matrix from a CSV file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .ingest.achcsv import read_matrix
from .ingest.errors import InputError, InputIssue
from .reason.ach import TIE_TOLERANCE, AchResult, Matrix, parse_prior, score

HELP = (
    "Analysis of Competing Hypotheses (ACH): weigh items of evidence against competing "
    "answers to one question, such as who operated a launcher.\n\n"
    "A matrix is a CSV file: one row per item of evidence, one column per hypothesis. "
    "Each cell says how the evidence fits the hypothesis: CC very consistent, C consistent, "
    "N neutral, I inconsistent, II very inconsistent; NA (not applicable) or empty (not "
    "rated) count as N.\n\n"
    "Each row has a credibility: high, medium, low, or an Admiralty code (A-B high, C medium, "
    "D-E low; 1-2 high, 3 medium, 4-5 low; F and 6 'cannot be judged' count as medium and "
    "are flagged; a pair such as B3 takes the lower part). And a relevance: high, medium or "
    "low.\n\n"
    "Three scores, side by side. Inconsistency (Heuer): I = 1 point, II = 2; lower is better. "
    "Weighted (PARC): each I or II weighted by credibility and relevance; nearer 0 is better. "
    "Posterior: each cell a likelihood (CC 0.9, C 0.7, N 0.5, I 0.3, II 0.1) shrunk toward "
    "0.5 for less credible rows, rows combined as independent evidence; the ranking follows "
    "it. A row is a linchpin when, without it, another hypothesis would come out on top: "
    "check those first.\n\n"
    "Example: rows 'II,C' and 'I,C' against H1,H2 give H1 inconsistency 3, H2 0, and H2 the "
    "higher posterior.\n\n"
    "  whopushed ach score matrix.csv --prior H1=0.2,H2=0.8 --json\n\n"
    "Format and definitions: docs/ach.md"
)

SCORE_HELP = (
    "Score MATRIX.csv and rank its hypotheses, most likely first.\n\n"
    "The header is evidence,description,credibility,relevance, then one column per "
    "hypothesis headed by its id. For example:\n\n"
    "  evidence,description,credibility,relevance,H1,H2\n\n"
    "  A,Russian crew filmed at the launcher,B2,high,II,C\n\n"
    "  B,Ministry denies any launch,credible,medium,C,N\n\n"
    "Prints, per hypothesis, the posterior, inconsistency, weighted score and whether it is "
    "unrated (no cell other than NA or empty); per row, its diagnosticity (how far apart the "
    "row sets the hypotheses: 0 for a row rated alike everywhere), whether it is a linchpin "
    "and the top hypothesis without it. A problem in the file is reported with its line and "
    "column, and nothing is scored (exit code 1)."
)

ach_app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode="rich",
                      add_completion=False, pretty_exceptions_enable=False)


@ach_app.callback()
def _ach_group() -> None:
    # A callback keeps `score` a named subcommand when ach_app runs on its own.
    pass


def _fail(err: InputError) -> None:
    sys.stderr.write(err.render() + "\n")
    raise typer.Exit(1)


def _fmt(x: float, digits: int = 4) -> str:
    text = f"{x:.{digits}f}"
    return "0" if float(text) == 0 else text  # no "-0.0000"


def _print_tables(matrix: Matrix, result: AchResult) -> None:
    out = Console()
    by_id = {h.id: h for h in result.hypotheses}
    table = Table(title="Hypotheses, most likely first", title_justify="left")
    for col, kw in (("rank", {"justify": "right"}), ("hypothesis", {}), ("posterior", {"justify": "right"}),
                    ("inconsistency", {"justify": "right"}), ("weighted", {"justify": "right"}),
                    ("unrated", {})):
        table.add_column(col, **kw)
    for rank, hid in enumerate(result.ranking, start=1):
        h = by_id[hid]
        table.add_row(str(rank), Text(h.id), _fmt(h.posterior), str(h.inconsistency),
                      _fmt(h.weighted, 3), "unrated" if h.unrated else "")
    out.print(table)

    ev = Table(title="Evidence", title_justify="left",
               caption="diag: diagnosticity (0 = rated alike for every hypothesis); "
                       "top w/o: the most likely hypothesis without the row; "
                       "F/6: the grade cannot be judged, counted as medium",
               caption_justify="left")
    ev.add_column("evidence", overflow="fold", ratio=1)
    ev.add_column("description", overflow="fold", ratio=3)
    for col, kw in (("cred", {}), ("rel", {}), ("diag", {"justify": "right"}), ("linchpin", {})):
        ev.add_column(col, no_wrap=True, **kw)
    ev.add_column("top w/o", overflow="fold", ratio=1)
    for row, e in zip(matrix.rows, result.evidence):
        cred = row.credibility + (" F/6" if row.cannot_be_judged else "")
        ev.add_row(Text(e.id), Text(row.description), cred, row.relevance, _fmt(e.diagnosticity, 3),
                   "LINCHPIN" if e.linchpin else "", Text(e.top_without))
    out.print(ev)
    linchpins = [e.id for e in result.evidence if e.linchpin]
    note = f"Most likely: {result.ranking[0]}."
    tied = [hid for hid in result.ranking[1:]
            if by_id[result.ranking[0]].posterior - by_id[hid].posterior <= TIE_TOLERANCE]
    if tied:
        note += f" Tied with {', '.join(tied)}; the earlier column is listed first."
    note += (f" Linchpins (re-check these first): {', '.join(linchpins)}." if linchpins
             else " No single row, removed, changes the most likely hypothesis.")
    out.print(Text(note))


@ach_app.command("score", help=SCORE_HELP)
def score_command(
    matrix_path: Path = typer.Argument(..., metavar="MATRIX.csv", show_default=False,
                                       help="The matrix: evidence,description,credibility,relevance,H1,H2,..."),
    prior: Optional[str] = typer.Option(None, "--prior", metavar="H1=0.2,H2=0.8",
                                        help="Prior weights naming every hypothesis once (normalised to sum 1); "
                                             "default: uniform."),
    as_json: bool = typer.Option(False, "--json",
                                 help='Print {"hypotheses": [...], "evidence": [...], "ranking": [...]} '
                                      "(docs/ach.md) instead of tables."),
) -> None:
    try:
        matrix = read_matrix(matrix_path)
        prior_map = None
        if prior is not None:
            try:
                prior_map = parse_prior(prior, matrix.hypotheses)
            except ValueError as exc:
                raise InputError([InputIssue("--prior", None, None, None, str(exc))]) from None
    except InputError as err:
        _fail(err)
    result = score(matrix, prior_map)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_tables(matrix, result)
