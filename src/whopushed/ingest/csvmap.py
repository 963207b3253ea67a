"""CSV event datasets with a mapping file: each row, already coded by its publisher, becomes
one incident with one launch claim by the publisher, citing a capture of the row's source.

A mapping (YAML; shipped ones in `mappings/NAME.yaml`, documented in docs/mappings.md) says
what each column holds and how to parse it, which rows to keep, and how columns fill the
incident, the claim and the capture. Checks that concern the whole file (a column the
mapping does not know, a column the mapping names that the file lacks) stop before anything
is imported; a row that cannot be read is skipped, counted and reported with its line.
Rows are imported in batches, each one transaction: what was imported before a failure stays,
and importing the same file again changes nothing.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from ..model import (
    Actor,
    Capture,
    Case,
    CaseMeta,
    Casualties,
    Claim,
    GeoPrecision,
    Incident,
    Place,
    Source,
    When,
)
from ..store.store import PLACEHOLDER_CASE_ID  # the one case id a real case may replace
from .errors import InputError, InputIssue
from .launchplaces import GazetteerError, LaunchGazetteer

MAPPINGS = "mappings"
MAX_FIELD_CHARS = 1_000_000  # one cell; a larger one is a malformed row, not a memory problem
MAX_LITERAL_CHARS = 20_000  # a dict-like cell is parsed only up to this size

_NULLS = ("", "nan", "NaN", "NULL", "null", "None", "N/A", "n/a")
_TEMPLATE = re.compile(r"\{([^{}|]+)(?:\|([^{}]*))?\}")
_ID_OK = re.compile(r"[^A-Za-z0-9._:-]+")
_PARSERS = ("text", "number", "datetime", "date", "list", "literal", "map", "unixtime", "ignore")
_TERRITORY = re.compile(r"^([A-Z]{2}|SEA|AIR)$")


class MappingError(InputError):
    """The mapping file, or how it meets the CSV's header, is wrong: nothing was imported."""


def _mapping_issue(file: str, where: str | None, message: str) -> MappingError:
    return MappingError([InputIssue(file, None, None, where, message)])


# ----------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Column:
    name: str
    parse: str = "text"
    formats: tuple[str, ...] = ()
    timezone: str | None = None
    separator: str = ","
    values: dict[str, Any] = field(default_factory=dict)
    default: Any = None
    nulls: tuple[str, ...] = _NULLS
    optional: bool = False  # a file may lack the column: its value is then null


@dataclass
class Mapping:
    name: str
    file: str
    raw: dict[str, Any]
    columns: dict[str, Column]
    unknown_columns: str  # error | ignore
    delimiter: str
    encoding: str
    gazetteer: LaunchGazetteer
    lexicon: Any  # reason.rules.WeaponLexicon
    lookups: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # name -> (column, key -> value)

    @property
    def dataset(self) -> dict[str, Any]:
        return self.raw["dataset"]

    @property
    def prefix(self) -> str:
        return self.dataset["id_prefix"]

    def used_columns(self) -> set[str]:
        """Every column a filter or a field refers to."""
        used: set[str] = set()

        def walk(node: Any, key: str | None = None) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("column", "start", "end", "lat", "lon") and isinstance(v, str):
                        used.add(v)
                    elif k == "columns" and isinstance(v, list):
                        used.update(str(c) for c in v)
                    elif k in ("template", "first") and v is not None:
                        for t in (v if isinstance(v, list) else [v]):
                            used.update(m.group(1).strip() for m in _TEMPLATE.finditer(str(t)))
                    else:
                        walk(v, k)
            elif isinstance(node, list):
                for v in node:
                    walk(v, key)
            elif isinstance(node, str) and key in _FIELD_KEYS:
                used.add(node)  # shorthand: a bare string is a column name

        walk(self.raw.get("filters"))
        walk(self.raw.get("lookups"))
        for part in ("incident", "claim", "capture"):
            walk(self.raw.get(part))
        return used - _SPECIAL_VALUES - set(self.lookups)


# field keys whose bare-string value is a column name
_FIELD_KEYS = {"kind", "title", "summary", "targets", "text", "count", "count_max", "quote", "quote_language",
               "made", "operator_state", "url", "published", "killed", "injured", "name", "country", "precision",
               "credibility", "credibility_why", "id", "when", "weapons", "launch_places"}
