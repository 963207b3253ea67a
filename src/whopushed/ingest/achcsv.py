"""The standalone ACH matrix as CSV: one row per item of evidence, one column per hypothesis.

```
evidence,description,credibility,relevance,H1,H2
A,Battalion seen loading at Zyabrovka,B2,high,II,C
B,Ministry denies any launch,credible,medium,C,
```

The first four header names are fixed (any letter case); every further column is a
hypothesis headed by its id. Cells are CC, C, N, NA, I, II (any case) or empty;
credibility is high/medium/low, "credible" (= medium) or an Admiralty code (A-F, 1-6, or
both as in B2); relevance is high/medium/low. Blank lines are skipped. The file is read
whole as UTF-8 (a BOM is tolerated), at most MAX_FILE_BYTES, and checked completely before
anything is returned: every problem becomes an InputIssue naming the file, the line, the
column (1-based) and the header name, and they are raised together as one InputError.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..reason.ach import Matrix, Row, parse_credibility, parse_rating, parse_relevance
from .errors import InputError, InputIssue

MAX_FILE_BYTES = 16 * 1024 * 1024
FIXED_COLUMNS = ("evidence", "description", "credibility", "relevance")
EXAMPLE_HEADER = "evidence,description,credibility,relevance,H1,H2"


def _read_text(path: Path, name: str) -> str:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError([InputIssue(name, None, None, None, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([InputIssue(name, None, None, None, "this is a folder; give the matrix CSV file")]) from None
    except OSError as exc:
        raise InputError([InputIssue(name, None, None, None, f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError([InputIssue(name, None, None, None,
                                     f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; an ACH matrix "
                                     "is a table of evidence rows, not a data dump")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([InputIssue(name, line, column, None,
                                     "not UTF-8 text; save the CSV as UTF-8")]) from None


def _records(text: str, name: str):
    """(first line number, fields) per record; blank records skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError([InputIssue(name, start, None, None, f"not readable as CSV: {exc}")]) from None
        line, start = start, reader.line_num + 1
        if fields and any(f.strip() for f in fields):
            yield line, fields


def read_matrix(path: str | Path) -> Matrix:
    """Read an ACH matrix CSV into a Matrix, or raise InputError listing every problem."""
    path = Path(path)
    name = str(path)
    text = _read_text(path, name)
    records = _records(text, name)
    issues: list[InputIssue] = []

    first = next(records, None)
    if first is None:
        raise InputError([InputIssue(name, 1, 1, None,
                                     f"empty file; the first line is the header: {EXAMPLE_HEADER}")])
    header_line, header = first
    header = [h.strip() for h in header]
    for col, want in enumerate(FIXED_COLUMNS, start=1):
        got = header[col - 1] if col <= len(header) else None
        if got is None or got.lower() != want:
            issues.append(InputIssue(name, header_line, col, want,
                                     f"header column {col} must be '{want}'"
                                     + (f", not {got!r}" if got is not None else ", and it is missing")
                                     + f"; the header is {', '.join(FIXED_COLUMNS)}, then one column "
                                     f"per hypothesis, e.g. {EXAMPLE_HEADER}"))
    if issues:
        raise InputError(issues)

    hypotheses = header[len(FIXED_COLUMNS):]
    seen: dict[str, int] = {}
    for col, hyp in enumerate(hypotheses, start=len(FIXED_COLUMNS) + 1):
        if not hyp:
            issues.append(InputIssue(name, header_line, col, None,
                                     "empty hypothesis id; head every hypothesis column with its id"))
        elif hyp.casefold() in seen:
            issues.append(InputIssue(name, header_line, col, hyp,
                                     f"hypothesis id {hyp!r} repeats column {seen[hyp.casefold()]}; "
                                     "hypothesis ids must be unique"))
        else:
            seen[hyp.casefold()] = col
    if len(hypotheses) < 2:
        issues.append(InputIssue(name, header_line, len(header) + 1, None,
                                 f"{len(hypotheses)} hypothesis column(s); ACH weighs at least two "
                                 f"competing hypotheses, one column each, e.g. {EXAMPLE_HEADER}"))
    if issues:
        raise InputError(issues)

    width = len(header)
    rows: list[Row] = []
    evidence_seen: dict[str, int] = {}
    for line, fields in records:
        if len(fields) != width:
            col = min(len(fields), width) + 1
            issues.append(InputIssue(
                name, line, col, header[col - 1] if col <= width else None,
                f"{len(fields)} cells where the header has {width}; every row has evidence, "
                f"description, credibility, relevance and one cell per hypothesis "
                f"({', '.join(hypotheses)}); quote a description that holds a comma"))
            continue
        before = len(issues)
        fields = [f.strip() for f in fields]
        evidence_id, description, cred_text, rel_text = fields[:4]
        if not evidence_id:
            issues.append(InputIssue(name, line, 1, "evidence", "empty evidence id; give every row an id"))
        elif evidence_id.casefold() in evidence_seen:
            issues.append(InputIssue(name, line, 1, "evidence",
                                     f"evidence id {evidence_id!r} repeats line "
                                     f"{evidence_seen[evidence_id.casefold()]}; evidence ids must be unique"))
        else:
            evidence_seen[evidence_id.casefold()] = line
        credibility, flagged = "medium", False
        try:
            credibility, flagged = parse_credibility(cred_text)
        except ValueError as exc:
            issues.append(InputIssue(name, line, 3, "credibility", str(exc)))
        relevance = "medium"
        try:
            relevance = parse_relevance(rel_text)
        except ValueError as exc:
            issues.append(InputIssue(name, line, 4, "relevance", str(exc)))
        cells = []
        for col, (hyp, text) in enumerate(zip(hypotheses, fields[4:]), start=5):
            try:
                cells.append(parse_rating(text))
            except ValueError as exc:
                issues.append(InputIssue(name, line, col, hyp, str(exc)))
        if len(issues) == before:
            rows.append(Row(evidence_id, tuple(cells), credibility, relevance, description, flagged))

    if not rows and not issues:
        issues.append(InputIssue(name, header_line + 1, 1, "evidence",
                                 "no evidence rows; add one row per item of evidence under the header"))
    if issues:
        raise InputError(issues)
    return Matrix(tuple(hypotheses), tuple(rows))
