"""Untrusted text stays text, and --read-only shows nothing that is not public.

The XSS check runs in Chromium twice: as served (with the Content-Security-Policy) and
with that header stripped, so escaping is tested on its own, not hidden behind CSP.
The read-only check walks every route the app registers, so a new route cannot leak."""

from __future__ import annotations

import re

import pytest

from whopushed.model import Sensitivity
from whopushed.web import create_app
from whopushed.web.app import registered_routes
from whopushed.web.server import running

from .conftest import import_into

PWN = "window.__pwned = (window.__pwned || 0) + 1; document.title = 'pwned'"
HOSTILE = {
    "script": f"<script>{PWN}</script>",
    "img": f'<img src=x onerror="{PWN}">',
    "svg": f'"><svg onload="{PWN}">',
    "attr": f"' onmouseover='{PWN}' x='",
    "close": f"</script><script>{PWN}</script>",
}
JS_URL = "javascript:" + PWN


def _hostile_case(case):
    """The bundled case with hostile text in claims, incidents, statements, captures,
    sources and actors, and javascript: links where URLs go."""
    h = HOSTILE
    incidents = [i.model_copy(update={"title": i.title + " " + h["img"], "summary": (i.summary or "") + h["script"],
                                      "weapons": [*i.weapons, h["close"]],
                                      "launch_area": i.launch_area and i.launch_area.model_copy(update={"name": h["svg"]})})
                 if i.id in ("INC-04", "INC-14") else i for i in case.incidents]
    claims = [c.model_copy(update={"text": c.text + " " + h["script"], "quote": h["img"]}) if n % 3 == 0 else c
              for n, c in enumerate(case.claims)]
    captures = [c.model_copy(update={"url": JS_URL, "title": h["svg"]}) if n % 2 == 0 else c
                for n, c in enumerate(case.captures)]
    statements = [s.model_copy(update={"quote": s.quote + h["attr"] + h["script"]}) for s in case.statements]
    sources = [s.model_copy(update={"name": s.name + h["img"], "homepage": JS_URL}) for s in case.sources]
    actors = [a.model_copy(update={"name": a.name + h["close"]}) for a in case.actors]
    return case.model_copy(update={"incidents": incidents, "claims": claims, "captures": captures,
                                   "statements": statements, "sources": sources, "actors": actors})


@pytest.fixture(scope="module")
def hostile_server(belarus, tmp_path_factory):
    url = import_into(_hostile_case(belarus), tmp_path_factory.mktemp("hostile"))
    with running(create_app(url)) as base:
        yield base


HOSTILE_PAGES = ["/", "/incidents", "/incidents?include_excluded=1&sort=weapons", "/incidents/INC-04",
                 "/incidents/INC-14", "/statements", "/determination", "/search?q=script", "/records/cap-001",
                 "/records/cap-002", "/records/act-lukashenka", "/records/src-interfax"]


def _visit_all(page, base):
    for path in HOSTILE_PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.mouse.move(300, 300)
        page.mouse.move(600, 500)  # hover: an injected onmouseover would fire
        assert page.evaluate("window.__pwned") is None, f"a script ran on {path}"
        assert page.title() != "pwned", path
        assert page.eval_on_selector_all('a[href^="javascript:" i]', "els => els.length") == 0, path
        assert page.eval_on_selector_all("[onerror], [onload], [onmouseover]", "els => els.length") == 0, path
    page.goto(base + "/incidents/INC-14")  # the hostile text is shown as text
    page.wait_for_load_state("networkidle")
    assert "<script>window.__pwned" in page.inner_text("body")


