"""The shapes users see: the JSON of `--json`, and later the web API and exports.

These shapes are documented in docs/json.md and kept stable: add fields, never rename.
Every record that rests on evidence carries `sources`, each with its URL and whether
the capture is preserved or citation-only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from .model import Actor, Capture, Claim, Incident, Place, Record, SanctionsMeasure, Source, Statement, When

Getter = Callable[[str], "tuple[str, Record] | None"]


def when_json(when: When | None) -> dict[str, Any] | None:
    if when is None:
        return None
    earliest, latest, precision = when.bounds()
    return {
        "value": when.value,
        "precision": precision.value,
        "earliest": earliest.isoformat() if earliest else None,
        "latest": latest.isoformat() if latest else None,
        "year_known": when.year_known,
        "approximate": when.approximate,
        "stated": when.stated,
    }


def place_json(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    data = place.model_dump(mode="json")
    data["radius_km"] = place.effective_radius_km
    return data


class Lookup:
    """Resolves ids to records through a store's `get`, remembering what it has seen."""

    def __init__(self, get: Getter):
        self._get = lru_cache(maxsize=65536)(get)

    def record(self, rid: str | None) -> Record | None:
        if not rid:
            return None
        found = self._get(rid)
        return found[1] if found else None

    def name(self, rid: str | None) -> str | None:
        rec = self.record(rid)
        return getattr(rec, "name", None) or rid

    def source_ref(self, capture_id: str) -> dict[str, Any]:
        cap = self.record(capture_id)
        if not isinstance(cap, Capture):
            return {"capture": capture_id, "missing": True}
        src = self.record(cap.source)
        return {
            "capture": cap.id,
            "url": cap.url,
            "title": cap.title,
            "published": cap.published.value if cap.published else None,
            "publisher": src.name if isinstance(src, Source) else cap.source,
            "source": cap.source,
            "reliability": src.reliability.value if isinstance(src, Source) else None,
            "preservation": cap.preservation,
            "sha256": cap.sha256,
        }

    def sources(self, capture_ids: list[str]) -> list[dict[str, Any]]:
        return [self.source_ref(c) for c in dict.fromkeys(capture_ids)]

    def party(self, rid: str) -> dict[str, Any]:
        actor = self.record(rid)
        if isinstance(actor, Actor):
            return {"id": actor.id, "name": actor.name, "kind": actor.kind.value, "state": actor.state}
        return {"id": rid, "name": rid}


def claim_json(claim: Claim, look: Lookup) -> dict[str, Any]:
    return {
        "id": claim.id,
        "kind": claim.kind.value,
        "party": look.party(claim.party),
        "text": claim.text,
        "polarity": claim.polarity.value,
        "made": when_json(claim.made),
        "credibility": claim.credibility.value,
        "credibility_label": claim.credibility.label,
        "credibility_why": claim.credibility_why,
        "quote": claim.quote,
        "quote_language": claim.quote_language,
        "quote_is_translation": claim.quote_is_translation,
        "incidents": claim.incidents,
        "when": when_json(claim.when),
        "launch_territory": claim.launch_territory,
        "launch_area": place_json(claim.launch_area),
        "impact_area": place_json(claim.impact_area),
        "weapons": claim.weapons,
        "count": claim.count,
        "count_max": claim.count_max,
        "operator": look.party(claim.operator) if claim.operator else None,
        "operator_state": claim.operator_state,
        "retracts": claim.retracts,
        "repeats": claim.repeats,
        "sensitivity": claim.sensitivity.value,
        "sources": look.sources(claim.captures),
    }


def incident_json(incident: Incident, claims: list[Claim], look: Lookup,
                  full: bool = False) -> dict[str, Any]:
    """An incident; its sources are the captures of the claims that report it."""
    data: dict[str, Any] = {
        "id": incident.id,
        "kind": incident.kind.value,
        "title": incident.title,
        "summary": incident.summary,
        "when": when_json(incident.when),
        "launch_territory": incident.launch_territory,
        "launch_area": place_json(incident.launch_area),
        "impact_area": place_json(incident.impact_area),
        "weapons": incident.weapons,
        "targets": incident.targets,
        "casualties": incident.casualties.model_dump(mode="json") if incident.casualties else None,
        "aggregate": incident.aggregate,
        "excluded": incident.excluded,
        "sensitivity": incident.sensitivity.value,
        "parties": [look.party(p) for p in dict.fromkeys(c.party for c in claims)],
        "claims": [claim_json(c, look) for c in claims] if full else [c.id for c in claims],
        "sources": look.sources([cap for c in claims for cap in c.captures]),
    }
    return data


