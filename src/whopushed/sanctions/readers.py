"""Streaming readers: a sanctions list file, read line by line, becomes Target records, with a
Problem for each malformed row (its line and what is wrong) and a Skip for each row that is
deliberately not a target. Nothing here loads a whole file: the only things kept are the
address file's id -> countries map and, for FollowTheMoney, each target's programmes and
listing date taken from its Sanction entities.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..ingest.errors import InputIssue
from .formats import Format, FormatError
from .programmes import load_countries

MAX_CODE = 200  # longest programme code stored
MAX_FIELD = 16 * 1024 * 1024  # longest CSV cell read
Progress = Callable[[int], None]  # bytes read so far


@dataclass(frozen=True)
class Target:
    line: int
    source_id: str
    type: str  # person, company, vessel, aircraft, other
    name: str
    countries: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    sector: str | None = None
    listed: date | None = None  # the earliest listing date the source gives
    programme_listed: tuple[tuple[str, date], ...] = ()  # (programme, listing date) where given


@dataclass(frozen=True)
class Problem:
    """A malformed row, not imported. `source_id` when the row's id could be read, so that
    the target it names is not taken as delisted."""

    issue: InputIssue
    source_id: str | None = None


@dataclass(frozen=True)
class Skip:
    line: int
    reason: str


Item = Target | Problem | Skip


@dataclass
class ReadStats:
    """What a read found besides the items: filled in as it goes."""

    sha256: str = ""
    notes: list[str] = field(default_factory=list)
    unknown_countries: Counter = field(default_factory=Counter)


class _Counted(io.RawIOBase):
    """A binary file that reports bytes read and hashes them as they pass."""

    def __init__(self, fh, progress: Progress | None, base: int = 0):
        self.fh, self.progress, self.done = fh, progress, base
        self.hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.fh.readinto(buffer)
        if n:
            self.hash.update(memoryview(buffer)[:n])
            self.done += n
            if self.progress:
                self.progress(self.done)
        return n


def _open(path: Path, progress: Progress | None, base: int = 0) -> tuple[_Counted, io.BufferedReader]:
    raw = _Counted(path.open("rb"), progress, base)
    return raw, io.BufferedReader(raw, buffer_size=1 << 16)


def _decode(lines, encodings: list[str], bad: set[int]) -> Iterator[str]:
    """Each physical line as text: the first encoding that fits; lines none fits go in `bad`."""
    for n, raw in enumerate(lines, start=1):
        for enc in encodings:
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            bad.add(n)
            text = raw.decode(encodings[0], errors="replace")
        yield text.removeprefix("\ufeff") if n == 1 else text


def _countries(values, mode: str, stats: ReadStats) -> list[str]:
    out = []
    names = load_countries() if mode == "names" else {}
    for value in values:
        value = value.strip()
        if not value:
            continue
        if mode == "names":
            if value in names:
                if names[value]:
                    out.append(names[value])
            else:
                stats.unknown_countries[value] += 1
        elif re.fullmatch(r"[A-Za-z]{2}", value):
            out.append(value.upper())
        else:  # FtM writes regions and pseudo-codes too (e.g. "eu", "zz", "suhh"): no state
            stats.unknown_countries[value] += 1
    return sorted(set(out))


def _split(value: str, rule: dict | None) -> list[str]:
    if not value:
        return []
    if rule is None:
        return [value]
    if "csv" in rule:  # a CSV row within the cell, as OpenSanctions writes multi-values
        try:
            parts = next(csv.reader([value], delimiter=rule["csv"]), [])
        except csv.Error:
            parts = value.split(rule["csv"])
    else:
        parts = value.split(rule["separator"])
    strip = rule.get("strip")
    return [p.strip(strip) if strip else p.strip() for p in parts if (p.strip(strip) if strip else p.strip())]


def _extract(rules: list[dict], cells: dict[str, str]) -> list[str]:
    found = []
    for rule in rules:
        for m in re.finditer(rule["pattern"], cells.get(rule["field"], "")):
            found.append(m.group(1).strip())
    return found


def _code_problem(codes, name: str, line: int) -> InputIssue | None:
    for code in codes:
        if len(code) > MAX_CODE:
            return InputIssue(name, line, None, "programmes",
                              f"a programme code of {len(code)} characters (at most {MAX_CODE}): {code[:60]!r}…")
    return None


def read_addresses(fmt: Format, path: Path, stats: ReadStats, problems: list[InputIssue]) -> dict[str, list[str]]:
    """The address file as target id -> countries (ISO codes)."""
    spec = fmt.spec["addresses"]
    cols, width = spec["columns"], spec.get("width")
    nulls = set(fmt.spec.get("null_values", []))
    id_pattern = re.compile(fmt.spec.get("patterns", {}).get("id", r".+"))
    found: dict[str, set[str]] = {}
    bad: set[int] = set()
    name = str(path)
    _, fh = _open(path, None)
    with fh:
        reader = csv.reader(_decode(fh, fmt.spec.get("encodings", ["utf-8"]), bad), strict=True)
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(InputIssue(name, start, None, None, f"not readable as CSV: {exc}"))
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in row) or row[0].strip() == fmt.spec.get("end_marker"):
                continue
            if width and len(row) != width:
                problems.append(InputIssue(name, line, None, None, f"{len(row)} cells where an address row has {width}"))
                continue
            target = row[cols["id"] - 1].strip()
            if not id_pattern.match(target):
                if line == 1:
                    continue  # a header row
                problems.append(InputIssue(name, line, cols["id"], "id", f"id {target!r} is not a number"))
                continue
            country = row[cols["country"] - 1].strip()
            if country in nulls:
                continue
            found.setdefault(target, set()).update(_countries([country], "names", stats))
    return {k: sorted(v) for k, v in found.items()}


def read_csv(fmt: Format, path: Path, stats: ReadStats, addresses: dict[str, list[str]] | None = None,
             progress: Progress | None = None) -> Iterator[Item]:
    spec = fmt.spec
    name = str(path)
    nulls = set(spec.get("null_values", []))
    patterns = {k: re.compile(v) for k, v in spec.get("patterns", {}).items()}
    types, splits, extract = spec["types"], spec.get("split", {}), spec.get("extract", {})
    required = spec.get("required", ["id", "name"])
    end_marker = spec.get("end_marker")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    bad: set[int] = set()
    raw, fh = _open(path, progress)
    with fh:
        reader = csv.reader(_decode(fh, spec.get("encodings", ["utf-8"]), bad), strict=True)
        columns: dict[str, int] = {}  # field -> 0-based index
        width = spec.get("width")
        header_pending = spec["header"] != "none"
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                end = reader.line_num
                span = f"line {start}" if end <= start else f"lines {start}-{end}"
                yield Problem(InputIssue(name, start, None, None, f"not readable as CSV ({span}): {exc}"))
                start = end + 1
                continue
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if end_marker is not None and row[0].strip() == end_marker and not any(c.strip() for c in row[1:]):
                stats.notes.append(f"end-of-file marker on line {line}")
                break
            if header_pending:
                header_pending = False
                if spec["header"] == "required":
                    header = [h.strip() for h in row]
                    missing = [c for c in spec["columns"].values() if c not in header]
                    if missing:
                        raise FormatError(f"{name}:{line}: the header lacks {', '.join(map(repr, missing))}; "
                                          f"a {fmt.name} file starts with the header {', '.join(header)}")
                    columns = {f: header.index(c) for f, c in spec["columns"].items()}
                    width = len(header)
                    continue
                columns = {f: i - 1 for f, i in spec["columns"].items()}
                first_id = row[columns["id"]].strip() if len(row) > columns["id"] else ""
                if "id" in patterns and not patterns["id"].match(first_id):
                    stats.notes.append(f"header row on line {line}")
                    continue
            elif not columns:
                columns = {f: i - 1 for f, i in spec["columns"].items()}
            if any(n in bad for n in range(line, start)):
                yield Problem(InputIssue(name, line, None, None,
                                         f"not text in {', '.join(spec.get('encodings', ['utf-8']))}; "
                                         "re-save the file as UTF-8"))
                continue
            if width and len(row) != width:
                # its id, where it can be read, still says the target is listed
                sid = row[columns["id"]].strip() if len(row) > columns["id"] else ""
                ok = sid and len(sid) <= 128 and ("id" not in patterns or patterns["id"].match(sid))
                yield Problem(InputIssue(name, line, None, None,
                                         f"{len(row)} cells where rows of this file have {width}; "
                                         "quote a cell that holds a comma"), sid if ok else None)
                continue
            cells = {f: row[i].strip() for f, i in columns.items()}
            cells = {f: ("" if v in nulls else v) for f, v in cells.items()}
            source_id = cells["id"] or None
            issue = None
            for f in required:
                if not cells.get(f):
                    issue = InputIssue(name, line, columns[f] + 1, f, f"no {f}; every {fmt.name} row has one")
                    break
            for f, pattern in patterns.items():
                if issue is None and cells.get(f) and not pattern.match(cells[f]):
                    issue = InputIssue(name, line, columns[f] + 1, f,
                                       f"{f} {cells[f]!r} does not have the expected form ({pattern.pattern})")
                    if f == "id":
                        source_id = None
            kind = cells.get("type", "")
            target_type = types.get(kind, types.get("*"))
            if issue is None and target_type is None:
                allowed = ", ".join(repr(t) if t else "-0- (empty)" for t in types)
                issue = InputIssue(name, line, columns["type"] + 1, "type", f"type {kind!r} is not one of {allowed}")
            if issue is None and len(source_id or "") > 128:
                issue, source_id = InputIssue(name, line, columns["id"] + 1, "id", "an id longer than 128 characters"), None
            programmes = _split(cells.get("programmes", ""), splits.get("programmes"))
            issue = issue or _code_problem(programmes, name, line)
            if issue is not None:
                yield Problem(issue, source_id)
                continue
            country_values = _split(cells.get("countries", ""), splits.get("countries"))
            country_values += _extract(extract.get("countries", []), cells)
            countries = _countries(country_values, spec.get("countries", "iso2"), stats)
            if addresses is not None:
                countries = sorted(set(countries) | set(addresses.get(source_id, ())))
            sectors = _extract(extract.get("sector", []), cells) or ([cells["sector"]] if cells.get("sector") else [])
            yield Target(line, source_id, target_type, cells["name"], tuple(countries),
                         tuple(dict.fromkeys(programmes)), sectors[0] if sectors else None)
    stats.sha256 = raw.hash.hexdigest()


def _values(props: dict, names: list[str]) -> list[str]:
    out = []
    for n in names:
        vals = props.get(n, [])
        if isinstance(vals, str):
            vals = [vals]
        if isinstance(vals, list):
            out += [v.strip() for v in vals if isinstance(v, str) and v.strip()]
    return out


def _date(value: str) -> date | None:
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    try:  # a month or a year gives its first day
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


def read_ftm(fmt: Format, path: Path, stats: ReadStats, progress: Progress | None = None) -> Iterator[Item]:
    """Two passes: the first collects each target's programmes and listing date from the
    Sanction entities (they may come before or after their target); the second yields."""
    spec, name = fmt.spec, str(path)
    types, props_spec, sanction = spec["types"], spec["properties"], spec["sanction"]
    size = path.stat().st_size
    designated: dict[str, dict[str, date | None]] = {}  # target id -> programme -> earliest listing
    _, fh = _open(path, progress)
    with fh:
        for raw in fh:
            if b'"' + sanction["schema"].encode() + b'"' not in raw:
                continue  # cheap: only Sanction lines need parsing now
            try:
                obj = json.loads(raw)
            except ValueError:
                continue  # reported in the second pass
            if not isinstance(obj, dict) or obj.get("schema") != sanction["schema"] \
                    or not isinstance(obj.get("properties"), dict):
                continue
            props = obj["properties"]
            codes = _values(props, sanction["programmes"]) or _values(props, sanction.get("programme_text", []))
            dates = [d for d in map(_date, _values(props, sanction["listed"])) if d]
            listed = min(dates) if dates else None
            for entity in _values(props, [sanction["entity"]]):
                have = designated.setdefault(entity, {})
                for code in codes:
                    known = [d for d in (have.get(code), listed) if d]
                    have[code] = min(known) if known else None
    raw_counter, fh = _open(path, progress, base=size)
    bad: set[int] = set()
    with fh:
        for line, text in enumerate(_decode(fh, ["utf-8"], bad), start=1):
            if not text.strip():
                continue
            if line in bad:
                yield Problem(InputIssue(name, line, None, None, "not UTF-8 text"))
                continue
            try:
                obj = json.loads(text.rstrip("\r\n"))
            except ValueError as exc:
                yield Problem(InputIssue(name, line, None, None, f"not a JSON object: {exc}"))
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"].strip() \
                    or not isinstance(obj.get("schema"), str) or not isinstance(obj.get("properties"), dict):
                got = ", ".join(sorted(obj)) if isinstance(obj, dict) else type(obj).__name__
                yield Problem(InputIssue(name, line, None, None,
                                         'an entity is {"id": ..., "schema": ..., "properties": {...}}; '
                                         f"this line has {got}"),
                              obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None)
                continue
            entity_id, schema, props = obj["id"].strip(), obj["schema"], obj["properties"]
            if schema == sanction["schema"]:
                yield Skip(line, f"{schema} entity: read for its target's programmes and dates")
                continue
            topics = _values(props, ["topics"])
            is_target = obj.get("target") is True or "sanction" in topics or entity_id in designated
            if not is_target or (schema not in types and entity_id not in designated):
                yield Skip(line, f"{schema} entity: not a sanctions target")
                continue
            names = _values(props, props_spec["name"])
            if not names:
                yield Problem(InputIssue(name, line, None, "properties.name", "a target with no name"), entity_id)
                continue
            if len(entity_id) > 128:
                yield Problem(InputIssue(name, line, None, "id", "an id longer than 128 characters"))
                continue
            listed_by = designated.get(entity_id, {})
            programmes = list(dict.fromkeys(_values(props, props_spec["programmes"]) + sorted(listed_by)))
            dated = tuple(sorted((c, d) for c, d in listed_by.items() if d))
            issue = _code_problem(programmes, name, line)
            if issue is not None:
                yield Problem(issue, entity_id)
                continue
            countries = _countries(_values(props, props_spec["countries"]), spec.get("countries", "iso2"), stats)
            sectors = _values(props, props_spec["sector"])
            yield Target(line, entity_id, types.get(schema, "other"), names[0], tuple(countries),
                         tuple(programmes), sectors[0] if sectors else None,
                         min((d for _, d in dated), default=None), dated)
    stats.sha256 = raw_counter.hash.hexdigest()
