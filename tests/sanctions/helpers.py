"""Driving `whopushed sanctions ...` in-process against a database URL."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from whopushed.cli import app

runner = CliRunner()


def cli(*args, db: str, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args], env={"WHOPUSHED_DB": db}, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def cli_json(*args, db: str):
    return json.loads(cli(*args, "--json", db=db).stdout)
