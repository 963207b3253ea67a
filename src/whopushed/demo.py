"""The main job: the bundled case through every stage that exists, end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .ingest.casefile import read_case
from .report.overview import render_overview
from .report.summary import summarise
from .analyses import attribute_case, determine_case
from .report.dossier import write_dossier
from .report.terminal import print_assessments, print_determination
from .ledger.keys import load_signer
from .ledger.summary import ledger_summary
from .workspace import init_workspace

BUNDLED = Path("cases") / "belarus"


def bundled_case() -> Path:
    """cases/belarus in this folder, else beside the source tree the package runs from."""
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (base / BUNDLED).is_dir():
            return base / BUNDLED
    raise FileNotFoundError("the bundled case cases/belarus was not found; pass --case PATH")


CASE_SOURCE = "src-whopushed"


def preserve_case_files(store, ws, case_path: Path, signer) -> list[str]:
    """Preserve the case files themselves (blobs, custody entries): what the demo can keep
    offline. The case's web sources stay citation-only: nothing is fetched."""
    from .ledger.blobs import FileBlobStore
    from .ledger.capture import capture_file

    files = sorted(case_path.glob("*.yaml")) if case_path.is_dir() else [case_path]
    source = CASE_SOURCE if store.get(CASE_SOURCE) else None
    blobs = FileBlobStore(ws.state_dir / "blobs")
    return [capture_file(store.engine, blobs, f, source=source, actor="whopushed demo", signer=signer).id
            for f in files]


def sanctions_parity(db_url: str, case_path: Path) -> dict:
    """Import the sanctions lists shipped beside the case (once) and measure parity."""
    from .sanctions import parity_report
    from .sanctions.importer import import_file
    from .store import Store

    lists = case_path / "sanctions-lists" if case_path.is_dir() else None
    store = Store.open(db_url)
    try:
        for path in sorted(lists.glob("*sdn*.csv")) if lists and lists.is_dir() else []:
            import_file(store.engine, path)  # re-importing the same file changes nothing
        return parity_report(store)
    finally:
        store.close()


def print_parity(console: Console, p: dict) -> None:
    by = p.get("by_state", {})
    ru, bl = by.get("RU", {}).get("targets", 0), by.get("BY", {}).get("targets", 0)
    console.rule("[bold]Sanctions parity[/] [magenta](policy, not law)[/]")
    console.print(f"Targets tied to Russia {ru}, to Belarus {bl} (ratio {p.get('ratio_ru_to_by')}).")
    for lag in p.get("lags", []):
        console.print(f"  {lag['measure']}: Belarus {lag['belarus_date']} vs Russia {lag['russia_date']}: "
                      f"{lag['days']} days")
    gaps = p.get("gaps", [])
    if gaps:
        shown = "; ".join(f"{g['measure']} ({g['jurisdiction']}: {g['present_for']} only)" for g in gaps[:5])
        more = f"; and {len(gaps) - 5} more (whopushed sanctions parity)" if len(gaps) > 5 else ""
        console.print(f"  Gaps: {shown}{more}")


