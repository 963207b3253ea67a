"""Sanctions list formats: mapping files (formats/NAME.yaml) that say how a file's columns or
properties become targets, and detection of a file's format from its first lines."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FORMATS_DIR = Path(__file__).resolve().with_name("formats")
TYPES = ("person", "company", "vessel", "aircraft", "other")
READERS = ("csv", "ftm")
SAMPLE_BYTES = 64 * 1024


class FormatError(Exception):
    """The file's format is unknown or does not fit the format named; nothing was imported."""


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    reader: str  # csv or ftm
    source: str  # the default source id targets are stored under
    jurisdiction: str | None
    spec: dict[str, Any]  # the whole mapping file

    def describe(self) -> str:
        return f"{self.name} ({self.title})"


def _check(name: str, spec: Any, path: Path) -> Format:
    def bad(why: str) -> FormatError:
        return FormatError(f"{path}: {why}")

    if not isinstance(spec, dict):
        raise bad("a format file is a mapping")
    for key in ("name", "title", "reader", "source"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise bad(f"'{key}' is required (text)")
    if spec["name"] != name:
        raise bad(f"name '{spec['name']}' differs from the file name '{name}'")
    if spec["reader"] not in READERS:
        raise bad(f"reader '{spec['reader']}' is not one of {', '.join(READERS)}")
    types = spec.get("types")
    if not isinstance(types, dict) or not types:
        raise bad("'types' maps the source's types to person, company, vessel, aircraft or other")
    for k, v in types.items():
        if v not in TYPES:
            raise bad(f"types: '{k}' maps to '{v}', not one of {', '.join(TYPES)}")
    if spec["reader"] == "csv":
        if spec.get("header") not in ("none", "optional", "required"):
            raise bad("header is none, optional or required")
        cols = spec.get("columns")
        if not isinstance(cols, dict) or not {"id", "name"} <= set(cols):
            raise bad("'columns' maps fields (at least id and name) to columns")
        for pattern in spec.get("patterns", {}).values():
            re.compile(pattern)
        for rules in spec.get("extract", {}).values():
            for rule in rules:
                re.compile(rule["pattern"])
    jurisdiction = spec.get("jurisdiction")
    if jurisdiction is not None and not re.fullmatch(r"[A-Z]{2,3}", str(jurisdiction)):
        raise bad(f"jurisdiction '{jurisdiction}' is not a code such as US or EU")
    return Format(spec["name"], spec["title"], spec["reader"], spec["source"], jurisdiction, spec)


@lru_cache(maxsize=1)
def formats() -> dict[str, Format]:
    """The shipped formats by name, in name order."""
    found = {}
    for path in sorted(FORMATS_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            found[path.stem] = _check(path.stem, yaml.safe_load(fh), path)
    return found


def known_formats_text() -> str:
    return "; ".join(f.describe() for f in formats().values())


def get_format(name: str) -> Format:
    try:
        return formats()[name]
    except KeyError:
        raise FormatError(f"no format named '{name}'; the formats are: {known_formats_text()}") from None


def _sample(path: Path) -> str:
    with path.open("rb") as fh:
        data = fh.read(SAMPLE_BYTES)
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if len(data) == SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # drop a line cut short by the sample's end
    return text


def _looks_ftm(text: str) -> bool:
    for line in text.splitlines():
        if line.strip():
            try:
                obj = json.loads(line)
            except ValueError:
                return False
            return isinstance(obj, dict) and isinstance(obj.get("properties"), dict) \
                and isinstance(obj.get("id"), str) and isinstance(obj.get("schema"), str)
    return False


def _csv_matches(fmt: Format, records: list[list[str]]) -> bool:
    spec = fmt.spec
    detect = spec.get("detect", {})
    if not records:
        return False
    if "header" in detect:
        header = {h.strip() for h in records[0]}
        return set(detect["header"]) <= header
    width = spec.get("width")
    cols = spec["columns"]
    nulls = set(spec.get("null_values", []))
    id_pattern = re.compile(spec.get("patterns", {}).get("id", r".+"))
    rows = [r for r in records if any(c.strip() for c in r)
            and not (r[0].strip() == spec.get("end_marker") and not any(c.strip() for c in r[1:]))]
    if rows and not id_pattern.match(rows[0][cols["id"] - 1].strip() if len(rows[0]) >= cols["id"] else ""):
        rows = rows[1:]  # a header row
    rows = rows[: detect.get("rows", 5)]
    if not rows:
        return False
    for row in rows:
        if width and len(row) != width:
            return False
        cell = {f: ("" if row[i - 1].strip() in nulls else row[i - 1].strip()) for f, i in cols.items()}
        if "id" in detect.get("check", []) and not id_pattern.match(cell["id"]):
            return False
        if "type" in detect.get("check", []) and cell.get("type") not in spec["types"]:
            return False
    return True


def detect_format(path: Path) -> Format:
    """The format of the file at `path`, from its first lines; FormatError listing the
    formats when none fits."""
    text = _sample(path)
    if not text.strip():
        raise FormatError(f"{path}: the file is empty; the formats are: {known_formats_text()}")
    if _looks_ftm(text):
        return next(f for f in formats().values() if f.reader == "ftm")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))[:20]
    except csv.Error:
        records = []
    for fmt in formats().values():
        if fmt.reader == "csv" and _csv_matches(fmt, records):
            return fmt
    raise FormatError(f"{path}: not a file of any known format. The formats are: {known_formats_text()}. "
                      "Name one with --format if the file is one of them, or add a mapping file "
                      "(see docs/sanctions.md)")
