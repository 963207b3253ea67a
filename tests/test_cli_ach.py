"""`whopushed ach score` end to end: what a user types, what they get, and clean refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whopushed.cli_ach import ach_app
from whopushed.ingest.achcsv import MAX_FILE_BYTES, read_matrix
from whopushed.ingest.errors import InputError

FIXTURES = Path(__file__).parent / "reason" / "fixtures"
SAMPLE = FIXTURES / "osach_sample.csv"
HEADER = "evidence,description,credibility,relevance,H1,H2\n"
runner = CliRunner()


def ach(*args):
    return runner.invoke(ach_app, [str(a) for a in args], catch_exceptions=False)


def write(tmp_path, text, name="m.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# --- scoring ------------------------------------------------------------------------------

def test_score_json_of_the_open_source_ach_sample_gives_6_and_0_and_h2_on_top():
    result = ach("score", SAMPLE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["hypotheses", "evidence", "ranking"]
    incons = {h["id"]: h["inconsistency"] for h in data["hypotheses"]}
    assert incons == {"H1": 6, "H2": 0}
    assert data["ranking"] == ["H2", "H1"]
    assert [e["id"] for e in data["evidence"]] == ["A", "B", "C", "D"]
    assert set(data["evidence"][0]) == {"id", "diagnosticity", "linchpin", "top_without"}
    assert sum(h["posterior"] for h in data["hypotheses"]) == pytest.approx(1)


def test_score_json_prints_full_precision_floats():
    data = json.loads(ach("score", SAMPLE, "--json").stdout)
    from whopushed.reason.ach import score
    expected = score(read_matrix(SAMPLE)).to_json()
    assert data == expected  # floats survive the round trip bit for bit


def test_score_json_runs_as_a_subprocess_too():
    out = subprocess.run([sys.executable, "-c", "from whopushed.cli_ach import ach_app; ach_app()",
                          "score", str(SAMPLE), "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ranking"] == ["H2", "H1"]


def test_score_with_a_prior_moves_the_posterior(tmp_path):
    path = write(tmp_path, HEADER + "E1,,high,medium,C,I\nE2,,low,medium,II,N\n")
    flat = json.loads(ach("score", path, "--json").stdout)
    tilted = json.loads(ach("score", path, "--json", "--prior", "H1=0.2,H2=0.8").stdout)
    assert flat["hypotheses"][0]["posterior"] == pytest.approx(51 / 91, abs=1e-14)
    assert tilted["hypotheses"][0]["posterior"] == pytest.approx(51 / 211, abs=1e-14)
    assert flat["ranking"] == ["H1", "H2"] and tilted["ranking"] == ["H2", "H1"]
    assert [e["linchpin"] for e in flat["evidence"]] == [True, False]


def test_score_table_lists_hypotheses_in_ranking_order_and_the_linchpins(tmp_path):
    path = write(tmp_path, HEADER + 'E1,"Crew filmed, at launcher",high,medium,C,I\nE2,[red]x[/red],E,medium,II,N\n'
                           "E3,graded F,F,medium,C,C\n")
    result = ach("score", path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("H1") < out.index("H2")
    assert "LINCHPIN" in out and "Linchpins (re-check these first): E1." in out
    assert "[red]x[/red]" in out  # untrusted text is printed as text, not as Rich markup
    assert "medium F/6" in out


def test_score_table_says_when_the_top_is_a_tie_broken_by_column_order(tmp_path):
    path = write(tmp_path, "evidence,description,credibility,relevance,H1,H2,H3\n"
                           "a,,medium,medium,C,C,C\nb,,medium,medium,I,C,C\nc,,medium,medium,II,C,C\n")
    out = ach("score", path).stdout
    assert "Most likely: H2. Tied with H3" in out


def test_help_teaches_cells_grades_and_scores():
    text = ach("--help").stdout + ach("score", "--help").stdout
    for word in ("CC", "II", "Admiralty", "F and 6", "Inconsistency", "Weighted", "Posterior",
                 "linchpin", "--prior", "--json", "evidence,description,credibility,relevance"):
        assert word in text, word


# --- refusals -----------------------------------------------------------------------------

def refused(path, *extra):
    """Run the CLI on a bad matrix: exit 1, nothing on stdout; return stderr."""
    result = ach("score", path, "--json", *extra)
    assert result.exit_code == 1
    assert result.stdout == ""
    return result.stderr


def issues(path):
    with pytest.raises(InputError) as info:
        read_matrix(path)
    return info.value.issues


@pytest.mark.parametrize("body, line, column, field, words", [
    (HEADER + "A,,medium,medium,II,X\n", 2, 6, "H2", "unknown rating 'X'"),
    (HEADER + "A,,medium,medium,II,C\nB,,G,medium,I,C\n", 3, 3, "credibility", "unknown credibility 'G'"),
    (HEADER + "A,,medium,B2,II,C\n", 2, 4, "relevance", "not relevance"),
    (HEADER + "A,,,medium,II,C\n", 2, 3, "credibility", "unknown credibility ''"),
    (HEADER + "A,,medium,medium,II,C\nA,,medium,medium,I,C\n", 3, 1, "evidence", "repeats line 2"),
    (HEADER + ",,medium,medium,II,C\n", 2, 1, "evidence", "empty evidence id"),
    (HEADER + "A,,medium,medium,II\n", 2, 6, "H2", "5 cells where the header has 6"),
    (HEADER + "A,,medium,medium,II,C,C\n", 2, 7, None, "7 cells where the header has 6"),
    ("evidence,description,credibility,relevance,H1,H1\nA,,medium,medium,II,C\n", 1, 6, "H1", "repeats column 5"),
    ("evidence,description,credibility,relevance,H1,h1\nA,,medium,medium,II,C\n", 1, 6, "h1", "unique"),
    ("evidence,description,credibility,relevance,H1\nA,,medium,medium,II\n", 1, 6, None, "at least two"),
    ("evidence,description,credibility,relevance,H1,\nA,,medium,medium,II,C\n", 1, 6, None, "empty hypothesis id"),
    ("id,description,credibility,relevance,H1,H2\nA,,medium,medium,II,C\n", 1, 1, "evidence", "must be 'evidence'"),
    ("evidence,description,relevance,credibility,H1,H2\nA,,medium,medium,II,C\n", 1, 3, "credibility",
     "must be 'credibility'"),
    ("evidence,description\n", 1, 3, "credibility", "it is missing"),
    (HEADER, 2, 1, "evidence", "no evidence rows"),
    (HEADER + "\n,,,,,\n", 2, 1, "evidence", "no evidence rows"),
    ("", 1, 1, None, "empty file"),
])
def test_bad_matrices_are_refused_with_line_and_column_and_nothing_on_stdout(
        tmp_path, body, line, column, field, words):
    path = write(tmp_path, body)
    found = issues(path)
    assert any(i.line == line and i.column == column and i.field == field and words in i.message
               for i in found), found
    assert all(i.file == str(path) for i in found)
    err = refused(path)
    assert f"{path}:{line}:{column}:" in err and words in err


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path, HEADER + "A,,G,medium,II,X\nA,,medium,high,Q,C\n")
    found = {(i.line, i.column) for i in issues(path)}
    assert found == {(2, 3), (2, 6), (3, 1), (3, 5)}


def test_a_quoted_multiline_description_keeps_the_line_of_its_row_start(tmp_path):
    path = write(tmp_path, HEADER + 'A,"two\nlines",medium,medium,II,C\nB,,medium,medium,Z,C\n')
    (issue,) = issues(path)
    assert (issue.line, issue.column, issue.field) == (4, 5, "H1")


def test_a_missing_file_is_refused_cleanly(tmp_path):
    err = refused(tmp_path / "nope.csv")
    assert "nope.csv" in err and "no such file" in err


def test_a_folder_is_refused_cleanly(tmp_path):
    assert "folder" in refused(tmp_path)


def test_non_utf8_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, (HEADER + "A,Мозырь,medium,medium,II,C\n").encode("cp1251"))
    (issue,) = issues(path)
    assert issue.line == 2 and "UTF-8" in issue.message
    assert refused(path)


def test_a_file_over_the_size_bound_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.write(HEADER.encode())
        fh.truncate(MAX_FILE_BYTES + 1)
    assert "MiB" in refused(path)


def test_a_bad_prior_is_refused_before_anything_is_printed():
    err = refused(SAMPLE, "--prior", "H1=1,H3=1")
    assert err.startswith("--prior:") and "'H3'" in err
    assert "does not name H2" in refused(SAMPLE, "--prior", "H1=1")


def test_refusal_without_json_prints_nothing_on_stdout_either(tmp_path):
    path = write(tmp_path, HEADER + "A,,medium,medium,II,X\n")
    result = ach("score", path)
    assert result.exit_code == 1 and result.stdout == "" and "unknown rating" in result.stderr


# --- what is accepted ---------------------------------------------------------------------

def test_bom_blank_lines_case_and_spaces_are_accepted(tmp_path):
    path = write(tmp_path, "\ufeffEvidence, Description ,CREDIBILITY,relevance, H1 ,H2\n\n"
                           "A, the first ,b3, High , ii ,c\n\nB,,F,low,na,\n")
    m = read_matrix(path)
    assert m.hypotheses == ("H1", "H2")
    a, b = m.rows
    assert (a.id, a.description, a.credibility, a.relevance, a.cells) == ("A", "the first", "medium", "high", ("II", "C"))
    assert (b.credibility, b.cannot_be_judged, b.cells) == ("medium", True, ("NA", ""))


def test_utf8_descriptions_and_ids_survive(tmp_path):
    path = write(tmp_path, "evidence,description,credibility,relevance,BY crew,RU crew\n"
                           "Е1,Пуск из-под Мозыря,A2,high,I,C\n")
    data = json.loads(ach("score", path, "--json").stdout)
    assert data["ranking"] == ["RU crew", "BY crew"] and data["evidence"][0]["id"] == "Е1"