def test_hostile_text_in_claims_and_captures_never_runs_and_javascript_links_are_inert(hostile_server, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _visit_all(page, hostile_server)
    # the map's popups are built from the same text: open one
    page.goto(hostile_server + "/incidents/INC-04")
    page.wait_for_selector("#incident-map[data-ready='1']")
    page.click("#incident-map path.incident-marker")
    page.wait_for_selector(".leaflet-popup-content")
    assert "<svg onload" in page.inner_text(".leaflet-popup-content")
    assert page.evaluate("window.__pwned") is None
    assert dialogs == [] and page.js_errors == []


def test_escaping_alone_stops_hostile_text_with_the_csp_header_removed(hostile_server, page):
    def without_csp(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
        route.fulfill(response=response, headers=headers)

    page.route("**/*", without_csp)
    _visit_all(page, hostile_server)


def test_every_response_carries_a_content_security_policy_without_inline_scripts(client):
    for path in ("/", "/incidents", "/api/incidents", "/static/app.css"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "default-src 'self'" in csp
    html = client.get("/incidents").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "cdn" not in html.lower() and "https://unpkg" not in html


# --read-only

MARK = "zqxsecretmarker"
HIDDEN = {  # id -> sensitivity; chosen so that no public text mentions the id
    "INC-19": Sensitivity.restricted,          # an incident: its claims go with it
    "cl-INC-12-northern-command": Sensitivity.private,  # one claim of a public incident
    "act-hromov": Sensitivity.restricted,      # an actor: the claims he made go too
    "src-republic-world": Sensitivity.private,  # a source: its captures, and claims resting only on them
    "cap-001": Sensitivity.restricted,         # a capture
}


def _restricted_case(case):
    def mark(rec):
        if rec.id in HIDDEN:
            field = next(f for f in ("title", "text", "quote", "name") if hasattr(rec, f))
            n = list(HIDDEN).index(rec.id)
            return rec.model_copy(update={"sensitivity": HIDDEN[rec.id], field: f"{getattr(rec, field)} {MARK}{n}"})
        return rec
    statements = [s.model_copy(update={"sensitivity": Sensitivity.private, "quote": s.quote + " " + MARK + "9"})
                  if s.id == "ST-20" else s for s in case.statements]
    return case.model_copy(update={name: [mark(r) for r in getattr(case, name)]
                                   for name in ("actors", "sources", "captures", "incidents", "claims")}
                           | {"statements": statements})


@pytest.fixture(scope="module")
def restricted(belarus, tmp_path_factory):
    from whopushed.report.exports import public_case

    case = _restricted_case(belarus)
    full, public = case.by_id(), public_case(case).by_id()
    withheld = sorted(set(full) - set(public))
    assert set(HIDDEN) <= set(withheld) and len(withheld) > len(HIDDEN)  # dependants went too
    url = import_into(case, tmp_path_factory.mktemp("restricted"))
    return url, case, withheld


def _leaks(text: str, withheld: list[str]) -> list[str]:
    found = re.findall(MARK + r"\d", text)
    for rid in withheld:
        if re.search(r"(?<![A-Za-z0-9._:-])" + re.escape(rid) + r"(?![A-Za-z0-9._:-])", text):
            found.append(rid)
    return found


def test_read_only_never_shows_a_withheld_record_on_any_registered_route(restricted):
    from fastapi.testclient import TestClient

    from whopushed.report.exports import public_case

    url, case, withheld = restricted
    public_text = " ".join(r.model_dump_json(exclude={"notes"}) for _, _, r in public_case(case).records())
    assert not _leaks(public_text, withheld), "the test needs withheld ids no public text mentions"
    app = create_app(url, read_only=True)
    ids = [r.id for _, _, r in case.records()]
    # probes name no withheld id (a page may echo its query); the markers in withheld text
    # end in a digit, so a search for the bare marker finds them without echoing one
    probes = ["", f"?q={MARK}", "?speaker=Hromov", "?q=Hromov", "?include_excluded=1&per_page=500",
              "?limit=20000", "?sort=posterior&order=desc"]
    walked = 0
    with TestClient(app) as client:
        for route in registered_routes(app):
            methods = route.methods or set()
            if route.path.startswith("/static") or route.path == "/openapi.json":
                continue  # files shipped with the package, and the schema: no case data
            assert "GET" in methods, f"{route.path}: a route this test does not know how to walk"
            params = re.findall(r"{(\w+)}", route.path)
            if params:
                urls = [re.sub(r"{\w+}", rid, route.path) for rid in ids + ["no-such-id"]]
            else:
                urls = [route.path + p for p in probes]
            for u in urls:
                r = client.get(u, follow_redirects=True)
                assert r.status_code < 500, u
                assert not _leaks(r.text, withheld), f"{u} shows {_leaks(r.text, withheld)}"
                walked += 1
            if params:  # a withheld id answers exactly like an id that does not exist
                missing = client.get(re.sub(r"{\w+}", "no-such-id", route.path))
                for rid in withheld:
                    got = client.get(re.sub(r"{\w+}", rid, route.path))
                    assert (got.status_code, got.text) == (missing.status_code, missing.text), (route.path, rid)
    assert walked > 1000


def test_the_full_server_does_show_what_read_only_withholds(restricted):
    from fastapi.testclient import TestClient

    url, _, withheld = restricted
    with TestClient(create_app(url)) as client:
        assert client.get("/api/incidents/INC-19").status_code == 200
        assert MARK + "4" in client.get("/api/records/cap-001").text
        assert any(h["id"] == "cap-001" for h in client.get("/api/search", params={"q": MARK}).json())