_SPECIAL_VALUES = {"line", "file", "publisher", "dataset", "territories", "places_by_territory"}
_TOP = {"mapping", "name", "description", "attribution", "dataset", "case", "csv", "columns", "unknown_columns",
        "filters", "gazetteer", "lookups", "incident", "claim", "capture"}


def mapping_names() -> list[str]:
    folder = resources.files("whopushed.ingest").joinpath(MAPPINGS)
    return sorted(p.name[:-5] for p in folder.iterdir()
                  if p.name.endswith(".yaml") and p.name != "launch-places.yaml")


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by NAME (missile-attacks, acled) or a mapping file by path."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in text:
        if not path.is_file():
            raise _mapping_issue(text, None, "no such mapping file")
        base_dir: Path | None = path.parent
        file = str(path)
        source = path.read_text(encoding="utf-8")
    else:
        res = resources.files("whopushed.ingest").joinpath(MAPPINGS, f"{text}.yaml")
        if not res.is_file():
            raise _mapping_issue(text, None, f"no shipped mapping named '{text}'; shipped: "
                                 f"{', '.join(mapping_names())}; or give a path to a .yaml file")
        base_dir = None
        file = f"{MAPPINGS}/{text}.yaml"
        source = res.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise _mapping_issue(file, None, f"not valid YAML: {exc}") from None
    return _check_mapping(raw, file, base_dir)


def _data_file(name: str, base_dir: Path | None) -> Path | Any:
    if base_dir is not None and (base_dir / name).is_file():
        return base_dir / name
    return resources.files("whopushed.ingest").joinpath(MAPPINGS, name)


