"""The programme-to-state table (programmes.yaml) and the country-name table (countries.yaml):
data files, read and checked here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROGRAMMES_FILE = HERE / "programmes.yaml"
COUNTRIES_FILE = HERE / "countries.yaml"
_JURISDICTION = re.compile(r"^[A-Z]{2,3}$")
_STATE = re.compile(r"^[A-Z]{2}$")


class TableError(Exception):
    """A programme or country table is malformed."""


@dataclass(frozen=True)
class Programme:
    code: str
    jurisdiction: str  # who imposes it: US, EU, GB, ...
    state: str | None  # whose conduct it answers; None for thematic programmes
    reading: str


def parse_programmes(data: object, name: str = "programmes.yaml") -> dict[str, Programme]:
    """The table as Programme records by code; TableError naming the entry at fault."""
    if not isinstance(data, dict) or not isinstance(data.get("programmes"), dict):
        raise TableError(f"{name}: the file holds 'programmes:', a mapping of codes to entries")
    table = {}
    for code, entry in data["programmes"].items():
        where = f"{name}: programme {code!r}"
        if not isinstance(entry, dict):
            raise TableError(f"{where}: give jurisdiction, state and reading")
        unknown = set(entry) - {"jurisdiction", "state", "reading"}
        if unknown:
            raise TableError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        jurisdiction, state, reading = entry.get("jurisdiction"), entry.get("state"), entry.get("reading")
        if not isinstance(jurisdiction, str) or not _JURISDICTION.match(jurisdiction):
            raise TableError(f"{where}: jurisdiction {jurisdiction!r} is not a code such as US or EU")
        if state is not None and (not isinstance(state, str) or not _STATE.match(state)):
            raise TableError(f"{where}: state {state!r} is not an ISO 3166 code (or null)")
        if not isinstance(reading, str) or not reading.strip():
            raise TableError(f"{where}: say in 'reading' why it answers that state's conduct")
        table[str(code)] = Programme(str(code), jurisdiction, state, " ".join(reading.split()))
    return table


@lru_cache(maxsize=4)
def load_programmes(path: Path | None = None) -> dict[str, Programme]:
    path = path or PROGRAMMES_FILE
    with open(path, encoding="utf-8") as fh:
        return parse_programmes(yaml.safe_load(fh), str(path))


@lru_cache(maxsize=1)
def load_countries() -> dict[str, str | None]:
    """Country names as lists write them -> ISO 3166 alpha-2 (None: no single state)."""
    with COUNTRIES_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for name, code in data.items():
        if code is not None and (not isinstance(code, str) or not _STATE.match(code)):
            raise TableError(f"{COUNTRIES_FILE}: {name!r} maps to {code!r}, not an ISO 3166 code")
    return data
