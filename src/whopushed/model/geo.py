"""Places with the precision a source gives them; launch territory by de jure borders."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# ISO 3166-1 alpha-2, or SEA / AIR when only "from the sea" / "from aircraft" is known.
# Occupied Ukrainian territory, Crimea included, is UA.
Territory = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2}|SEA|AIR)$")]


class GeoPrecision(str, Enum):
    exact = "exact"
    vicinity = "vicinity"
    locality = "locality"
    region = "region"
    country = "country"


# The radius drawn around a point when a source gives no better figure.
DEFAULT_RADIUS_KM = {
    GeoPrecision.exact: 0.1,
    GeoPrecision.vicinity: 5.0,
    GeoPrecision.locality: 15.0,
    GeoPrecision.region: 100.0,
    GeoPrecision.country: 300.0,
}


class Place(BaseModel):
    """A point or an area named by a source, with how precisely it is known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    country: Territory | None = None
    precision: GeoPrecision
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0)
    stated: str | None = None

    @property
    def effective_radius_km(self) -> float:
        return self.radius_km or DEFAULT_RADIUS_KM[self.precision]