def _check_mapping(raw: Any, file: str, base_dir: Path | None) -> Mapping:
    if not isinstance(raw, dict):
        raise _mapping_issue(file, None, "a mapping file is a YAML mapping (see docs/mappings.md)")
    unknown = set(raw) - _TOP
    if unknown:
        raise _mapping_issue(file, sorted(unknown)[0], f"unknown key; allowed: {', '.join(sorted(_TOP))}")
    for key in ("name", "dataset", "columns", "incident", "claim"):
        if key not in raw:
            raise _mapping_issue(file, key, "required key is missing (see docs/mappings.md)")
    ds = raw["dataset"]
    for key in ("title", "url", "id_prefix", "publisher", "source", "credibility", "credibility_why"):
        if key not in ds:
            raise _mapping_issue(file, f"dataset.{key}", "required key is missing")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}", str(ds["id_prefix"])):
        raise _mapping_issue(file, "dataset.id_prefix", "letters, digits and '-' only (at most 32)")
    for key, model in (("publisher", Actor), ("source", Source)):
        try:
            model.model_validate(ds[key])
        except ValidationError as exc:
            raise _mapping_issue(file, f"dataset.{key}", _first_error(exc)) from None
    columns: dict[str, Column] = {}
    if not isinstance(raw["columns"], dict) or not raw["columns"]:
        raise _mapping_issue(file, "columns", "list every column of the file with its parser")
    for name, spec in raw["columns"].items():
        columns[str(name)] = _column(str(name), spec, file)
    csv_opts = raw.get("csv") or {}
    gaz_name = raw.get("gazetteer", "launch-places.yaml")
    try:
        gaz_path = _data_file(gaz_name, base_dir)
        gazetteer = LaunchGazetteer.from_dict(yaml.safe_load(gaz_path.read_text(encoding="utf-8")), gaz_name)
    except (OSError, GazetteerError, yaml.YAMLError) as exc:
        raise _mapping_issue(file, "gazetteer", str(exc)) from None
    from ..reason.rules import WeaponLexicon
    from ..rulefiles import load_yaml

    m = Mapping(name=str(raw["name"]), file=file, raw=raw, columns=columns,
                unknown_columns=str(raw.get("unknown_columns", "error")),
                delimiter=str(csv_opts.get("delimiter", ",")), encoding=str(csv_opts.get("encoding", "utf-8")),
                gazetteer=gazetteer, lexicon=WeaponLexicon.from_dict(load_yaml("weapons.yaml")))
    for lname, spec in (raw.get("lookups") or {}).items():
        where = f"lookups.{lname}"
        if not isinstance(spec, dict) or not {"column", "table", "key", "field"} <= set(spec):
            raise _mapping_issue(file, where, "give column, table (a CSV file beside the mapping), key and field")
        try:
            with _data_file(str(spec["table"]), base_dir).open("r", encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise _mapping_issue(file, where, f"cannot read {spec['table']}: {exc}") from None
        if rows and (spec["key"] not in rows[0] or spec["field"] not in rows[0]):
            raise _mapping_issue(file, where, f"{spec['table']} has no column {spec['key']!r} or {spec['field']!r}")
        m.lookups[str(lname)] = (str(spec["column"]), {r[spec["key"]].strip(): (r[spec["field"]] or "").strip()
                                                       for r in rows})
    if m.unknown_columns not in ("error", "ignore"):
        raise _mapping_issue(file, "unknown_columns", "either 'error' (the default) or 'ignore'")
    for col in sorted(m.used_columns()):
        if col not in columns:
            raise _mapping_issue(file, col, f"the mapping uses column '{col}' but does not declare it under "
                                 "columns: (say how to parse it)")
        if columns[col].parse == "ignore":
            raise _mapping_issue(file, col, f"column '{col}' is used but declared 'ignore'")
    for terr in (raw["incident"].get("territory_prefer") or []):
        if not _TERRITORY.match(str(terr)):
            raise _mapping_issue(file, "incident.territory_prefer", f"{terr!r} is not a territory code")
    return m


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    return f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"


def _column(name: str, spec: Any, file: str) -> Column:
    if isinstance(spec, str):
        spec = {"parse": spec}
    if not isinstance(spec, dict):
        raise _mapping_issue(file, f"columns.{name}", "a parser name (text, number, ...) or a mapping")
    parse = str(spec.get("parse", "text"))
    if parse not in _PARSERS:
        raise _mapping_issue(file, f"columns.{name}.parse", f"unknown parser '{parse}'; one of {', '.join(_PARSERS)}")
    allowed = {"parse", "formats", "timezone", "separator", "values", "default", "nulls", "optional"}
    extra = set(spec) - allowed
    if extra:
        raise _mapping_issue(file, f"columns.{name}", f"unknown key(s) {sorted(extra)}; allowed: {sorted(allowed)}")
    tz = spec.get("timezone")
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise _mapping_issue(file, f"columns.{name}.timezone", f"unknown time zone {tz!r}") from None
    if parse in ("datetime", "date") and not spec.get("formats"):
        raise _mapping_issue(file, f"columns.{name}.formats", "give the strptime formats, e.g. ['%Y-%m-%d %H:%M']")
    return Column(name=name, parse=parse, formats=tuple(spec.get("formats") or ()), timezone=tz,
                  separator=str(spec.get("separator", ",")), values=dict(spec.get("values") or {}),
                  default=spec.get("default"), nulls=tuple(spec.get("nulls") or _NULLS),
                  optional=bool(spec.get("optional", False)))


# ----------------------------------------------------------------------------- values


class CellError(ValueError):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def _literal(text: str) -> Any:
    """A dict- or list-like cell ({'south': 11, 'east': NaN}, ['Kyiv oblast']), read as a
    Python literal, never evaluated as code; NaN becomes null."""
    if len(text) > MAX_LITERAL_CHARS:
        raise ValueError(f"longer than {MAX_LITERAL_CHARS} characters")
    cleaned = re.sub(r"\b(?:NaN|nan|None|null)\b", "None", text)
    value = ast.literal_eval(cleaned)
    if not isinstance(value, (dict, list, tuple)):
        raise ValueError("expected a dict {...} or a list [...]")
    return value


def _number(text: str) -> int | float:
    v = float(text.replace(" ", ""))
    if math.isnan(v):
        raise ValueError("NaN")
    if math.isinf(v):
        raise ValueError("not a finite number")
    return int(v) if v.is_integer() else v


def _datetime(col: Column, text: str) -> str:
    """ISO 8601 at the precision the format gives (a day, or a minute with its offset)."""
    for fmt in col.formats:
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            continue
        has_time = any(d in fmt for d in ("%H", "%I", "%M"))
        if not has_time:
            return dt.date().isoformat()
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=ZoneInfo(col.timezone) if col.timezone else UTC)
        off = dt.utcoffset()
        total = int(off.total_seconds() // 60) if off is not None else 0
        sign = "+" if total >= 0 else "-"
        return f"{dt:%Y-%m-%dT%H:%M}{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"
    raise ValueError(f"not a time in the mapping's formats {list(col.formats)}")


def parse_cell(col: Column, raw: str) -> Any:
    text = raw.strip()
    if col.parse == "ignore":
        return None
    if text in col.nulls:
        return col.default
    try:
        if col.parse == "text":
            return text
        if col.parse == "number":
            return _number(text)
        if col.parse in ("datetime", "date"):
            return _datetime(col, text)
        if col.parse == "unixtime":
            return datetime.fromtimestamp(int(float(text)), tz=UTC).strftime("%Y-%m-%dT%H:%MZ")
        if col.parse == "list":
            return [p.strip() for p in text.split(col.separator) if p.strip() and p.strip() not in col.nulls]
        if col.parse == "literal":
            return _literal(text)
        if col.parse == "map":
            if text in col.values:
                return col.values[text]
            if col.default is not None:
                return col.default
            raise ValueError(f"not one of the mapped values {sorted(map(str, col.values))}")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CellError(col.name, f"{raw.strip()[:60]!r}: {msg}") from None
    raise CellError(col.name, f"unknown parser {col.parse}")


def _present(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, (str, list, tuple, dict)):
        return bool(v) if not isinstance(v, dict) else any(x is not None for x in v.values())
    return True


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items() if x is not None)
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v if x is not None)
    return str(v)