def statement_json(st: Statement, look: Lookup, classification=None) -> dict[str, Any]:
    """A statement with its stances: `classification` is reason.stances' Classification;
    without it only an override is known and the rest reads `unclassified`."""
    if classification is None:
        stances = [s.value for s in st.stances]
        source, rules = ("override" if stances else "unclassified"), []
    else:
        stances, source, rules = list(classification.stances), classification.source, list(classification.rules)
    return {
        "id": st.id,
        "speaker": look.party(st.speaker),
        "speaker_role": st.speaker_role,
        "made": when_json(st.made),
        "quote": st.quote,
        "language": st.language,
        "is_translation": st.is_translation,
        "rendering_en": st.rendering_en,
        "stances": stances,
        "stance_source": source,
        "stance_rules": rules,
        "credibility": st.credibility.value,
        "credibility_why": st.credibility_why,
        "sensitivity": st.sensitivity.value,
        "sources": look.sources(st.captures),
    }


def contradiction_json(c, statements: dict[str, Statement], classifications: dict, look: Lookup) -> dict[str, Any]:
    """Two statements of one speaker that cannot both be true (reason.stances.Contradiction)."""
    return {
        "speaker": look.party(c.speaker),
        "first": statement_json(statements[c.first], look, classifications.get(c.first)),
        "second": statement_json(statements[c.second], look, classifications.get(c.second)),
        "stances": list(c.stances),
        "why": c.why,
        "rule": c.rule,
    }


def sanctions_json(m: SanctionsMeasure, look: Lookup) -> dict[str, Any]:
    data = m.model_dump(mode="json", exclude={"captures", "when", "counterpart"})
    data["when"] = when_json(m.when)
    if m.counterpart:
        data["counterpart"] = {**m.counterpart.model_dump(mode="json", exclude={"when"}),
                               "when": when_json(m.counterpart.when)}
    data["sources"] = look.sources(m.captures)
    return data


def record_json(collection: str, rec: Record, look: Lookup, claims: list[Claim] | None = None,
                classification=None) -> dict[str, Any]:
    """Any record, for `show`: the richest view there is for its kind."""
    if isinstance(rec, Incident):
        body = incident_json(rec, claims or [], look, full=True)
    elif isinstance(rec, Claim):
        body = claim_json(rec, look)
    elif isinstance(rec, Statement):
        body = statement_json(rec, look, classification)
    elif isinstance(rec, SanctionsMeasure):
        body = sanctions_json(rec, look)
    elif isinstance(rec, Capture):
        body = rec.model_dump(mode="json")
        body["preservation"] = rec.preservation
        body["sources"] = [look.source_ref(rec.id)]
    else:
        body = rec.model_dump(mode="json")
    return {"collection": collection, **body}


def _tied(res) -> list[str]:
    """The hypotheses sharing the top posterior when more than one does (the ranking then
    follows column order, which is no finding)."""
    post = {h.id: h.posterior for h in res.hypotheses}
    top = post[res.ranking[0]] if res.ranking else 0
    tied = [h for h in res.ranking if abs(post[h] - top) <= 1e-9]
    return tied if len(tied) > 1 else []


def assessment_json(assessment, incident: Incident, look: Lookup) -> dict[str, Any]:
    """An incident's weighing: hypotheses with their scores, and every row with the claims
    behind its cells and their sources."""
    res = assessment.result
    by_id = {h.id: h for h in res.hypotheses}
    ev_scores = {e.id: e for e in res.evidence}
    hypotheses = [{"id": h.id, "label": h.label, "state": h.state,
                   "posterior": by_id[h.id].posterior, "inconsistency": by_id[h.id].inconsistency,
                   "weighted": by_id[h.id].weighted, "unrated": by_id[h.id].unrated}
                  for h in assessment.hypotheses]
    rows = []
    for ev in assessment.evidence:
        claims = []
        for cid in ev.claims:
            claim = look.record(cid)
            if isinstance(claim, Claim):
                claims.append({"id": claim.id, "party": look.party(claim.party), "text": claim.text,
                               "credibility": claim.credibility.value, "sources": look.sources(claim.captures)})
        sc = ev_scores[ev.id]
        rows.append({
            "id": ev.id, "rule": ev.rule, "description": ev.description,
            "cells": {h.id: {"rating": rating, "claims": list(ev.claims)}
                      for h, rating in zip(assessment.hypotheses, ev.cells)},
            "grade": ev.grade, "credibility": ev.credibility, "cannot_be_judged": ev.cannot_be_judged,
            "relevance": ev.relevance, "diagnosticity": sc.diagnosticity, "linchpin": sc.linchpin,
            "top_without": sc.top_without, "claims": claims,
            "dependent": [{"claim": c, "why": why} for c, why in ev.dependent],
        })
    return {
        "incident": incident.id, "title": incident.title, "kind": incident.kind.value,
        "when": when_json(incident.when), "launch_territory": incident.launch_territory,
        "most_likely": res.ranking[0] if res.ranking else None, "ranking": list(res.ranking),
        "tied": _tied(res),
        "hypotheses": hypotheses, "evidence": rows,
        "not_weighed": [{"claim": c, "why": why} for c, why in assessment.not_weighed],
    }


