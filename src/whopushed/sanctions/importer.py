"""Import one sanctions list file: find its format, read it as a stream, store its targets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from ..ingest.errors import InputIssue
from .formats import Format, FormatError, detect_format, get_format
from .programmes import load_programmes
from .readers import ReadStats, read_addresses, read_csv, read_ftm
from .store import ImportSummary, save

# (bytes done, bytes in all): the CLI draws its progress bar from it
Progress = Callable[[int, int], None]


def _beside(fmt: Format, path: Path) -> Path | None:
    """The address file next to the list: its name with the format's replacements made."""
    for old, new in fmt.spec["addresses"].get("beside", {}).items():
        if old in path.name:
            candidate = path.with_name(path.name.replace(old, new))
            if candidate != path and candidate.is_file():
                return candidate
    return None


def import_file(engine: sa.Engine, path: str | Path, format: str | None = None,
                addresses: str | Path | None = None, source: str | None = None,
                progress: Progress | None = None) -> ImportSummary:
    """Import a sanctions list file into the store behind `engine`, in one transaction.

    format: a format name (see formats/); detected from the file when None.
    addresses: the address file, for formats that have one (ofac-sdn); looked for beside
    the file when None. source: the source id to store targets under (default: the
    format's). Raises FormatError (unknown format, missing file, wrong header); malformed
    rows do not raise: they are in the summary's problems, with their line."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    fmt = get_format(format) if format else detect_format(path)
    source = source or fmt.source
    summary = ImportSummary(file=str(path), format=fmt.name, source=source)
    stats = ReadStats()
    size = path.stat().st_size
    address_map = None
    if "addresses" in fmt.spec:
        address_path = Path(addresses) if addresses else _beside(fmt, path)
        if addresses and not address_path.is_file():
            raise FormatError(f"{address_path}: no such address file")
        if address_path is not None:
            issues: list[InputIssue] = []
            address_map = read_addresses(fmt, address_path, stats, issues)
            for issue in issues:
                summary.problem(issue)
            summary.addresses = str(address_path)
        else:
            summary.notes.append("no address file given or found beside the list: countries come from "
                                 "the remarks only")
    elif addresses:
        raise FormatError(f"the {fmt.name} format has no address file; leave out --addresses")
    if fmt.reader == "ftm":
        total = 2 * size  # read twice: Sanction entities first

        def step(done: int) -> None:
            progress(done, total)

        items = read_ftm(fmt, path, stats, step if progress else None)
    else:
        def step(done: int) -> None:
            progress(done, size)

        items = read_csv(fmt, path, stats, address_map, step if progress else None)
    return save(engine, fmt, source, items, summary, load_programmes(), stats)
