"""The pages: overview, incidents (table, map, timeline), one incident, any record,
statements, the determination, search. Server-rendered; the scripts only draw the map
and the timeline from /api."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from starlette.exceptions import HTTPException

from ...model import Incident
from ..render import env, render
from .common import incident_detail, lenient_query, snapshot

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, **context) -> HTMLResponse:
    return HTMLResponse(render(request, template, **context))


@router.get("/")
def overview(request: Request):
    snap = snapshot(request)
    det = snap.determination()
    return _page(request, "overview.html", summary=snap.summary, determination=det)


@router.get("/incidents")
def incidents(request: Request):
    snap = snapshot(request)
    q = lenient_query(request.query_params)
    row = env.get_template("_incident_row.html")
    page = snap.incident_page(q, row=lambda inc: Markup(snap.rendered_row(inc, lambda r: row.render(i=r))))
    return _page(request, "incidents.html", q=q, params=q.params(), page=page, rows_html=page.items, snap=snap,
                 hypotheses=snap.hypotheses, weapons=snap.weapons, territories=snap.territories)


@router.get("/incidents/{incident_id}")
def incident(request: Request, incident_id: str):
    snap = snapshot(request)
    data = incident_detail(snap, incident_id)
    captures = {}
    for claim in data["claims"]:
        for src in claim["sources"]:
            captures.setdefault(src["capture"], src)
    return _page(request, "incident.html", i=data, a=data["assessment"], captures=list(captures.values()),
                 hypotheses=snap.hypotheses, meta=snap.case.case)


@router.get("/records/{record_id}")
def record(request: Request, record_id: str):
    snap = snapshot(request)
    rec = snap.index.get(record_id)
    if isinstance(rec, Incident):
        return RedirectResponse(f"/incidents/{record_id}", status_code=303)
    data = snap.record(record_id)
    if data is None:
        raise HTTPException(404, "no record with that id")
    citing = []
    if data["collection"] == "captures":
        citing = [snap.record(c.id) for c in snap.claims_citing(record_id)]
    return _page(request, "record.html", r=data, citing=citing)


@router.get("/statements")
def statements(request: Request):
    snap = snapshot(request)
    speaker = (request.query_params.get("speaker") or "").strip()[:128] or None
    rows = snap.statements(speaker)
    contradictions = snap.contradictions()
    partner: dict[str, list[dict]] = defaultdict(list)
    for c in contradictions:
        partner[c["first"]["id"]].append({"other": c["second"], "why": c["why"], "stances": c["stances"]})
        partner[c["second"]["id"]].append({"other": c["first"], "why": c["why"], "stances": c["stances"]})
    speakers: dict[str, dict] = {}
    for st in rows:
        sp = speakers.setdefault(st["speaker"]["id"], {"speaker": st["speaker"], "statements": []})
        sp["statements"].append(st)
    stamps = [datetime.fromisoformat(st["made"]["earliest"]).timestamp() for st in rows if st["made"]["earliest"]]
    low, high = (min(stamps), max(stamps)) if stamps else (0.0, 1.0)
    place = {st["id"]: (datetime.fromisoformat(st["made"]["earliest"]).timestamp() - low) / ((high - low) or 1.0)
             for st in rows if st["made"]["earliest"]}  # 0..1 across the span, for the strips
    years = list(range(datetime.fromtimestamp(low).year + 1, datetime.fromtimestamp(high).year + 1)) if stamps else []
    ticks = [(y, (datetime(y, 1, 1).timestamp() - low) / ((high - low) or 1.0)) for y in years]
    return _page(request, "statements.html", speakers=list(speakers.values()), partner=partner,
                 contradictions=contradictions, speaker=speaker, place=place, ticks=ticks, total=len(rows),
                 span=(rows and stamps) and (datetime.fromtimestamp(low).date(), datetime.fromtimestamp(high).date()))


@router.get("/determination")
def determination(request: Request):
    snap = snapshot(request)
    det = snap.determination()
    findings: dict[str, dict] = {f["id"]: {**f, "items": []} for f in det["findings"]}
    seen = set()
    for c in det["conclusions"]:
        for item in c["evidence"]:
            key = (item["finding"], item["side"], item["id"])
            if key not in seen and item["finding"] in findings:
                seen.add(key)
                findings[item["finding"]]["items"].append(item)
    conclusion_ids = {c["id"] for c in det["conclusions"]}
    return _page(request, "determination.html", d=det, findings=findings, conclusion_ids=conclusion_ids,
                 collection=snap.collection)


@router.get("/sanctions")
def sanctions(request: Request):
    """Sanctions parity (policy, not law): imported lists and the case's measures."""
    from ...sanctions import parity_report

    snap = snapshot(request)
    report = parity_report(request.app.state.workbench.store, measures=snap.case.sanctions)
    return _page(request, "sanctions.html", p=report, case=snap.case.case)


@router.get("/search")
def search(request: Request):
    snap = snapshot(request)
    text = (request.query_params.get("q") or "").strip()[:200]
    hits = request.app.state.workbench.search(text, 100) if text else []
    titles = {h["id"]: getattr(snap.index.get(h["id"]), "title", None) or getattr(snap.index.get(h["id"]), "name", None)
              for h in hits}
    partial = request.headers.get("HX-Request") == "true"
    return _page(request, "search_results.html" if partial else "search.html", q=text, search_text=text, hits=hits,
                 titles=titles)