def screenshots_of(db_url: str, folder: Path) -> tuple[list[str], str]:
    """Screenshots of the web workspace when a headless Chromium is at hand."""
    try:
        from .web.screenshots import take_screenshots

        return [str(p) for p in take_screenshots(db_url, folder)], ""
    except Exception as exc:  # no browser on this machine: the rest of the demo stands
        return [], f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_demo(out_dir: Path, case_path: Path | None, console: Console, as_json: bool = False) -> dict:
    from .store import Store

    case_path = case_path or bundled_case()
    out_dir.mkdir(parents=True, exist_ok=True)
    ws, _ = init_workspace(out_dir / "workspace")
    case = read_case(case_path)
    store = Store.open(ws.db_url)
    signer = load_signer(ws.state_dir)
    store.signer = signer  # the import signs a tree head over what it logged
    try:
        report = store.import_case(case)
        preserved = preserve_case_files(store, ws, case_path, signer)
        stored = store.export_case()
    finally:
        store.close()
    summary = summarise(stored)
    attributions = attribute_case(stored)
    determination = determine_case(stored)
    parity = sanctions_parity(ws.db_url, case_path)
    ledger = ledger_summary(ws)
    index = out_dir / "index.html"
    _write_atomic(index, render_overview(stored, attributions, determination, ledger, parity))
    dossiers = [str(write_dossier(ws.db_url, out_dir / name, workspace=ws)) for name in ("dossier.html", "dossier.pdf")]
    screenshots, why_not = screenshots_of(ws.db_url, out_dir / "screenshots")
    result = {"workspace": str(ws.root), "database": ws.db_url, "overview": str(index),
              "import": {"added": report.added, "unchanged": report.unchanged, "updated": report.updated},
              "summary": summary, "attribution": attributions, "determination": determination,
              "ledger": {k: v for k, v in ledger.items() if k != "head"}, "preserved": preserved,
              "sanctions_parity": parity, "dossiers": dossiers, "screenshots": screenshots}
    if as_json:
        console.file.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        print_summary(console, summary)
        print_assessments(console, attributions)
        print_determination(console, determination)
        print_parity(console, parity)
        console.print(f"\nLedger: {ledger['entries']} entries; signed tree head size {ledger['size']}, root "
                      f"{ledger['root']}, key {ledger['key_id']}. The case files are preserved as "
                      f"{len(preserved)} captures; `whopushed verify` checks them all.")
        console.print(f"\nWorkspace: [bold]{ws.root}[/]   Overview: [bold]{index}[/]   "
                      f"Dossier: [bold]{dossiers[0]}[/], [bold]{dossiers[1]}[/]")
        console.print(f"Screenshots: {len(screenshots)} in {out_dir / 'screenshots'}" if screenshots
                      else f"Screenshots: none ({why_not})")
        console.print(f"Browse:    [bold]whopushed --workspace {ws.root} serve[/]  then open http://127.0.0.1:8000 "
                      "(add --read-only for a public view)")
        console.print(f"Explore:   [bold]WHOPUSHED_WORKSPACE={ws.root} whopushed incidents --launched-from "
                      f"{summary['case']['territorial_state']}[/]")
    return result


def print_summary(console: Console, s: dict) -> None:
    meta = s["case"]
    console.rule(f"[bold]{meta['title']}[/]")
    console.print(meta["question"])
    c = s["counts"]
    console.print(f"\n{c['incidents']} incidents ({len(s['incidents']['excluded'])} checked and excluded), "
                  f"{c['claims']} claims, {c['statements']} statements, {c['sanctions']} sanctions measures, "
                  f"{c['captures']} captures ({s['captures']['preserved']} preserved, "
                  f"{s['captures']['citation_only']} citation-only), {c['sources']} sources, {c['actors']} actors.")
    console.print(f"Launch incidents from {meta['territorial_state']} territory: "
                  f"[bold]{s['incidents']['launches_from_territory']}[/]")

    years = Table(title="Incidents by year and kind")
    years.add_column("year")
    kinds = sorted({k for v in s["incidents"]["by_year"].values() for k in v})
    for k in kinds:
        years.add_column(k, justify="right")
    for year, counts in s["incidents"]["by_year"].items():
        years.add_row(year, *(str(counts.get(k, "")) for k in kinds))
    weapons = Table(title="Launch incidents by weapon")
    weapons.add_column("weapon")
    weapons.add_column("incidents", justify="right")
    for w, n in s["incidents"]["by_weapon"].items():
        weapons.add_row(w, str(n))
    console.print(years)
    console.print(weapons)

    speakers = Table(title="Statements by speaker")
    for col in ("speaker", "n", "first", "last", "stances"):
        speakers.add_column(col)
    for r in s["statements_by_speaker"]:
        speakers.add_row(r["speaker"], str(r["statements"]), r["first"], r["last"],
                         ", ".join(f"{k} {n}" for k, n in r["stances"].items()))
    console.print(speakers)

    contested = Table(title="What is contested (conflicting claims, kept apart)")
    for col in ("incident", "fact", "versions"):
        contested.add_column(col, overflow="fold")
    for row in s["contested"]:
        contested.add_row(row["incident"], row["fact"], "\n".join(
            f"{v['value']} — {', '.join(v['parties'])}" for v in row["versions"]))
    console.print(contested)
