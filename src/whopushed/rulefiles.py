"""Reading rule and lexicon files (shipped in reason/rules/, or the user's own). `reason`
itself takes the parsed data, so it stays free of I/O."""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def load_yaml(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """A rule file by name from the package (`rules/NAME`), or from `path` when given."""
    if path is not None:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return copy.deepcopy(_packaged(name))  # callers may edit what they get


# libyaml's loader where PyYAML has it (its wheels do): the same data, several times sooner,
# which every command that starts the detector waits for
_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def packaged_yaml(text: str) -> Any:
    """A data file shipped with the package, parsed (users' own files go through safe_load,
    whose errors name the line)."""
    return yaml.load(text, Loader=_SAFE)  # noqa: S506 - a safe loader


@lru_cache(maxsize=None)
def _packaged(name: str) -> dict[str, Any]:
    text = resources.files("whopushed.reason").joinpath("rules", name).read_text(encoding="utf-8")
    return packaged_yaml(text)
