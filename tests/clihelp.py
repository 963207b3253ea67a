"""Driving the CLI in-process against a database URL, as the CLI tests do."""

import json
from pathlib import Path

from typer.testing import CliRunner

from whopushed.cli import app

ROOT = Path(__file__).parents[1]
BELARUS = ROOT / "cases" / "belarus"
runner = CliRunner()


def cli(*args, db, ok=True):
    """Run `whopushed ARGS` with WHOPUSHED_DB=db; by default the run must succeed."""
    result = runner.invoke(app, [str(a) for a in args], env={"WHOPUSHED_DB": db}, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def cli_json(*args, db):
    return json.loads(cli(*args, "--json", db=db).stdout)
