"""The static overview (out/index.html): one self-contained page a person can open."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import Case
from ..views import Lookup, incident_json, sanctions_json, statement_json
from .summary import stance_analysis, summarise

_env = Environment(loader=PackageLoader("whopushed.report", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)


def _safe_url(url: str | None) -> str | None:
    """Only web links become links: a javascript: or data: URL in a case file stays text."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


_env.filters["safe_url"] = _safe_url


def overview_context(case: Case, attributions: list[dict] | None = None,
                     determination: dict | None = None, ledger: dict | None = None,
                     parity: dict | None = None) -> dict[str, Any]:
    index = case.by_id()
    look = Lookup(lambda rid: ("", index[rid]) if rid in index else None)
    claims_by_incident: dict[str, list] = defaultdict(list)
    for claim in case.claims:
        for inc in claim.incidents:
            claims_by_incident[inc].append(claim)
    incidents = [incident_json(i, claims_by_incident[i.id], look) for i in case.incidents]
    incidents.sort(key=lambda i: (i["when"]["earliest"] or "9999", i["id"]))
    stances, _ = stance_analysis(case)  # the shipped stance rules
    return {
        "summary": summarise(case, stances),
        "incidents": incidents,
        "statements": sorted((statement_json(s, look, stances.get(s.id)) for s in case.statements),
                             key=lambda s: (s["made"]["earliest"] or "9999", s["id"])),
        "sanctions": [sanctions_json(m, look) for m in case.sanctions],
        "attributions": {a["incident"]: a for a in attributions or []},
        "determination": determination,
        "ledger": ledger,
        "parity": parity,
    }


def render_overview(case: Case, attributions: list[dict] | None = None, determination: dict | None = None,
                    ledger: dict | None = None, parity: dict | None = None) -> str:
    return _env.get_template("overview.html").render(
        **overview_context(case, attributions, determination, ledger, parity))