def _item_json(item, side: str, finding: str, look: Lookup) -> dict[str, Any]:
    captures: list[str] = []
    for rid in item.cites:
        rec = look.record(rid)
        captures += list(getattr(rec, "captures", []) or [])
    return {"finding": finding, "side": side, "type": item.type, "id": item.id, "weight": item.weight,
            "why": item.why, "cites": list(item.cites), "sources": look.sources(captures)}


def determination_json(det, look: Lookup, compared_with=None) -> dict[str, Any]:
    """The determination: each conclusion with its standard, support, premises, rules and
    the evidence behind it (down to source URLs); the findings; the flips."""
    from .reason.rulebook import settled

    book = det.rulebook
    findings = det.findings

    def premise(p, rule_id: str, exception: bool) -> dict[str, Any]:
        return {"rule": rule_id, "ref": p.ref, "kind": p.kind, "standard": p.standard, "negated": p.negated,
                "exception": exception, "holds": p.holds, "support": {"pro": p.pro, "con": p.con}}

    conclusions = []
    for c in book.conclusions.values():
        res = det.evaluation.conclusions[c.id]
        evidence = []
        for fid in book.findings_behind(c.id):
            f = findings[fid]
            evidence += [_item_json(i, "pro", fid, look) for i in f.pro_items]
            evidence += [_item_json(i, "con", fid, look) for i in f.con_items]
        conclusions.append({
            "id": c.id, "label": c.label, "kind": c.kind, "note": c.note or None,
            "established": res.established, "standard": res.standard,
            "support": {"pro": res.pro, "con": res.con},
            "premises": [premise(p, r.id, False) for r in res.rules for p in r.premises] +
                        [premise(p, r.id, True) for r in res.rules for p in r.exceptions],
            "rules": [{"id": r.id, "applicable": r.applicable, "source": r.source,
                       "defeated_by": list(r.defeated_by)} for r in res.rules],
            "consequences": list(c.consequences) if res.established else [],
            "evidence": evidence,
        })
    data: dict[str, Any] = {
        "rulebook_sha256": book.sha256, "rulebook": book.title, "as_of": det.as_of,
        "thresholds": {"alpha": book.thresholds.alpha, "beta": book.thresholds.beta, "gamma": book.thresholds.gamma},
        "conclusions": conclusions,
        "findings": [{"id": f.id, "label": f.label, "pro": f.pro, "con": f.con,
                      "settled": settled(book, f.pro, f.con),
                      "evidence": {"pro": len(f.pro_items), "con": len(f.con_items)}} for f in findings.values()],
        "flips": [{"finding": fl.finding, "to": fl.to,
                   "changes": [{"conclusion": c, "from": a, "to": b} for c, a, b in fl.changes]}
                  for fl in det.flips],
        "left_out": dict(det.left_out),
    }
    if compared_with is not None:
        data["compared_with_all_evidence"] = _differences(det, compared_with)
    return data


def _differences(then, now) -> list[dict[str, Any]]:
    """Each conclusion whose status differs from the one on all the evidence, and the
    findings behind it whose weights moved."""
    out = []
    for cid, res in then.evaluation.conclusions.items():
        other = now.evaluation.conclusions[cid]
        if res.established == other.established:
            continue
        moved = []
        for fid in then.rulebook.findings_behind(cid):
            f, g = then.findings[fid], now.findings[fid]
            if abs(f.pro - g.pro) > 1e-9 or abs(f.con - g.con) > 1e-9:
                moved.append({"finding": fid, "as_of": {"pro": f.pro, "con": f.con, "items": len(f.pro_items) + len(f.con_items)},
                              "now": {"pro": g.pro, "con": g.con, "items": len(g.pro_items) + len(g.con_items)}})
        out.append({"conclusion": cid, "as_of": res.established, "now": other.established, "findings_moved": moved})
    return out
