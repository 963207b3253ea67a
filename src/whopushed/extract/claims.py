"""A detected launch report as a launch claim. Pure: a `detect` row in, a Claim out.

The claim is the channel's assertion, not ours: the party is the channel, the quote is
the message as posted, and the claim's text says what the detector read and from which
words (the spans), so an analyst sees why without rerunning anything. Its credibility is
6 ("cannot be judged") until someone grades it: a rule matched, nobody assessed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..model import Claim, Place, When

# how long before the post the reported launch may have been, when the text gives no time:
# monitoring channels post within hours; "overnight" reports come the next morning
REPORT_WINDOW = timedelta(hours=12)
MAX_QUOTE = 4096  # Telegram's own limit on a message; longer text is cut, marked

_PRECISION = {"country": "country", "adjective": "country", "sea": "region", "region": "region",
              "locality": "locality", "minor": "locality"}


def claim_id(capture_id: str) -> str:
    return f"cl-{capture_id}"


def _first_span(row: dict[str, Any], name: str) -> str | None:
    return next((s["text"] for s in row.get("spans", ()) if s["field"] == name), None)


def _quoted(text: str | None) -> str:
    return f" («{' '.join(text.split())}»)" if text else ""


def describe(row: dict[str, Any]) -> str:
    """What the detector read, in the project's words, each part with the words it came from."""
    parts = []
    terr = row.get("launch_territory")
    if terr:
        others = [t for t in row.get("launch_territories", ()) if t != terr]
        parts.append(f"launched from {terr}" + (f" (also named: {', '.join(others)})" if others else "")
                     + _quoted(_first_span(row, "launch_territory")))
    else:
        parts.append("launch territory not stated" + (f", direction {row['direction']}" if row.get("direction") else ""))
    names = list(dict.fromkeys(w["name"] for w in row.get("weapons", ())))
    if names:
        parts.append(", ".join(names) + _quoted(row["weapons"][0]["text"]))
    if row.get("count") is not None:
        count = str(row["count"]) + (f"–{row['count_max']}" if row.get("count_max") else "")
        parts.append(f"count {count}" + _quoted(_first_span(row, "count")))
    if row.get("hedged"):
        parts.append("hedged" + _quoted(_first_span(row, "hedge")))
    if row.get("negated_territories"):
        parts.append(f"says not from {', '.join(row['negated_territories'])}")
    return "Reports a launch: " + "; ".join(parts) + "."


def _when(row: dict[str, Any], posted: datetime | None) -> When | None:
    if row.get("time"):
        return When(value=row["time"], stated=_first_span(row, "time"))
    if posted is None:
        return None
    start = posted - REPORT_WINDOW
    fmt = "%Y-%m-%dT%H:%MZ"
    return When(value=f"{start:{fmt}}/{posted:{fmt}}", approximate=True,
                stated=f"no time in the text: within {REPORT_WINDOW.seconds // 3600} h before the post")


def _launch_area(row: dict[str, Any]) -> Place | None:
    place = next((p for p in row.get("places", ()) if p.get("role") == "from"), None)
    if place is None:
        return None
    return Place(name=place["name"], country=place.get("country"),
                 precision=_PRECISION.get(place.get("kind"), "region"),
                 lat=place.get("lat"), lon=place.get("lon"), stated=place.get("text"))


def launch_claim(row: dict[str, Any], capture: str, party: str, posted: datetime | None,
                 text: str, detector_version: str) -> Claim | None:
    """The launch claim a detected launch report makes, or None for a message that is not one.
    `row`: a `whopushed detect --json` row; `capture`: the message's capture; `party`: the
    channel's actor; `text`: the message text, quoted as posted."""
    if not row.get("is_launch_report"):
        return None
    quote = text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + " […]"
    made = When(value=f"{posted:%Y-%m-%dT%H:%MZ}") if posted else None
    return Claim(
        id=claim_id(capture), kind="launch", party=party, text=describe(row), captures=[capture],
        made=made, quote=quote, quote_language=row.get("language"),
        credibility="6",
        credibility_why=f"Found by the launch-report detector ({detector_version}); not yet assessed by an analyst.",
        when=_when(row, posted), launch_area=_launch_area(row), launch_territory=row.get("launch_territory"),
        weapons=list(dict.fromkeys(w["name"] for w in row.get("weapons", ()))),
        count=row.get("count"), count_max=row.get("count_max"))
