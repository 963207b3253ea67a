"""The case file format: a folder of YAML files (or one file) holding a case.

Each file is a mapping whose top-level keys are `case` and the collections of
`model.COLLECTIONS`; the files of a folder are read in name order and their collections
joined. See docs/case-format.md. Reading checks everything before anything is stored and
reports every problem with file, line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..model import COLLECTIONS, Case, CaseMeta, check_integrity
from .errors import InputError, InputIssue
from .yamlpos import DuplicateKey, Marks, load_with_marks, position

MAX_FILE_BYTES = 64 * 1024 * 1024
TOP_LEVEL = ("case", *COLLECTIONS)


def case_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise InputError([InputIssue(str(path), None, None, None,
                                         "no .yaml files here; a case folder holds case.yaml and "
                                         "files of actors, sources, captures, claims...")])
        return files
    if path.is_file():
        return [path]
    raise InputError([InputIssue(str(path), None, None, None, "no such file or folder")])


def _explain(err: dict[str, Any], collection: str) -> tuple[str, str]:
    """A pydantic error as (field path, message with a hint)."""
    loc = [str(x) for x in err["loc"]]
    field = ".".join(loc) if loc else None
    kind = err["type"]
    msg = err["msg"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_fields(collection, err["loc"][:-1]))
        msg = f"unknown field '{loc[-1]}'; check the spelling (allowed here: {allowed})"
    elif kind == "missing":
        msg = f"required field '{loc[-1]}' is missing"
        if loc[-1] == "captures":
            msg += "; every claim, statement and measure cites at least one capture (its source)"
        elif loc[-1] == "party":
            msg += "; a claim always names the actor who makes it"
    elif kind == "too_short" and loc and loc[-1] == "captures":
        msg = "no capture cited; list at least one capture id: the source this comes from"
    elif kind == "enum":
        msg = f"{msg} (got {err.get('input')!r})"
    elif kind == "string_pattern_mismatch":
        msg = f"{err.get('input')!r} does not have the expected form ({err['ctx']['pattern']})"
    elif kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    return field or "", msg


def _fields(collection: str, loc: tuple[Any, ...]) -> list[str]:
    model = COLLECTIONS.get(collection, CaseMeta)
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        sub = getattr(info, "annotation", None) if info else None
        for cand in getattr(sub, "__args__", (sub,)):
            if isinstance(cand, type) and hasattr(cand, "model_fields"):
                model = cand
                break
        else:
            return []
    return list(model.model_fields)


def read_case(path: str | Path) -> Case:
    """Read and check a case folder or file; raise InputError listing every problem."""
    root = Path(path)
    issues: list[InputIssue] = []
    meta: tuple[dict[str, Any], str, Marks] | None = None
    # collection -> list of (validated record or None, file, marks, index in file)
    items: dict[str, list[tuple[Any, str, Marks, int]]] = {name: [] for name in COLLECTIONS}

    for file in case_files(root):
        name = str(file)
        if file.stat().st_size > MAX_FILE_BYTES:
            issues.append(InputIssue(name, None, None, None,
                                     f"file is larger than {MAX_FILE_BYTES // 2**20} MiB; split it"))
            continue
        try:
            data, marks = load_with_marks(file.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            issues.append(InputIssue(name, None, None, None,
                                     f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"))
            continue
        except DuplicateKey as exc:
            issues.append(InputIssue(name, exc.line, exc.column, exc.key,
                                     f"{exc}; remove or rename one of them"))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            issues.append(InputIssue(name, mark.line + 1 if mark else None,
                                     mark.column + 1 if mark else None, None,
                                     f"malformed YAML: {problem}; check indentation and quoting "
                                     "(quote text containing ': ' or starting with a symbol)"))
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            issues.append(InputIssue(name, 1, 1, None, "a case file is a mapping with keys "
                                     f"{', '.join(TOP_LEVEL)}"))
            continue
        for key, value in data.items():
            line, col = position(marks, (key,))
            if key not in TOP_LEVEL:
                issues.append(InputIssue(name, line, col, str(key),
                                         f"unknown section '{key}'; a case file has {', '.join(TOP_LEVEL)}"))
            elif key == "case":
                if meta is not None:
                    issues.append(InputIssue(name, line, col, "case",
                                             f"the case is described twice (also in {meta[1]}); keep one"))
                else:
                    meta = (value, name, marks)
            elif not isinstance(value, list):
                issues.append(InputIssue(name, line, col, key,
                                         f"'{key}' must be a list of records (each starting with '- id: ...')"))
            else:
                model = COLLECTIONS[key]
                for i, raw in enumerate(value):
                    try:
                        rec = model.model_validate(raw)
                    except ValidationError as exc:
                        rec = None
                        rid = raw.get("id") if isinstance(raw, dict) else None
                        for err in exc.errors():
                            field, msg = _explain(err, key)
                            line, col = position(marks, (key, i, *err["loc"]))
                            label = f"{key}[{i}]" + (f" ({rid})" if rid else "")
                            issues.append(InputIssue(name, line, col, f"{label} {field}".strip(), msg))
                    items[key].append((rec, name, marks, i))

    if meta is None:
        issues.append(InputIssue(str(root), None, None, "case",
                                 "no 'case:' section; add one (id, title, question, territorial_state, "
                                 "target_state) in case.yaml"))
    else:
        try:
            CaseMeta.model_validate(meta[0])
        except ValidationError as exc:
            for err in exc.errors():
                field, msg = _explain(err, "case")
                line, col = position(meta[2], ("case", *err["loc"]))
                issues.append(InputIssue(meta[1], line, col, f"case {field}".strip(), msg))
    valid = {name: [entry for entry in recs if entry[0] is not None] for name, recs in items.items()}
    for problem in check_integrity({name: [e[0] for e in recs] for name, recs in valid.items()}):
        rec, file, marks, i = valid[problem.collection][problem.index]
        field, _, sub = problem.field.partition("[")
        path = (problem.collection, i, field) + ((int(sub.rstrip("]")),) if sub else ())
        line, col = position(marks, path)
        issues.append(InputIssue(file, line, col, f"{problem.collection}[{i}] ({rec.id}) {problem.field}",
                                 problem.message))
    if issues:
        raise InputError(issues)
    return Case(case=CaseMeta.model_validate(meta[0]),
                **{name: [e[0] for e in recs] for name, recs in valid.items()})


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

HEADERS = {
    "case": "The case: what question it answers, about which states.",
    "actors": "Actors: states, forces, agencies, people, organisations.",
    "sources": "Sources: publishers, each graded for reliability (A-F; F = cannot be judged).",
    "captures": "Captures: copies of documents; without sha256 a capture is citation-only.",
    "incidents": "Incidents: one event each; the claims that report it point at it.",
    "claims": "Claims: one assertion each, with the party making it, its captures and a grade (1-6).",
    "statements": "Statements: official positions, quoted, dated, attributed.",
    "sanctions": "Sanctions measures on the territorial state, with their counterpart on the aggressor.",
}


def dump_records(name: str, records: list[Any]) -> str:
    rows = [r.model_dump(mode="json", exclude_defaults=True, exclude_none=True) for r in records]
    body = yaml.dump({name: rows}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"# {HEADERS[name]}\n{body}"


def write_case(case: Case, folder: str | Path) -> list[Path]:
    """Write the case as case files, one file per collection; read_case reads it back equal."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    target = out / "case.yaml"
    target.write_text(f"# {HEADERS['case']}\n" + yaml.dump(
        {"case": case.case.model_dump(mode="json", exclude_defaults=True, exclude_none=True)},
        Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    written.append(target)
    for name in COLLECTIONS:
        records = getattr(case, name)
        target = out / f"{name}.yaml"
        target.write_text(dump_records(name, records), encoding="utf-8")
        written.append(target)
    return written