def render(template: str, values: dict[str, Any]) -> str | None:
    """'{col}' and '{col|default}'; None when a value without a default is missing."""
    missing = False

    def sub(m: re.Match) -> str:
        nonlocal missing
        v = values.get(m.group(1).strip())
        if _present(v):
            return _fmt(v)
        if m.group(2) is not None:
            return m.group(2)
        missing = True
        return ""

    out = _TEMPLATE.sub(sub, template)
    return None if missing else out


# ----------------------------------------------------------------------------- rows


@dataclass
class RowRecords:
    line: int
    incident: Incident
    claim: Claim
    capture: Capture | None  # None: the row cites the dataset's own capture
    unknown_places: tuple[str, ...] = ()


@dataclass
class Filtered:
    line: int
    reason: str


def _value(spec: Any, values: dict[str, Any]) -> Any:
    """A field from its spec: a column name, {column}, {value}, {template, join},
    {first: [...]}, {column, map, match, default}."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return values.get(spec)
    if not isinstance(spec, dict):
        return spec
    if "value" in spec:
        return spec["value"]
    if "first" in spec:
        for t in spec["first"]:
            out = render(str(t), values)
            if out:
                return out
        return None
    if "template" in spec:
        parts = spec["template"] if isinstance(spec["template"], list) else [spec["template"]]
        rendered = [r for r in (render(str(t), values) for t in parts) if r]
        return spec.get("join", "; ").join(rendered) if rendered else None
    if "column" in spec:
        v = values.get(spec["column"])
        if "map" in spec:
            if v is None:
                return spec.get("default")
            text = _fmt(v)
            table = spec["map"]
            if spec.get("match") == "prefix":
                hit = next((out for key, out in table.items() if text.startswith(str(key))), None)
            else:
                hit = table.get(text)
            return hit if hit is not None else spec.get("default")
        if "base" in spec and v:
            return urljoin(str(spec["base"]), str(v))
        return v
    raise ValueError(f"cannot read field spec {spec!r}")


def _passes(flt: dict[str, Any], values: dict[str, Any]) -> str | None:
    """None when the row passes the filter, else why not."""
    col = flt["column"]
    v = values.get(col)
    if "in" in flt and (v is None or _fmt(v) not in [str(x) for x in flt["in"]]):
        return f"{col} is {_fmt(v)!r}, not one of {flt['in']}"
    if "not_in" in flt and v is not None and _fmt(v) in [str(x) for x in flt["not_in"]]:
        return f"{col} is {_fmt(v)!r}"
    if flt.get("present") and not _present(v):
        return f"{col} is empty"
    if "min" in flt and (not isinstance(v, (int, float)) or v < flt["min"]):
        return f"{col} is {_fmt(v) if v is not None else 'empty'}, below {flt['min']}"
    return None


def _id_part(text: str) -> str:
    return _ID_OK.sub("-", text).strip("-")[:80] or "x"


def _digest(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(_fmt(p) for p in parts).encode("utf-8")).hexdigest()[:16]


class RowBuilder:
    """Builds the records of one row from its parsed values; pure over the mapping."""

    def __init__(self, mapping: Mapping, file_label: str):
        self.m = mapping
        self.file_label = file_label
        ds = mapping.dataset
        self.publisher = Actor.model_validate(ds["publisher"])
        self.source = Source.model_validate(ds["source"])
        self.dataset_capture = Capture(
            id=f"cap-{mapping.prefix}-dataset", source=self.source.id, url=str(ds["url"]),
            title=str(ds["title"]), notes=(f"Licence: {ds['licence']}. " if ds.get("licence") else "")
            + (str(mapping.raw.get("attribution", "")) or "") or None)
        self.ids: dict[str, tuple[int, str]] = {}  # incident id -> (line, digest of the row)

    def _territory(self, places: list[Place]) -> str | None:
        terrs = list(dict.fromkeys(p.country for p in places if p.country))
        if not terrs:
            return None
        for pref in self.m.raw["incident"].get("territory_prefer") or []:
            if pref in terrs:
                return pref
        return terrs[0]

    def _places(self, values: dict[str, Any]) -> tuple[list[Place], list[str], list[str], list[str]]:
        spec = self.m.raw["incident"].get("launch_places")
        if not spec:
            return [], [], [], []
        cols = spec.get("columns") or [spec.get("column")] if isinstance(spec, dict) else [spec]
        sep = spec.get("separator", " and ") if isinstance(spec, dict) else " and "
        entries: list[str] = []

        def flat(v: Any) -> None:
            if v is None:
                return
            if isinstance(v, dict):
                for x in v.values():
                    flat(x)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    flat(x)
            else:
                entries.extend(p.strip() for p in str(v).split(sep) if p.strip())

        for c in cols:
            flat(values.get(c))
        entries = list(dict.fromkeys(entries))
        r = self.m.gazetteer.resolve_all(entries)
        return list(r.places), list(r.directions), list(r.unknown), entries

    def _weapons(self, values: dict[str, Any]) -> list[str]:
        spec = self.m.raw["incident"].get("weapons")
        if not spec:
            return []
        raw = _value({"column": spec} if isinstance(spec, str) else {k: v for k, v in spec.items() if k != "aliases"},
                     values)
        items = raw if isinstance(raw, list) else ([raw] if raw else [])
        aliases = (spec.get("aliases") or {}) if isinstance(spec, dict) else {}
        out: list[str] = []
        for item in items:
            mapped = aliases.get(str(item), str(item))
            for w in (mapped if isinstance(mapped, list) else [mapped]):
                name = self.m.lexicon.canonical(str(w))
                if name not in out:
                    out.append(name)
        return out

    def _when(self, values: dict[str, Any]) -> When:
        spec = self.m.raw["incident"]["when"]
        if isinstance(spec, str):
            spec = {"start": spec}
        start = values.get(spec["start"])
        end = values.get(spec["end"]) if spec.get("end") else None
        if not start and not end:
            raise CellError(spec["start"], "no time: the row cannot be placed in time")
        if start and end and start != end:
            # a day alone next to a time: the day is the local one, so bound it by that time's offset
            if len(start) == 10 and len(end) > 10:
                start = f"{start}T00:00{end[16:]}"
            elif len(end) == 10 and len(start) > 10:
                end = f"{end}T23:59{start[16:]}"
            return When(value=f"{start}/{end}")
        return When(value=start or end)

    def build(self, line: int, values: dict[str, Any]) -> RowRecords | Filtered:
        for flt in self.m.raw.get("filters") or []:
            why = _passes(flt, values)
            if why:
                return Filtered(line, why)
        inc_spec = self.m.raw["incident"]
        values = {**values, "line": line, "file": self.file_label, "publisher": self.publisher.name,
                  "dataset": self.m.dataset["title"]}
        for lname, (col, table) in self.m.lookups.items():
            key = self.m.columns[col]
            raw = values.get(col)
            # a list column is looked up as written (" and "-joined), then item by item
            whole = key.separator.join(raw) if isinstance(raw, list) else raw
            found = table.get(str(whole)) if whole is not None else None
            if not found and isinstance(raw, list):
                found = ", ".join(dict.fromkeys(table[x] for x in raw if table.get(x))) or None
            values[lname] = found
        places, directions, unknown, entries = self._places(values)
        territory = self._territory(places)
        by_terr: dict[str, list[str]] = {}
        for p in places:
            by_terr.setdefault(p.country or "?", []).append(p.stated or p.name)
        values["territories"] = list(by_terr)
        values["places_by_territory"] = ("; ".join(f"{t}: {', '.join(n)}" for t, n in by_terr.items())
                                         if len(by_terr) > 1 else None)
        launch_area = None
        if places or directions:
            names = [p.stated or p.name for p in places] + directions
            if len(places) == 1 and not directions:
                launch_area = places[0]
            else:
                prec = GeoPrecision.country if any(p.precision is GeoPrecision.country for p in places) \
                    else GeoPrecision.region
                launch_area = Place(name=" and ".join(names), precision=prec,
                                    country=territory if len(by_terr) == 1 else None,
                                    stated=" and ".join(entries))
        when = self._when(values)
        key_spec = inc_spec.get("id") or {"columns": sorted(self.m.columns)}
        row_digest = _digest(*(values.get(c) for c in sorted(self.m.columns)))
        if isinstance(key_spec, str) or "column" in key_spec:
            col = key_spec if isinstance(key_spec, str) else key_spec["column"]
            if not _present(values.get(col)):
                raise CellError(col, "the id column is empty")
            inc_id = f"{self.m.prefix}-{_id_part(_fmt(values[col]))}"
        else:
            inc_id = f"{self.m.prefix}-{_digest(*(values.get(c) for c in key_spec['columns']))}"
        if inc_id in self.ids:
            first_line, first_digest = self.ids[inc_id]
            if first_digest == row_digest:
                return Filtered(line, f"duplicate of line {first_line}")
            inc_id = f"{self.m.prefix}-{row_digest}"  # same key, other content: a row of its own
            if inc_id in self.ids:
                return Filtered(line, f"duplicate of line {self.ids[inc_id][0]}")
        self.ids[inc_id] = (line, row_digest)
        weapons = self._weapons(values)
        kind = _value(inc_spec.get("kind", {"value": "launch"}), values)
        title = _value(inc_spec.get("title"), values) or f"{self.m.dataset['title']}, {self.file_label}:{line}"
        summary = _value(inc_spec.get("summary"), values)
        casualties = None
        if inc_spec.get("casualties"):
            cs = {k: _value(v, values) for k, v in inc_spec["casualties"].items()}
            if any(v is not None for v in cs.values()):
                casualties = Casualties(**{k: _count(v, k) for k, v in cs.items()})
        impact = None
        if inc_spec.get("impact_area"):
            ia = inc_spec["impact_area"]
            name = _value(ia.get("name"), values)
            if name:
                impact = Place(name=str(name), country=_value(ia.get("country"), values),
                               precision=GeoPrecision(_value(ia.get("precision", {"value": "locality"}), values)),
                               lat=_value(ia.get("lat"), values), lon=_value(ia.get("lon"), values))
        incident = Incident(id=inc_id, kind=kind, title=str(title)[:500], when=when, summary=summary,
                            launch_area=launch_area, launch_territory=territory, impact_area=impact,
                            weapons=weapons, targets=_value(inc_spec.get("targets"), values), casualties=casualties,
                            notes=f"Imported from {self.file_label} line {line} with mapping {self.m.name}.")
        capture = None
        cap_spec = self.m.raw.get("capture") or {}
        url = _value(cap_spec.get("url"), values)
        if url:
            capture = Capture(id=f"cap-{self.m.prefix}-{_digest(url)[:12]}", source=self.source.id, url=str(url),
                              title=str(_value(cap_spec.get("title"), values) or f"Cited by {self.m.dataset['title']}")[:500])
        cl_spec = self.m.raw["claim"]
        ds = self.m.dataset
        claim = Claim(
            id=f"cl-{inc_id}", kind="launch", party=self.publisher.id,
            text=str(_value(cl_spec.get("text"), values) or title)[:20_000],
            captures=[capture.id if capture else self.dataset_capture.id], incidents=[inc_id],
            quote=_value(cl_spec.get("quote"), values), quote_language=_value(cl_spec.get("quote_language"), values),
            made=_value(cl_spec.get("made"), values),
            credibility=str(_value(cl_spec.get("credibility"), values) or ds["credibility"]),
            credibility_why=str(_value(cl_spec.get("credibility_why"), values) or ds["credibility_why"]),
            when=when, launch_area=launch_area, launch_territory=territory, weapons=weapons,
            impact_area=impact, count=_count(_value(cl_spec.get("count"), values), "count"),
            count_max=_count(_value(cl_spec.get("count_max"), values), "count_max"),
            operator_state=_value(cl_spec.get("operator_state"), values),
        )
        return RowRecords(line, incident, claim, capture, tuple(unknown))


def _count(v: Any, what: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or float(v) != int(v):
        raise CellError(what, f"{v!r} is not a count (a whole number, 0 or more)")
    return int(v)


# ----------------------------------------------------------------------------- reading


@dataclass
class CsvReport:
    file: str
    mapping: str
    read: int = 0  # data rows read
    imported: int = 0  # rows that became an incident (added, updated or unchanged)
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    filtered: list[Filtered] = field(default_factory=list)
    skipped: list[InputIssue] = field(default_factory=list)  # malformed rows
    warnings: list[InputIssue] = field(default_factory=list)  # imported, with something unresolved
    stopped: InputIssue | None = None  # reading stopped early (bad encoding, broken file)
    case: str | None = None

    def as_json(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for f in self.filtered:
            key = "duplicate row" if f.reason.startswith("duplicate of") else f.reason
            reasons[key] = reasons.get(key, 0) + 1
        return {
            "file": self.file, "mapping": self.mapping, "case": self.case, "read": self.read,
            "imported": self.imported, "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "filtered": len(self.filtered), "filtered_reasons": reasons,
            "filtered_rows": [{"line": f.line, "reason": f.reason} for f in self.filtered],
            "skipped": len(self.skipped),
            "skipped_rows": [{"line": i.line, "column": i.field, "message": i.message} for i in self.skipped],
            "warnings": [{"line": i.line, "column": i.field, "message": i.message} for i in self.warnings],
            "stopped": None if self.stopped is None else {"line": self.stopped.line, "message": self.stopped.message},
        }


def _header_check(mapping: Mapping, header: list[str], file: str) -> None:
    issues = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        if h in seen:
            issues.append(InputIssue(file, 1, i + 1, h, f"column '{h}' appears twice in the header"))
        seen.add(h)
    for h in header:
        if h not in mapping.columns and mapping.unknown_columns == "error":
            issues.append(InputIssue(file, 1, header.index(h) + 1, h,
                                     f"unknown column '{h}': mapping {mapping.file} does not declare it; add "
                                     f"'{h}: ignore' under columns: to skip it, or give its parser"))
    for name, col in mapping.columns.items():
        if name not in seen and not col.optional:
            issues.append(InputIssue(file, 1, None, name,
                                     f"mapping {mapping.file} names column '{name}', which the file's header "
                                     f"does not have (the header has: {', '.join(header[:40])})"))
    if issues:
        raise MappingError(issues)


class _Undecodable(Exception):
    def __init__(self, line: int, exc: UnicodeDecodeError):
        super().__init__(f"{exc.reason} at byte {exc.start} of the line")
        self.line = line


class _Lines:
    """The file's lines, decoded one by one, so that a bad byte is reported on its own line
    and every row before it is still read; counts the bytes read for the progress bar."""

    def __init__(self, fh, encoding: str):
        self.fh, self.encoding, self.count, self.line = fh, encoding, 0, 0

    def __iter__(self):
        for raw in self.fh:
            self.count += len(raw)
            self.line += 1
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                raise _Undecodable(self.line, exc) from None


def read_rows(path: Path, mapping: Mapping, report: CsvReport,
              progress: Callable[[int], None] | None = None) -> Iterator[RowRecords]:
    """The rows of a CSV file as records. Malformed rows go to report.skipped, filtered ones
    to report.filtered; a file that cannot be read on (bad encoding) ends with report.stopped."""
    file = str(path)
    builder = RowBuilder(mapping, path.name)
    csv.field_size_limit(MAX_FIELD_CHARS)
    with open(path, "rb") as fh:
        counting = _Lines(fh, mapping.encoding)
        reader = csv.reader(iter(counting), delimiter=mapping.delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise MappingError([InputIssue(file, 1, None, None, "the file is empty: no header row")]) from None
        except (_Undecodable, csv.Error) as exc:
            raise MappingError([InputIssue(file, 1, None, None, f"cannot read the header: {exc}")]) from None
        header = [h.strip().lstrip("\ufeff") for h in header]
        _header_check(mapping, header, file)
        cols = [mapping.columns.get(h) for h in header]
        last_line = reader.line_num
        while True:
            start = last_line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except _Undecodable as exc:
                report.stopped = InputIssue(file, exc.line, None, None, f"not {mapping.encoding} text ({exc}); "
                                            "reading stopped here, the rows before it are kept")
                break
            except csv.Error as exc:
                report.read += 1
                report.skipped.append(InputIssue(file, start, None, None, f"malformed CSV: {exc}"))
                last_line = reader.line_num
                continue
            last_line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            report.read += 1
            if progress:
                progress(counting.count)
            if len(row) != len(header):
                report.skipped.append(InputIssue(file, start, None, None,
                                                 f"the row has {len(row)} fields, the header {len(header)}"))
                continue
            try:
                values = {h: parse_cell(c, cell) for h, c, cell in zip(header, cols, row) if c is not None}
                built = builder.build(start, values)
            except CellError as exc:
                report.skipped.append(InputIssue(file, start, None, exc.column, str(exc)))
                continue
            except ValidationError as exc:
                report.skipped.append(InputIssue(file, start, None, None, _first_error(exc)))
                continue
            except ValueError as exc:
                report.skipped.append(InputIssue(file, start, None, None, str(exc)))
                continue
            if isinstance(built, Filtered):
                report.filtered.append(built)
                continue
            if built.unknown_places:
                report.warnings.append(InputIssue(file, start, None, "launch place",
                                                  "not in the gazetteer, left without a territory: "
                                                  + ", ".join(repr(u) for u in built.unknown_places)))
            yield built
        if progress:
            progress(counting.count)


# ----------------------------------------------------------------------------- importing


def placeholder_meta(mapping: Mapping | None) -> CaseMeta:
    """The case meta of a workspace that holds no case yet: a placeholder that importing a
    real case later replaces (the store allows exactly this id to be replaced)."""
    c = (mapping.raw.get("case") if mapping else None) or {"aggressor_state": "RU"}
    return CaseMeta(id=PLACEHOLDER_CASE_ID, title="Imported datasets",
                    question="Where were these strikes launched from, and who launched them?",
                    territorial_state=c.get("territorial_state", "BY"), target_state=c.get("target_state", "UA"),
                    aggressor_state=c.get("aggressor_state"),
                    description="A placeholder case made by 'import csv' or 'import telegram' in an empty workspace; "
                                "'import case' replaces it.")


def import_csv(store, path: str | Path, mapping: Mapping, batch_rows: int = 5000,
               progress: Callable[[int], None] | None = None, actor: str | None = None) -> CsvReport:
    """Read `path` with `mapping` and import it into `store` in batches of `batch_rows` rows,
    each batch one transaction under the workspace's own case meta (or a placeholder when
    the workspace is empty, so that the meta of a case already there is never touched)."""
    path = Path(path)
    report = CsvReport(file=str(path), mapping=mapping.name)
    if not path.is_file():
        raise MappingError([InputIssue(str(path), None, None, None, "no such file")])
    meta = store.case_meta() or placeholder_meta(mapping)
    report.case = meta.id
    builder_fixed = RowBuilder(mapping, path.name)
    batch: list[RowRecords] = []
    # the publisher and source go in once: re-sending them would undo a grade given since
    stored = {rid for rid in (builder_fixed.publisher.id, builder_fixed.source.id) if store.get(rid) is not None}

    def flush() -> None:
        if not batch:
            return
        captures = {builder_fixed.dataset_capture.id: builder_fixed.dataset_capture}
        for r in batch:
            if r.capture is not None:
                captures.setdefault(r.capture.id, r.capture)
        case = Case(case=meta, actors=[a for a in [builder_fixed.publisher] if a.id not in stored],
                    sources=[s for s in [builder_fixed.source] if s.id not in stored],
                    captures=list(captures.values()), incidents=[r.incident for r in batch],
                    claims=[r.claim for r in batch])
        result = store.import_case(case, actor=actor, partial=True)
        for coll in ("incidents", "claims", "captures"):
            for name, src in (("added", result.added), ("updated", result.updated), ("unchanged", result.unchanged)):
                getattr(report, name)[coll] = getattr(report, name).get(coll, 0) + src.get(coll, 0)
        report.imported += len(batch)
        stored.update((builder_fixed.publisher.id, builder_fixed.source.id))
        batch.clear()

    for rec in read_rows(path, mapping, report, progress):
        batch.append(rec)
        if len(batch) >= batch_rows:
            flush()
    flush()
    return report
