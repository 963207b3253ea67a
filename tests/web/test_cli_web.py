"""`whopushed serve` starts the web workspace on the address it is given."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from whopushed.cli import app as cli_app

WHOPUSHED = [sys.executable, "-c", "from whopushed.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_answers_on_loopback_and_read_only_says_so(belarus_db):
    port = _free_port()
    proc = subprocess.Popen([*WHOPUSHED, "--db", belarus_db, "serve", "--port", str(port), "--read-only"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        body = _get(f"http://127.0.0.1:{port}/api/case", time.monotonic() + 30)
        assert json.loads(body)["read_only"] is True
        assert b"public view" in _get(f"http://127.0.0.1:{port}/", time.monotonic() + 5)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in err


def test_serve_help_names_host_port_and_read_only():
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--read-only"):
        assert option in result.output


def test_export_dossier_refuses_a_file_it_cannot_write_as_html_or_pdf(belarus_db, tmp_path: Path):
    result = CliRunner().invoke(cli_app, ["--db", belarus_db, "export", "dossier", "--out", str(tmp_path / "d.docx")])
    assert result.exit_code == 2 and not (tmp_path / "d.docx").exists()
