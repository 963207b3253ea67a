"""Exports for other tools (GeoJSON, CSV, Forensic Architecture's TimeMap JSON) and the
public view of a case that the web's --read-only mode and every export share.

A public view keeps only records whose sensitivity is `public`, and drops every record
that would point at, or only make sense with, a record it left out: a claim whose party,
operator or every capture is withheld goes too, so no withheld id or text can surface
through a reference.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any, Iterable

from ..model import COLLECTIONS, Capture, Case, Claim, SanctionsMeasure, Sensitivity, Statement
from ..views import Lookup, incident_json


def public_case(case: Case) -> Case:
    """The case as the public may see it: public records only, with no reference left
    to one that is withheld (references are removed; a record left without what it
    rests on is withheld too). Repeats until nothing more is dropped."""
    keep = {rec.id: rec for _, _, rec in case.records() if rec.sensitivity is Sensitivity.public}
    changed = True
    while changed:
        changed = False
        for rid, rec in list(keep.items()):
            new = _prune(rec, keep)
            if new is None:
                del keep[rid]
                changed = True
            elif new is not rec:
                keep[rid] = new
                changed = True
    parts = {name: [keep[r.id] for r in getattr(case, name) if r.id in keep] for name in COLLECTIONS}
    return case.model_copy(update=parts)


def _kept(ids: Iterable[str], keep: dict) -> list[str]:
    return [i for i in ids if i in keep]


def _prune(rec, keep: dict):
    """`rec` with references to withheld records removed; None when it cannot stand
    without them; `rec` itself when nothing changes."""
    update: dict[str, Any] = {}
    if isinstance(rec, Claim):
        if rec.party not in keep or (rec.operator and rec.operator not in keep):
            return None
        caps = _kept(rec.captures, keep)
        incs = _kept(rec.incidents, keep)
        if not caps or (rec.incidents and not incs):
            return None  # nothing left to rest on, or only about withheld incidents
        if caps != rec.captures:
            update["captures"] = caps
        if incs != rec.incidents:
            update["incidents"] = incs
        if rec.retracts and rec.retracts not in keep:
            update["retracts"] = None
        if rec.repeats and rec.repeats not in keep:
            update["repeats"] = None
    elif isinstance(rec, (Statement, SanctionsMeasure)):
        if isinstance(rec, Statement) and rec.speaker not in keep:
            return None
        caps = _kept(rec.captures, keep)
        if not caps:
            return None
        if caps != rec.captures:
            update["captures"] = caps
    elif isinstance(rec, Capture):
        if rec.source not in keep:
            return None
        if rec.repost_of and rec.repost_of not in keep:
            update["repost_of"] = None
    else:  # any other record: drop references to withheld ones
        for field in ("part_of", "actor"):  # an actor's parent, a source's actor
            ref = getattr(rec, field, None)
            if ref and ref not in keep:
                update[field] = None
    return rec.model_copy(update=update) if update else rec


def _claims_by_incident(case: Case) -> dict[str, list[Claim]]:
    found: dict[str, list[Claim]] = defaultdict(list)
    for claim in case.claims:
        for inc in dict.fromkeys(claim.incidents):
            found[inc].append(claim)
    return found


def _lookup(case: Case) -> Lookup:
    index = case.by_id()
    return Lookup(lambda rid: ("", index[rid]) if rid in index else None)


def incident_rows(case: Case, attributions: dict[str, dict] | None = None) -> list[dict[str, Any]]:
    """Every incident in the JSON shape of `whopushed incidents --json`, earliest first,
    with `attribution` (most likely operator and posterior) where one was given."""
    look = _lookup(case)
    by_incident = _claims_by_incident(case)
    rows = []
    for inc in case.incidents:
        row = incident_json(inc, by_incident.get(inc.id, []), look)
        if attributions is not None:
            row["attribution"] = attribution_summary(attributions.get(inc.id))
        rows.append(row)
    rows.sort(key=lambda r: (r["when"]["earliest"] is None, r["when"]["earliest"] or "", r["id"]))
    return rows


def attribution_summary(a: dict | None) -> dict[str, Any] | None:
    """The headline of an assessment: the most likely operator (None when no evidence
    rates any hypothesis, 'tie' listed apart) and each hypothesis' posterior."""
    if not a:
        return None
    rated = any(not h["unrated"] for h in a["hypotheses"])
    posterior = {h["id"]: h["posterior"] for h in a["hypotheses"]}
    top = a["most_likely"] if rated and not a["tied"] else None
    return {"most_likely": top, "tied": list(a["tied"]) if rated else [],
            "posterior": posterior, "top_posterior": posterior.get(a["most_likely"]) if rated else None,
            "rows": len(a["evidence"]), "linchpins": [e["id"] for e in a["evidence"] if e["linchpin"]]}


# GeoJSON

def _point(place: dict | None) -> list[float] | None:
    if place and place.get("lat") is not None and place.get("lon") is not None:
        return [place["lon"], place["lat"]]
    return None


def incident_features(row: dict[str, Any]) -> list[dict[str, Any]]:
    """An incident as GeoJSON features: its launch point, its impact point (each with its
    precision and radius) and the line between them, all carrying the incident's id."""
    base = {"incident": row["id"], "title": row["title"], "kind": row["kind"], "when": row["when"]["value"],
            "earliest": row["when"]["earliest"], "latest": row["when"]["latest"],
            "launch_territory": row["launch_territory"], "weapons": row["weapons"],
            "excluded": row["excluded"] is not None, "attribution": row.get("attribution")}
    features = []
    launch, impact = _point(row["launch_area"]), _point(row["impact_area"])
    for role, point, place in (("launch", launch, row["launch_area"]), ("impact", impact, row["impact_area"])):
        if point:
            features.append({"type": "Feature", "id": f"{row['id']}:{role}",
                             "geometry": {"type": "Point", "coordinates": point},
                             "properties": {**base, "role": role, "place": place["name"],
                                            "precision": place["precision"], "radius_km": place["radius_km"]}})
    if launch and impact:
        features.append({"type": "Feature", "id": f"{row['id']}:path",
                         "geometry": {"type": "LineString", "coordinates": [launch, impact]},
                         "properties": {**base, "role": "path"}})
    return features


def geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [f for r in rows for f in incident_features(r)]}


# CSV

CSV_COLUMNS = ["id", "kind", "title", "when", "precision", "earliest", "latest", "launch_territory",
               "launch_area", "launch_lat", "launch_lon", "launch_precision", "launch_radius_km",
               "impact_area", "impact_lat", "impact_lon", "impact_precision", "impact_radius_km",
               "weapons", "targets", "killed", "injured", "excluded", "most_likely", "top_posterior",
               "claims", "parties", "sources"]


def _csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ is prefixed with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        la, ia, cas, att = r["launch_area"] or {}, r["impact_area"] or {}, r["casualties"] or {}, r.get("attribution") or {}
        writer.writerow({k: _csv_cell(v) for k, v in {
            "id": r["id"], "kind": r["kind"], "title": r["title"], "when": r["when"]["value"],
            "precision": r["when"]["precision"], "earliest": r["when"]["earliest"], "latest": r["when"]["latest"],
            "launch_territory": r["launch_territory"], "launch_area": la.get("name"), "launch_lat": la.get("lat"),
            "launch_lon": la.get("lon"), "launch_precision": la.get("precision"), "launch_radius_km": la.get("radius_km"),
            "impact_area": ia.get("name"), "impact_lat": ia.get("lat"), "impact_lon": ia.get("lon"),
            "impact_precision": ia.get("precision"), "impact_radius_km": ia.get("radius_km"),
            "weapons": "; ".join(r["weapons"]), "targets": r["targets"], "killed": cas.get("killed"),
            "injured": cas.get("injured"), "excluded": r["excluded"], "most_likely": att.get("most_likely"),
            "top_posterior": att.get("top_posterior"), "claims": "; ".join(r["claims"]),
            "parties": "; ".join(p["name"] for p in r["parties"]),
            "sources": " ".join(s.get("url") or s["capture"] for s in r["sources"]),
        }.items()})
    return buf.getvalue()


# TimeMap (Forensic Architecture): events, sources, associations

def _timemap_date(when: dict) -> tuple[str, str]:
    """TimeMap's date (MM/DD/YYYY) and time (HH:MM), from the UTC start of the window."""
    start = when.get("earliest")
    if not start:
        return "", ""
    day, _, clock = start.partition("T")
    y, m, d = day.split("-")
    precise = when["precision"] in ("minute", "hour")
    return f"{m}/{d}/{y}", (clock[:5] if precise else "")


def timemap(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The case as TimeMap's three data sets. Events are incidents at their launch point
    (else the impact point); associations are filters by launch territory, kind, weapon
    and most likely operator; sources are the captures behind the incidents."""
    associations: dict[str, dict[str, Any]] = {}

    def assoc(path: list[str]) -> str:
        aid = "/".join(path)
        associations.setdefault(aid, {"id": aid, "title": path[-1], "desc": "", "mode": "FILTER",
                                      "filter_paths": path})
        return aid

    events, sources = [], {}
    for r in rows:
        place = r["launch_area"] if _point(r["launch_area"]) else (r["impact_area"] if _point(r["impact_area"]) else None)
        date, time = _timemap_date(r["when"])
        tags = [assoc(["Kind", r["kind"]]), assoc(["Launched from", r["launch_territory"] or "unknown"])]
        tags += [assoc(["Weapon", w]) for w in r["weapons"]]
        att = r.get("attribution") or {}
        if att:
            tags.append(assoc(["Most likely operator", att.get("most_likely") or ("tie" if att.get("tied") else "no evidence")]))
        for s in r["sources"]:
            sources.setdefault(s["capture"], {
                "id": s["capture"], "title": s.get("title") or s["capture"], "type": s.get("preservation", ""),
                "paths": [s["url"]] if s.get("url") else [], "url": s.get("url") or "",
                "description": f"{s.get('publisher') or ''} (reliability {s.get('reliability') or '?'})".strip(),
                "date": s.get("published") or "", "author": s.get("publisher") or "",
                "notes": f"sha256 {s['sha256']}" if s.get("sha256") else "citation-only"})
        events.append({
            "id": r["id"], "description": f"{r['title']}. {r['summary'] or ''}".strip(),
            "date": date, "time": time, "time_precision": r["when"]["precision"], "time_display": r["when"]["value"],
            "location": place["name"] if place else "", "latitude": str(place["lat"]) if place else "",
            "longitude": str(place["lon"]) if place else "", "category": r["kind"], "type": r["kind"],
            "associations": tags, "sources": [s["capture"] for s in r["sources"]],
            "comments": r["excluded"] or ""})
    return {"events": events, "sources": sources, "associations": list(associations.values())}


def write_export(kind: str, case: Case, attributions: dict[str, dict] | None = None) -> str:
    """`kind`: geojson, csv or timemap; the text of the file."""
    rows = incident_rows(case, attributions)
    if kind == "geojson":
        return json.dumps(geojson(rows), ensure_ascii=False, indent=1) + "\n"
    if kind == "csv":
        return csv_text(rows)
    if kind == "timemap":
        return json.dumps(timemap(rows), ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown export {kind!r}: use geojson, csv or timemap")

