"""Screenshots of the web workspace (for the demo and for a person to look at): the
overview, the incidents with map and timeline, one incident with its evidence, the
statements and the determination."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

PAGES = [  # (file name, path, what to wait for)
    ("overview.png", "/", "#headline"),
    ("incidents.png", "/incidents", "#map[data-ready='1']"),
    ("incidents-by.png", "/incidents?launched_from=BY&since=2022-06", "#map[data-ready='1']"),
    ("incident.png", "/incidents/{incident}", "#claims"),
    ("statements.png", "/statements", "#contradictions, .speaker"),
    ("determination.png", "/determination", "#flips"),
    ("search.png", "/search?q=Мозырь", "#results"),
]


def _incident_with_evidence(app) -> str | None:
    """The incident with the most weighed rows and a point on the map: the richest page."""
    snap = app.state.workbench.snapshot()
    best, score = None, -1
    for inc in snap.incidents:
        a = snap.attribution(inc.id)
        located = any(p is not None and p.lat is not None for p in (inc.launch_area, inc.impact_area))
        n = (len(a["evidence"]) if a else 0) + (5 if located else 0)
        if n > score:
            best, score = inc.id, n
    return best


@contextmanager
def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB", timezone_id="UTC")
    try:
        yield context
    finally:
        context.close()


def take_screenshots(db_url: str, out_dir: Path | str, full_page: bool = True, browser=None) -> list[Path]:
    """Serve the case at `db_url` on loopback and save PNGs of the main pages in `out_dir`.
    `browser`: a Playwright browser already running (the tests'); else Chromium is started."""
    from .app import create_app
    from .browser import chromium
    from .server import running

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app(db_url)
    incident = _incident_with_evidence(app)
    written = []
    with running(app) as base, (_context(browser) if browser is not None else chromium()) as context:
        page = context.new_page()
        for name, path, ready in PAGES:
            if "{incident}" in path:
                if incident is None:
                    continue
                path = path.format(incident=incident)
            page.goto(base + path)
            page.wait_for_selector(ready, timeout=15000)
            page.wait_for_timeout(300)  # let Leaflet and vis-timeline finish drawing
            target = out / name
            page.screenshot(path=str(target), full_page=full_page)
            written.append(target)
        page.close()
    return written
