"""Sanctions parity in the web workspace and the dossier: shown, labelled policy, public only."""

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from whopushed.ingest.casefile import read_case
from whopushed.report.dossier import write_dossier
from whopushed.sanctions.importer import import_file
from whopushed.store import Store
from whopushed.web.app import create_app

ROOT = Path(__file__).parents[2]
BELARUS = ROOT / "cases" / "belarus"


def _db(tmp_path, case_dir=BELARUS) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with Store.open(url) as store:
        store.import_case(read_case(case_dir))
        import_file(store.engine, BELARUS / "sanctions-lists" / "ofac_sdn_2023-01.csv")
    return url


def test_the_sanctions_page_shows_targets_lags_and_the_policy_label(tmp_path):
    with TestClient(create_app(_db(tmp_path))) as client:
        page = client.get("/sanctions")
    assert page.status_code == 200
    assert "policy, not law" in page.text and "Ratio RU : BY" in page.text
    assert "SN-13" in page.text  # the June 2024 EU package and its 2-day lag


def test_a_restricted_measure_stays_out_of_the_public_sanctions_page(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(BELARUS, case)
    text = (case / "sanctions.yaml").read_text()
    (case / "sanctions.yaml").write_text(text.replace("- id: SN-13\n", "- id: SN-13\n  sensitivity: restricted\n", 1))
    url = _db(tmp_path, case)
    with TestClient(create_app(url, read_only=True)) as client:
        public = client.get("/sanctions").text
    with TestClient(create_app(url)) as client:
        full = client.get("/sanctions").text
    assert "SN-13" in full and "SN-13" not in public


def test_the_dossier_has_a_sanctions_parity_section(tmp_path):
    out = write_dossier(_db(tmp_path), tmp_path / "dossier.html")
    html = out.read_text()
    assert "Sanctions parity (policy, not law)" in html and "SN-01" in html
