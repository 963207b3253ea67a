"""Records for people at a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel


def _sources(data: dict[str, Any]) -> str:
    lines = []
    for s in data.get("sources", []):
        mark = "[green]preserved[/]" if s.get("preservation") == "preserved" else "[yellow]citation-only[/]"
        lines.append(f"  {escape(s.get('capture', ''))} {mark} {escape(str(s.get('publisher')))} "
                     f"({escape(str(s.get('reliability')))}) {escape(str(s.get('published') or ''))}\n"
                     f"    {escape(str(s.get('url') or ''))}")
    return "\n".join(lines)


def _plain(value: Any) -> str:
    """A JSON value as a person reads it: names, not Python reprs."""
    if isinstance(value, dict):
        if "value" in value:  # a time
            return str(value["value"]) + (f" ({value['stated']})" if value.get("stated") else "") + \
                (f", {value['precision']}" if value.get("precision") else "")
        if "name" in value:  # an actor or a place
            extra = value.get("precision") or value.get("state") or ""
            return f"{value['name']}" + (f" ({extra})" if extra else "")
        return ", ".join(f"{k} {v}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    return str(value)


def print_record(console: Console, data: dict[str, Any]) -> None:
    skip = {"sources", "claims", "collection", "id"}
    body = []
    for key, value in data.items():
        if key in skip or value in (None, [], {}, False):
            continue
        body.append(f"[bold]{key.replace('_', ' ')}[/]: {escape(_plain(value))}")
    for claim in data.get("claims") or []:
        if isinstance(claim, dict):
            body.append(f"\n[bold]claim {escape(claim['id'])}[/] ({claim['kind']}, {claim['polarity']}) by "
                        f"{escape(claim['party']['name'])} — credibility {claim['credibility']} "
                        f"({escape(claim['credibility_label'])}): {escape(claim['credibility_why'])}\n"
                        f"  {escape(claim['text'])}\n{_sources(claim)}")
    if data.get("sources"):
        body.append("\n[bold]sources[/]\n" + _sources(data))
    console.print(Panel("\n".join(body), title=f"{data['collection']} {escape(data['id'])}", expand=False))


def _pct(p: float) -> str:
    return f"{p * 100:.1f}%"


def print_assessments(console: Console, rows: list[dict[str, Any]]) -> None:
    """One line per incident: the posterior of each hypothesis and what carries it."""
    from rich.table import Table

    if not rows:
        console.print("No incidents to weigh.")
        return
    hyps = [h["id"] for h in rows[0]["hypotheses"]]
    table = Table(title="Who operated the launcher: posterior per incident")
    table.add_column("incident")
    table.add_column("when")
    table.add_column("title", overflow="fold", max_width=42)
    for h in hyps:
        table.add_column(h, justify="right")
    table.add_column("most likely")
    table.add_column("rows", justify="right")
    table.add_column("linchpins", overflow="fold")
    for r in rows:
        post = {h["id"]: h for h in r["hypotheses"]}
        unrated = all(h["unrated"] for h in r["hypotheses"])
        table.add_row(r["incident"], r["when"]["value"], escape(r["title"]),
                      *(("–" if unrated else _pct(post[h]["posterior"])) for h in hyps),
                      "[dim]no evidence[/]" if unrated else
                      ("[dim]tie: " + ", ".join(r["tied"]) + "[/]" if r["tied"] else r["most_likely"]),
                      str(len(r["evidence"])),
                      ", ".join(escape(e["id"]) for e in r["evidence"] if e["linchpin"]))
    console.print(table)
    console.print("[dim]Posterior from a uniform prior; rows from claims by the rule file; "
                  "claims sharing an origin count once. Details: whopushed attribute ID[/]")


def print_assessment(console: Console, r: dict[str, Any]) -> None:
    from rich.table import Table

    console.rule(f"[bold]{escape(r['incident'])}[/] {escape(r['title'])}")
    hyp = Table(title="Hypotheses, most likely first")
    for col in ("id", "hypothesis", "posterior", "inconsistency", "weighted"):
        hyp.add_column(col)
    order = {h: i for i, h in enumerate(r["ranking"])}
    for h in sorted(r["hypotheses"], key=lambda h: order[h["id"]]):
        hyp.add_row(h["id"], escape(h["label"]), _pct(h["posterior"]) + (" (unrated)" if h["unrated"] else ""),
                    str(h["inconsistency"]), f"{h['weighted']:.2f}")
    console.print(hyp)
    matrix = Table(title="Evidence (one row per independent origin)", show_lines=True)
    matrix.add_column("row / rule", overflow="fold", max_width=28)
    for h in r["hypotheses"]:
        matrix.add_column(h["id"], justify="center")
    for col in ("grade", "diag.", "claims and sources"):
        matrix.add_column(col, overflow="fold")
    for e in r["evidence"]:
        claims = "\n".join(f"{escape(c['id'])} — {escape(c['party']['name'])}: "
                           + "; ".join(escape(s.get("url") or s["capture"]) for s in c["sources"][:2])
                           for c in e["claims"])
        if e["dependent"]:
            claims += "\n[dim]counted once: " + "; ".join(escape(d["claim"]) + " (" + escape(d["why"]) + ")"
                                                       for d in e["dependent"]) + "[/]"
        matrix.add_row(escape(e["id"]) + f"\n[dim]{e['rule']}[/]" + ("\n[bold red]linchpin[/]" if e["linchpin"] else ""),
                       *(e["cells"][h["id"]]["rating"] for h in r["hypotheses"]),
                       e["grade"] + ("?" if e["cannot_be_judged"] else ""), f"{e['diagnosticity']:.2f}", claims)
    console.print(matrix)
    if r["not_weighed"]:
        console.print("[dim]Not weighed: " + "; ".join(f"{escape(n['claim'])} ({escape(n['why'])})"
                                                     for n in r["not_weighed"]) + "[/]")


STANDARD_WORDS = {"scintilla": "a scintilla of evidence", "preponderance": "the preponderance of the evidence",
                  "clear_and_convincing": "clear and convincing evidence",
                  "beyond_reasonable_doubt": "proof beyond reasonable doubt"}


def print_determination(console: Console, d: dict[str, Any]) -> None:
    """The determination in plain language: each conclusion, met or not, why, and the flips."""
    labels = {c["id"]: c["label"] for c in d["conclusions"]}
    flabels = {f["id"]: f["label"] for f in d["findings"]}
    when = f" as of {d['as_of']}" if d["as_of"] else ""
    console.rule(f"[bold]Determination{escape(when)}[/]")
    for c in d["conclusions"]:
        mark = "[bold green]ESTABLISHED[/]" if c["established"] else "[bold]not established[/]"
        tag = " [magenta](policy, not law)[/]" if c["kind"] == "policy" else ""
        console.print(f"{mark}  {escape(c['label'])}{tag}")
        console.print(f"   standard: {STANDARD_WORDS[c['standard']]}; support for {c['support']['pro']:.2f}, "
                      f"against {c['support']['con']:.2f}", style="dim")
        for r in c["rules"]:
            state = "applies" if r["applicable"] else "does not apply"
            if r["defeated_by"]:
                state += f" (defeated by {', '.join(r['defeated_by'])})"
            console.print(f"   rule {r['id']} {state} — {escape(r['source'])}", style="dim")
            for p in c["premises"]:
                if p["rule"] != r["id"]:
                    continue
                ok = "[green]✓[/]" if p["holds"] != p["exception"] else "[red]✗[/]"
                what = flabels.get(p["ref"]) or labels.get(p["ref"], p["ref"])
                kind = ("" if not p["exception"] else "shown, defeating the rule: " if p["holds"]
                        else "not shown (an exception): ")
                console.print(f"     {ok} {kind}{escape(what)} [dim]({p['standard'].replace('_', ' ')}; "
                              f"for {p['support']['pro']:.2f}, against {p['support']['con']:.2f})[/]")
        for q in c["consequences"]:
            console.print(f"   consequence: {escape(q['label'])} [dim]({escape(q['source'])})[/]")
    console.print()
    if d["flips"]:
        console.print("[bold]What would change the answer[/] (each finding not yet settled, set one way):")
        for f in d["flips"]:
            verb = "were established" if f["to"] == "established" else "were shown not to hold"
            changes = "; ".join(f"{labels[x['conclusion']]} would become "
                                f"{'established' if x['to'] else 'not established'}" for x in f["changes"])
            console.print(f" • If it {verb}: {escape(flabels[f['finding']])}\n   then {escape(changes)}.")
    for diff in d.get("compared_with_all_evidence", []):
        moved = ", ".join(f"{m['finding']} {m['as_of']['pro']:.2f}→{m['now']['pro']:.2f}" for m in diff["findings_moved"])
        console.print(f"[yellow]On all the evidence[/] {escape(labels[diff['conclusion']])} is "
                      f"{'established' if diff['now'] else 'not established'}; by {d['as_of']} it was "
                      f"{'established' if diff['as_of'] else 'not'} (support that moved: {moved or 'none'}).")
    if d["left_out"]:
        console.print(f"[dim]Left out as not yet published: {d['left_out']}[/]")
    console.print(f"[dim]Rulebook sha256 {d['rulebook_sha256']}[/]")
