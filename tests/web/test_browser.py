"""The web workspace in a real browser (Debian's Chromium, headless): what a person does
on it, from the overview to a source link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest


def _located_rows(page) -> list[str]:
    return page.eval_on_selector_all("#incident-table tbody tr[data-located='1']",
                                     "rows => rows.map(r => r.dataset.incident)")


def _map_ready(page) -> None:
    page.wait_for_selector("#map[data-ready='1']", timeout=15000)


def test_overview_shows_the_headline_and_links_each_conclusion_to_its_reasons(server, page):
    page.goto(server + "/")
    assert page.locator("#headline li").count() >= 5
    first = page.locator("#headline li a").first
    label = first.inner_text()
    first.click()
    page.wait_for_url("**/determination#conclusion-*")
    target = page.evaluate("location.hash")
    assert label in page.inner_text(target)
    assert page.js_errors == []


def test_filtering_incidents_puts_one_marker_on_the_map_per_located_row_of_the_table(server, page):
    page.goto(server + "/incidents")
    _map_ready(page)
    every = set(_located_rows(page))
    page.select_option("select[name=launched_from]", "BY")
    page.fill("input[name=since]", "2022-06")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/incidents?*launched_from=BY*")
    _map_ready(page)
    rows = _located_rows(page)
    assert rows and set(rows) < every
    on_map = page.evaluate("window.whopushedMap.incidentIds()")
    assert sorted(on_map) == sorted(rows)
    # what is drawn, each alone or inside a cluster, is exactly those incidents
    drawn = set(page.eval_on_selector_all("path.incident-marker[data-incident]", "ps => ps.map(p => p.dataset.incident)"))
    clustered = set(page.evaluate("window.whopushedMap.clusteredIds()"))
    assert drawn | clustered == set(rows) and not drawn & clustered
    assert page.js_errors == []


def test_clicking_an_incident_on_the_map_selects_its_row_and_opens_its_evidence(server, page):
    page.goto(server + "/incidents?launched_from=BY")
    _map_ready(page)
    incident = _located_rows(page)[0]
    page.evaluate(f"window.whopushedMap.focus({incident!r}, false)")  # zoom in until it is drawn alone
    marker = page.locator(f"path.incident-marker[data-incident='{incident}']").first
    marker.click()  # Playwright waits until the marker stands still and nothing covers it
    page.wait_for_selector(".leaflet-popup-content .open-incident")
    assert "selected" in page.get_attribute(f"#row-{incident}", "class")
    page.click(".leaflet-popup-content .open-incident")
    page.wait_for_url(f"**/incidents/{incident}")
    assert page.locator("#claims article.claim").count() > 0
    assert page.locator("#captures tbody tr").count() > 0
    assert page.js_errors == []


def test_clicking_an_incident_in_the_table_shows_its_claims_captures_and_weighing(server, page):
    page.goto(server + "/incidents")
    page.click("#row-INC-14 a.incident-link")
    page.wait_for_url("**/incidents/INC-14")
    page.wait_for_selector("#incident-map[data-ready='1']")
    assert page.locator("table.matrix td.cell.r-C, table.matrix td.cell.r-I").count() > 0  # coloured cells
    assert page.locator(".posterior").count() == 3
    claim = page.locator("#claims article.claim").first
    assert claim.locator(".grade").count() >= 1 and claim.locator(".src").count() >= 1
    hrefs = page.eval_on_selector_all("#claims .src a.ext", "as => as.map(a => a.href)")
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    cites = page.locator("#captures .tag.cite").count()
    assert cites > 0 and "citation only" in page.inner_text("#captures")
    assert page.js_errors == []


def test_a_premise_of_the_determination_leads_to_its_evidence_and_on_to_the_source_link(server, page):
    page.goto(server + "/determination")
    premise = page.locator("a.premise[href='#finding-launch_from_territory']").first
    premise.click()
    assert page.evaluate("location.hash") == "#finding-launch_from_territory"
    finding = page.locator("#finding-launch_from_territory")
    assert finding.locator(".evidence-item").count() > 0
    item = finding.locator(".evidence-item").filter(has=page.locator(".src a.ext")).first
    source_href = item.locator(".src a.ext").first.get_attribute("href")
    item.locator("a.cite").first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.startswith(("/records/", "/incidents/"))
    hrefs = page.eval_on_selector_all("a.ext", "as => as.map(a => a.getAttribute('href'))")
    assert source_href in hrefs  # the same source, one click further
    assert page.js_errors == []


def test_the_timeline_shows_the_listed_incidents_and_filters_to_its_visible_span(server, page):
    page.goto(server + "/incidents?launched_from=BY")
    page.wait_for_selector("#timeline .vis-item")
    with_time = page.locator("#incident-table tbody tr[data-start]:not([data-start=''])").count()
    assert int(page.get_attribute("#timeline", "data-items")) == with_time
    page.click("#timeline .vis-item >> nth=0", force=True)
    assert page.locator("#incident-table tr.selected").count() == 1
    page.click("#timeline-filter")
    page.wait_for_url("**since=*")
    query = parse_qs(urlparse(page.url).query)
    assert query["since"][0][:4].isdigit() and query["until"][0][:4].isdigit()
    assert page.js_errors == []


def test_search_finds_a_place_in_another_script_as_you_type(server, page):
    page.goto(server + "/search")
    page.fill("#q", "Мазыр")
    page.wait_for_selector("#results ul.hits li a")
    assert "Mazyr" in page.inner_text("#results") or "Мазыр" in page.inner_text("#results")
    assert page.js_errors == []


def test_take_screenshots_saves_the_map_and_an_incident_with_its_evidence(belarus_db, tmp_path, browser):
    from whopushed.web.screenshots import take_screenshots

    written = take_screenshots(belarus_db, tmp_path, full_page=False, browser=browser)
    names = {p.name for p in written}
    assert {"overview.png", "incidents.png", "incident.png", "determination.png"} <= names
    for p in written:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 20_000


@pytest.mark.parametrize("path", ["/statements", "/determination", "/incidents/INC-04", "/records/cap-001"])
def test_pages_run_without_script_errors(server, page, path):
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    assert page.js_errors == []
