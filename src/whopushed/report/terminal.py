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


def print_record(console: Console, data: dict[str, Any]) -> None:
    skip = {"sources", "claims", "collection", "id"}
    body = []
    for key, value in data.items():
        if key in skip or value in (None, [], {}, False):
            continue
        if isinstance(value, dict):
            value = value.get("value") or value.get("name") or value
        body.append(f"[bold]{key}[/]: {escape(str(value))}")
    for claim in data.get("claims") or []:
        if isinstance(claim, dict):
            body.append(f"\n[bold]claim {escape(claim['id'])}[/] ({claim['kind']}, {claim['polarity']}) by "
                        f"{escape(claim['party']['name'])} — credibility {claim['credibility']} "
                        f"({escape(claim['credibility_label'])}): {escape(claim['credibility_why'])}\n"
                        f"  {escape(claim['text'])}\n{_sources(claim)}")
    if data.get("sources"):
        body.append("\n[bold]sources[/]\n" + _sources(data))
    console.print(Panel("\n".join(body), title=f"{data['collection']} {escape(data['id'])}", expand=False))
