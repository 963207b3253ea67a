"""The dossier: one document a lawyer, an editor or a ministry can be handed. HTML, or PDF
through WeasyPrint, with the determination and its flips, a map drawn from the shipped
borders, the incident table, each incident with its evidence and full citations, the
statements, and an appendix with the capture hashes and the ledger head.

Only public records go in (report.exports.public_case), unless asked otherwise."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from ..model import Case
from .dossier_map import svg_map
from .exports import incident_rows, public_case
from .overview import _safe_url

_env = Environment(loader=PackageLoader("whopushed.report", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["safe_url"] = _safe_url
_env.filters["label"] = lambda v: (v or "").replace("_", " ")
_env.filters["pct"] = lambda v, d=0: "–" if v is None else f"{v * 100:.{d}f}%"


LEDGER_FIELDS = ("entries", "size", "covers_all", "root", "signed_at", "key_id", "public_key", "signature", "timestamp")


def ledger_head(db_url: str | None, workspace: Any = None) -> dict[str, Any] | None:
    """The ledger's size and latest signed head. Uses `ledger_summary(workspace)` when the
    ledger offers it (the hook for its own summary); else reads the head from the database."""
    try:
        from ..ledger.summary import ledger_summary  # the ledger's own summary, where it ships
    except ImportError:
        ledger_summary = None
    if ledger_summary is not None and workspace is not None:
        try:
            got = dict(ledger_summary(workspace))
            return {k: got.get(k) for k in LEDGER_FIELDS if got.get(k) is not None}
        except Exception:  # a summary that cannot be had must not stop the dossier
            pass
    if not db_url:
        return None
    from ..ledger import log
    from ..store import Store

    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            size = log.size(conn)
            head = log.latest_head(conn)
    except Exception:
        return None
    finally:
        store.close()
    data: dict[str, Any] = {"entries": size}
    if head is not None:
        data.update(head.to_json())
        data["covers_all"] = head.size == size
    return {k: data.get(k) for k in LEDGER_FIELDS if data.get(k) is not None}


def dossier_context(case: Case, attributions: list[dict], determination: dict,
                    ledger: dict | None = None, public: bool = True, parity: dict | None = None) -> dict[str, Any]:
    from ..views import Lookup, statement_json
    from .summary import stance_analysis, summarise

    index = case.by_id()
    look = Lookup(lambda rid: ("", index[rid]) if rid in index else None)
    by_att = {a["incident"]: a for a in attributions}
    rows = incident_rows(case, by_att)
    claims_of: dict[str, list] = defaultdict(list)
    from ..views import claim_json

    for claim in case.claims:
        for inc in dict.fromkeys(claim.incidents):
            claims_of[inc].append(claim_json(claim, look))
    stances, found = stance_analysis(case)
    statements = sorted((statement_json(s, look, stances.get(s.id)) for s in case.statements),
                        key=lambda s: (s["made"]["earliest"] or "9999", s["id"]))
    clash = {c.first for c in found} | {c.second for c in found}
    # the appendix: every capture of the case (the preserved ones carry their hashes),
    # marked where the dossier cites it
    cited: dict[str, dict] = {}
    for r in rows:
        for s in r["sources"]:
            cited.setdefault(s["capture"], s)
    for st in statements:
        for s in st["sources"]:
            cited.setdefault(s["capture"], s)
    for c in determination["conclusions"]:
        for e in c["evidence"]:
            for s in e["sources"]:
                cited.setdefault(s["capture"], s)
    findings: dict[str, dict] = {f["id"]: {**f, "evidence_items": []} for f in determination["findings"]}
    seen = set()
    for c in determination["conclusions"]:
        for e in c["evidence"]:
            key = (e["finding"], e["side"], e["id"])
            if key not in seen and e["finding"] in findings:
                seen.add(key)
                findings[e["finding"]]["evidence_items"].append(e)
    meta = case.case
    return {
        "summary": summarise(case, stances), "case": meta.model_dump(mode="json"),
        "determination": determination, "findings": findings, "rows": rows,
        "claims_of": claims_of, "attributions": by_att, "statements": statements, "clash": clash,
        "contradictions": [{"speaker": look.name(c.speaker), "first": c.first, "second": c.second,
                            "stances": c.stances, "why": c.why} for c in found],
        "captures": [{**look.source_ref(c.id), "cited": c.id in cited}
                     for c in sorted(case.captures, key=lambda c: (c.citation_only, c.id))],
        "map_svg": svg_map(rows, meta.territorial_state, meta.target_state),
        "ledger": ledger, "public": public, "version": __version__, "parity": parity,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def render_dossier(case: Case, attributions: list[dict], determination: dict, ledger: dict | None = None,
                   public: bool = True, parity: dict | None = None) -> str:
    return _env.get_template("dossier.html").render(
        **dossier_context(case, attributions, determination, ledger, public, parity))


def write_dossier(source: "str | Case", path: Path | str, include_withheld: bool = False,
                  workspace: Any = None) -> Path:
    """Write the dossier of a case (a database URL or a Case) to `path`: .pdf through
    WeasyPrint, anything else as HTML. Public records only unless `include_withheld`."""
    from ..analyses import attribute_case, determine_case

    db_url = None
    if isinstance(source, Case):
        case = source
    else:
        from ..store import Store

        db_url = source
        with Store.open(source) as store:
            case = store.export_case()
    if not include_withheld:
        case = public_case(case)
    parity = None
    if db_url:
        from ..sanctions import parity_report

        parity = parity_report(db_url, measures=case.sanctions)  # the (public) case's measures
    html = render_dossier(case, attribute_case(case), determine_case(case), ledger_head(db_url, workspace),
                          public=not include_withheld, parity=parity)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".pdf":
        from weasyprint import HTML

        HTML(string=html, base_url=None).write_pdf(str(tmp))
    else:
        tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
