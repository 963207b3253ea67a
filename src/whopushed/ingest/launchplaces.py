"""Launch places as datasets write them -> places with their launch territory.

The table is data (`mappings/launch-places.yaml`, or a mapping's own file); this module
only reads it and resolves what a row says. A direction ("north") is kept with a null
territory; a name the table does not know is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..model import GeoPrecision, Place

_TERRITORY = re.compile(r"^([A-Z]{2}|SEA|AIR)$")
_KEYS = {"territory", "precision", "lat", "lon", "aliases", "same_as", "note"}


class GazetteerError(ValueError):
    pass


@dataclass(frozen=True)
class Resolved:
    """What one written entry resolves to: places (each with its country = territory),
    directions named, and the entry itself when nothing knows it."""

    places: tuple[Place, ...] = ()
    directions: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class LaunchGazetteer:
    places: dict[str, Place] = field(default_factory=dict)  # folded name -> place
    splits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded name -> names
    directions: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, data: Any, name: str = "gazetteer") -> LaunchGazetteer:
        if not isinstance(data, dict) or not isinstance(data.get("places"), dict):
            raise GazetteerError(f"{name}: expected a mapping with 'places:'")
        gaz = cls(directions=frozenset(_key(d) for d in data.get("directions") or ()))
        for pname, spec in data["places"].items():
            where = f"{name}: places.{pname}"
            if not isinstance(spec, dict):
                raise GazetteerError(f"{where}: expected a mapping")
            unknown = set(spec) - _KEYS
            if unknown:
                raise GazetteerError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
            if "same_as" in spec:
                gaz.splits[_key(pname)] = tuple(str(x) for x in spec["same_as"])
                continue
            terr = str(spec.get("territory", ""))
            if not _TERRITORY.match(terr):
                raise GazetteerError(f"{where}: territory {terr!r} is not an ISO 3166 alpha-2 code, SEA or AIR")
            if spec.get("lat") is not None and spec.get("lon") is not None:
                # the shipped borders decide, never the name list alone (extract/borders.py)
                from ..extract.borders import decide

                terr = decide(float(spec["lat"]), float(spec["lon"]), terr) or terr
            try:
                place = Place(name=str(pname), country=terr, precision=GeoPrecision(spec.get("precision", "locality")),
                              lat=spec.get("lat"), lon=spec.get("lon"))
            except ValueError as exc:
                raise GazetteerError(f"{where}: {exc}") from None
            for alias in [pname, *(spec.get("aliases") or ())]:
                gaz.places[_key(str(alias))] = place
        for pname, parts in gaz.splits.items():
            missing = [p for p in parts if _key(p) not in gaz.places]
            if missing:
                raise GazetteerError(f"{name}: places.{pname}: same_as names {missing}, which the table does not hold")
        return gaz

    @classmethod
    def load(cls, path: str | Path | None = None) -> LaunchGazetteer:
        if path is None:
            text = resources.files("whopushed.ingest").joinpath("mappings", "launch-places.yaml").read_text("utf-8")
            return cls.from_dict(yaml.safe_load(text), "launch-places.yaml")
        return cls.from_dict(yaml.safe_load(Path(path).read_text("utf-8")), str(path))

    def resolve(self, entry: str) -> Resolved:
        """One written entry ("Kursk oblast", "Chauda, Crimea", "north")."""
        k = _key(entry.strip().removeprefix("and ").strip())
        if not k:
            return Resolved()
        if k in self.directions or k.endswith(" direction"):  # "Mariupol direction" points, it names no launch site
            return Resolved(directions=(entry.strip(),))
        if k in self.places:
            return Resolved(places=(self._stated(self.places[k], entry),))
        if k in self.splits:
            return Resolved(places=tuple(self._stated(self.places[_key(p)], entry) for p in self.splits[k]))
        # "Place, Region": the most specific part the table knows
        parts = [p.strip() for p in entry.split(",") if p.strip()]
        if len(parts) > 1:
            for part in parts:
                if _key(part) in self.places:
                    return Resolved(places=(self._stated(self.places[_key(part)], entry),))
        return Resolved(unknown=(entry.strip(),))

    @staticmethod
    def _stated(place: Place, entry: str) -> Place:
        stated = entry.strip()
        return place if stated == place.name else place.model_copy(update={"stated": stated})

    def resolve_all(self, entries: list[str]) -> Resolved:
        places: list[Place] = []
        directions: list[str] = []
        unknown: list[str] = []
        for e in entries:
            r = self.resolve(e)
            places += [p for p in r.places if p not in places]
            directions += r.directions
            unknown += r.unknown
        return Resolved(tuple(places), tuple(directions), tuple(unknown))
