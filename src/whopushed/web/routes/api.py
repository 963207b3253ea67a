"""The REST API under /api: the same queries as the pages, as JSON (docs/json.md)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import schemas as s
from ..workbench import IncidentQuery
from .common import incident_detail, incident_query, parse_bbox, snapshot

router = APIRouter(prefix="/api", tags=["api"])
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": s.ErrorOut, "description": "A parameter that cannot be read"},
                                           503: {"model": s.ErrorOut, "description": "No case imported yet"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": s.ErrorOut, "description": "No such record"}}


def _id_param():
    # one Path() per route: FastAPI binds a parameter object to the first name it serves
    return Path(..., max_length=128, description="A record id: INC-04, cl-…, cap-001, ST-12, act-…")


class JSON(JSONResponse):
    """JSON without a response model's second validation pass: the shapes are documented
    in the OpenAPI document, and the tests check responses against it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _ok(model) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": "OK"}}


@router.get("/case", response_class=JSON, responses={**_ok(s.CaseOut), **ERRORS}, summary="The case at a glance")
def case(request: Request):
    snap = snapshot(request)
    summary = snap.summary
    return JSON({"case": summary["case"], "counts": summary["counts"], "read_only": snap.read_only,
                 "summary": summary, "hypotheses": snap.hypotheses})


@router.get("/incidents", response_class=JSON, responses={**_ok(s.IncidentPage), **ERRORS},
            summary="Incidents, filtered, sorted and paginated")
def incidents(request: Request, q: IncidentQuery = Depends(incident_query)):
    page = snapshot(request).incident_page(q)
    return JSON({"total": page.total, "page": page.page, "per_page": page.per_page, "pages": page.pages,
                 "items": page.items})


@router.get("/incidents/{incident_id}", response_class=JSON, responses={**_ok(s.IncidentDetail), **NOT_FOUND},
            summary="One incident: claims, sources, the weighing, what is contested")
def incident(request: Request, incident_id: str = _id_param()):
    return JSON(incident_detail(snapshot(request), incident_id))


@router.get("/records/{record_id}", response_class=JSON, responses={**_ok(s.RecordOut), **NOT_FOUND},
            summary="Any record, as `whopushed show ID --json`")
def record(request: Request, record_id: str = _id_param()):
    data = snapshot(request).record(record_id)
    if data is None:
        raise HTTPException(404, "no record with that id")
    return JSON(data)


@router.get("/statements", response_class=JSON, responses={**_ok(list[s.StatementOut]), **ERRORS},
            summary="Statements, earliest first")
def statements(request: Request, speaker: str | None = Query(None, max_length=128,
                                                            description="Actor id, or part of a name in any script.")):
    return JSON(snapshot(request).statements(speaker))


@router.get("/contradictions", response_class=JSON, responses={**_ok(list[s.ContradictionOut]), **ERRORS},
            summary="Pairs of one speaker's statements that cannot both be true")
def contradictions(request: Request):
    return JSON(snapshot(request).contradictions())


@router.get("/determination", response_class=JSON, responses={**_ok(s.DeterminationOut), **ERRORS},
            summary="What follows in law, the premises, the evidence and the flips")
def determination(request: Request, as_of: str | None = Query(None, max_length=64, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                                              description="Weigh only what was published by this date.")):
    return JSON(snapshot(request).determination(as_of))


@router.get("/search", response_class=JSON, responses={**_ok(list[s.SearchHitOut]), **ERRORS},
            summary="Full-text search in any script")
def search(request: Request, q: str = Query(..., min_length=1, max_length=200),
           limit: int = Query(50, ge=1, le=500)):
    snapshot(request)
    return JSON(request.app.state.workbench.search(q, limit))


@router.get("/geojson", response_class=JSON, responses={**_ok(s.FeatureCollectionOut), **ERRORS},
            summary="Launch and impact points of the matching incidents in a viewport")
def geojson(request: Request, q: IncidentQuery = Depends(incident_query),
            bbox: str | None = Query(None, max_length=200, description="west,south,east,north in degrees"),
            limit: int = Query(2000, ge=1, le=20000, description="At most this many incidents"),
            cluster_above: int = Query(300, ge=0, le=20000, description="When more incidents match, answer with "
                                       "grid cells (properties: cluster, count, bbox) instead of points")):
    return JSON(snapshot(request).geojson(q, parse_bbox(bbox), limit, cluster_above))
