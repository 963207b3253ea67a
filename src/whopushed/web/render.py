"""Templates: Jinja2 with autoescaping always on (every text from a case is untrusted),
and the few filters the pages share."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request

from ..report.overview import _safe_url


def _pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _qs(params: dict[str, Any], **changes: Any) -> str:
    data = {**params, **changes}
    return urlencode({k: v for k, v in data.items() if v not in (None, "", False)}, doseq=True)


env = Environment(loader=PackageLoader("whopushed.web", "templates"),
                  autoescape=select_autoescape(default=True, default_for_string=True),
                  trim_blocks=True, lstrip_blocks=True)
env.filters.update(safe_url=_safe_url, pct=_pct, label=_label, qs=_qs)
RATING_TITLES = {"CC": "very consistent", "C": "consistent", "N": "neutral", "I": "inconsistent",
                 "II": "very inconsistent", "NA": "not applicable"}
env.globals.update(rating_titles=RATING_TITLES)


def render(request: Request, template: str, **context: Any) -> str:
    app = request.app
    context.setdefault("read_only", getattr(app.state, "read_only", False))
    context.setdefault("path", request.url.path)
    return env.get_template(template).render(request=request, **context)
