"""The rule-based launch-report detector (ru, uk, be, en). Pure: text and the post's time
in, a Detection out, every field with the span of text it came from.

What it implements is docs/conventions.md: a launch report reports a specific event in which
weapons were fired; the launch territory is where they were fired from, as the text states
it ("from the territory of Belarus", "со стороны Беларуси", "з боку Білорусі"), by de jure
borders; who fired is not where ("Russia launched 40 drones" states no territory); a drone
flying INTO a state is a crossing, never a launch from it; "not from Belarus" states no
territory; "presumably" keeps the territory and marks it hedged. The words are data
(extract/data/rules.yaml), the places and weapons too (gazetteer.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ..rulefiles import packaged_yaml
from ..text import WORDS_CACHED
from . import lemmas
from .gazetteer import Gazetteer, Match, Token, tokens
from .langid import detect_language

LOCAL = ZoneInfo("Europe/Kyiv")  # the channels' clock, for "at 04:30" and "tonight"
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
_TIME_HINT = re.compile(r"\d[:.][0-5]")  # what every _TIME match holds, several times faster to look for


def _clock_hint(text: str) -> bool:
    """Whether `text` may hold a clock time (_TIME): the separator is looked for first, by
    the string's own search (most chatter has neither)."""
    return (":" in text or "." in text) and _TIME_HINT.search(text) is not None

_RANGE = re.compile(r"^(\d{1,4})\s*[-–—]\s*(\d{1,4})$")
_SENTENCE_END = re.compile(r"[.!?;\n]")
_CLAUSE_END = re.compile(r"[,.!?;:\n]")
NO_LAUNCH = "no launch reported"  # the reason given where nothing else is found


@dataclass(frozen=True)
class Span:
    field: str
    start: int
    end: int
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end, "text": self.text}


_dumps = orjson.dumps
_new = object.__new__
_set = object.__setattr__


def _span(field: str, start: int, end: int, text: str) -> Span:
    """Span(field, start, end, text) without the frozen dataclass's setattr per field."""
    sp = _new(Span)
    _set(sp, "__dict__", {"field": field, "start": start, "end": end, "text": text})
    return sp


@dataclass
class Detection:
    language: str | None
    is_launch_report: bool
    launch_territory: str | None
    launch_territories: list[str]
    places: list[dict[str, Any]]
    weapons: list[dict[str, Any]]
    count: int | None
    count_max: int | None
    time: str | None
    hedged: bool
    negated: list[str]  # territories the text says the launch was NOT from
    crossings: list[str]  # territories drones flew into
    direction: str | None
    reasons: list[str]
    spans: list[Span] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"language": self.language, "is_launch_report": self.is_launch_report,
                "launch_territory": self.launch_territory, "launch_territories": self.launch_territories,
                "places": self.places, "weapons": self.weapons, "count": self.count, "count_max": self.count_max,
                "time": self.time, "hedged": self.hedged, "negated_territories": self.negated,
                "crossings": self.crossings, "direction": self.direction, "reasons": self.reasons,
                "spans": [s.as_json() for s in self.spans]}

    @classmethod
    def from_json(cls, f: dict[str, Any]) -> Detection:
        """The detection as_json() wrote: new lists throughout (a caller may change them)."""
        return cls(language=f["language"], is_launch_report=f["is_launch_report"],
                   launch_territory=f["launch_territory"], launch_territories=list(f["launch_territories"]),
                   places=[{**p, "span": list(p["span"])} for p in f["places"]],
                   weapons=[{**w, "span": list(w["span"])} for w in f["weapons"]],
                   count=f["count"], count_max=f["count_max"], time=f["time"], hedged=f["hedged"],
                   negated=list(f["negated_territories"]), crossings=list(f["crossings"]),
                   direction=f["direction"], reasons=list(f["reasons"]),
                   spans=[_span(s["field"], s["start"], s["end"], s["text"]) for s in f["spans"]])

    @classmethod
    def nothing(cls, language: str | None, reason: str) -> Detection:
        """A detection in which nothing is found, for `reason`."""
        return cls(language, False, None, [], [], [], None, None, None, False, [], [], None, [reason], [])


class _Words:
    """A list of word beginnings, matched against lowercased tokens; an item that is itself a
    list is a phrase, consecutive words each with its beginning ("боевые пуски")."""

    def __init__(self, items):
        items = list(items or ())
        self.items = tuple(sorted({str(x).lower() for x in items if not isinstance(x, list)}, key=len, reverse=True))
        self.phrases = tuple(tuple(str(w).lower() for w in x) for x in items if isinstance(x, list) and x)
        self._heads = tuple({p[0] for p in self.phrases})

    def __call__(self, low: str) -> bool:
        return low.startswith(self.items) if self.items else False

    def phrases_at(self, low: str) -> tuple[tuple[str, ...], ...]:
        """The phrases whose first word `low` may be (the only ones find() can match there)."""
        return tuple(p for p in self.phrases if low.startswith(p[0]))

    def find(self, toks: list[Token]) -> list[Token]:
        """The tokens that are a word of the list or begin one of its phrases."""
        out = [t for t in toks if self(t.low)]
        if self._heads:
            for i, t in enumerate(toks):
                if t.low.startswith(self._heads) and any(
                        i + len(p) <= len(toks) and all(toks[i + k].low.startswith(p[k]) for k in range(len(p)))
                        for p in self.phrases):
                    out.append(t)
            out.sort(key=lambda t: t.start)
        return out


_YEAR = re.compile(r"(19|20)\d\d")
_DIGITS = re.compile(r"^(\d{1,4})(?:[xх×])?$")


class _Word:
    """What one lowercased word is to the rules, worked out once per distinct word (words
    recur): the per-token loops of the detector read these instead of trying every list."""

    __slots__ = ("launch", "launch_phrases", "cues", "air", "hedge", "year", "direction", "notable")

    def __init__(self, low: str, r: Rules):
        self.launch = (low in r.launch_exact or r.launch(low)) and not low.startswith("ударн")
        # a phrase with no words matches anywhere, as in the loop it replaces
        self.launch_phrases = tuple(p for p in r.launch_phrases if not p or low.startswith(p[0]))
        # (kind, the word is one of the kind's words, the kind's phrases that may begin here)
        self.cues = tuple((k, w(low), w.phrases_at(low)) for k, w in r.cues.items()
                          if w(low) or w.phrases_at(low))
        self.air = r.air(low)
        self.hedge = low in r.hedges
        self.year = _YEAR.fullmatch(low) is not None
        self.direction = low in r.directions
        # any of the above: the loops over a text's words visit only these
        self.notable = bool(self.launch or self.launch_phrases or self.cues or self.air or self.hedge
                            or self.year or self.direction)


def _phrase_at(toks: list[Token], i: int, p: tuple[str, ...]) -> bool:
    return i + len(p) <= len(toks) and all(toks[i + k].low.startswith(p[k]) for k in range(len(p)))


_CACHE_MAX = WORDS_CACHED  # distinct words a detector remembers
_SEEN_MAX = 1 << 13  # distinct texts whose detection (less the time) a detector remembers


def _span_order(s: Span) -> tuple[int, int, str]:
    return s.start, s.end, s.field


@dataclass
class Rules:
    launch: _Words
    launch_exact: frozenset[str]
    launch_phrases: tuple[tuple[str, ...], ...]
    cues: dict[str, _Words]
    potential: frozenset[str]
    absent: _Words
    from_markers: frozenset[str]
    weak_markers: frozenset[str]
    from_fillers: frozenset[str]
    territory_words: _Words
    instrumental: tuple[str, ...]
    into_markers: frozenset[str]
    into_fillers: frozenset[str]
    moves: _Words
    negators: frozenset[str]
    hedges: frozenset[str]
    directions: dict[str, str]  # word -> direction
    air: _Words
    sea: _Words
    numbers: dict[str, int]
    pieces: _Words
    up_to: frozenset[str]
    days: dict[str, str]  # word -> today/yesterday/night
    months: list[tuple[str, int]]

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> Rules:
        d = packaged_yaml(resources.files("whopushed.extract").joinpath("data", "rules.yaml").read_text("utf-8"))
        low = lambda xs: frozenset(str(x).lower() for x in xs)
        values = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                  "nine": 9, "ten": 10, "twelve": 12, "twenty": 20}
        return cls(
            launch=_Words(d["launch"]["words"]), launch_exact=low(d["launch"]["exact"]),
            launch_phrases=tuple(tuple(str(w).lower() for w in p) for p in d["launch"]["phrases"]),
            cues={k: _Words(d[k]) for k in ("alert", "threat", "takeoff", "exercise", "deployment", "denial",
                                            "statistics")},
            potential=low(d["potential"]), absent=_Words(d["absent"]),
            from_markers=low(d["from"]["markers"]), weak_markers=low(d["from"]["weak_markers"]),
            from_fillers=low(d["from"]["fillers"]), territory_words=_Words(d["from"]["territory_words"]),
            instrumental=tuple(sorted(d["from"]["instrumental_endings"], key=len, reverse=True)),
            into_markers=low(d["into"]["markers"]), into_fillers=low(d["into"]["fillers"]),
            moves=_Words(d["into"]["moves"]), negators=low(d["negators"]), hedges=low(d["hedges"]),
            directions={str(w).lower(): k for k, ws in d["directions"].items() for w in ws},
            air=_Words(d["air_platforms"]), sea=_Words(d["sea_platforms"]),
            numbers={str(w).lower(): values[k] for k, ws in d["numbers"].items() for w in ws},
            pieces=_Words(d["pieces"]), up_to=low(d["up_to"]),
            days={str(w).lower(): k for k, ws in d["days"].items() for w in ws},
            months=sorted(((str(p).lower(), int(m)) for m, ps in d["months"].items() for p in ps),
                          key=lambda x: -len(x[0])),
        )


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in re.finditer(r"[.!?\n]+", text):
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


class Detector:
    def __init__(self, rules: Rules | None = None, gazetteer: Gazetteer | None = None, target_state: str = "UA"):
        self.r = rules or Rules.load()
        self.g = gazetteer or Gazetteer.load()
        self.target = target_state  # flying into the state attacked is the attack, not a crossing
        # per distinct word, from these rules (a new Rules means a new Detector, a fresh cache)
        self._words: dict[str, _Word] = {}
        self._numbers: dict[str, tuple[int, int | None] | None] = {}
        self._from_or_weak = self.r.from_markers | self.r.weak_markers
        self._month_prefixes = tuple(p for p, _m in self.r.months)
        # (text, the language asked for) -> (its tokens where it has time words, else None; the
        # JSON of the detection less the time; that JSON's bytes), valid while the gazetteer's
        # indexes and the lemmatiser are the ones it was filled with (`recall`, `remember`)
        self._seen: dict[tuple[str, str | None], tuple[list[Token] | None, dict, bytes | None]] = {}
        self._seen_state: tuple = ()

    def _infos(self, toks: list[Token]) -> list[_Word]:
        return self._words_of(toks)[0]

    def _words_of(self, toks: list[Token]) -> tuple[list[_Word], list[int]]:
        """What each token's word is, and the indices of the notable ones, in order."""
        words, r = self._words, self.r
        out, notable = [], []
        for i, t in enumerate(toks):
            w = words.get(t.low)
            if w is None:
                w = _Word(t.low, r)
                if len(words) < _CACHE_MAX:
                    words[t.low] = w
            out.append(w)
            if w.notable:
                notable.append(i)
        return out, notable

    # -- matching helpers ------------------------------------------------------------

    def _places(self, toks: list[Token], lang: str | None = None) -> list[Match]:
        return self.g.places.scan(toks, lang, self._place_ok)

    def _place_ok(self, m: Match, toks: list[Token]) -> bool:
        e, t = m.entry, toks[m.first]
        if e.kind == "adjective":
            return m.first + 1 < len(toks) and self.r.territory_words(toks[m.first + 1].low)
        if e.kind in ("country", "sea"):
            return t.capital or e.kind == "sea" or t.text.isupper()
        if not t.capital:
            return False
        if e.kind == "minor":  # a village of the postal list: only right after "from / in / near"
            prev = toks[m.first - 1].low if m.first > 0 else ""
            return prev in self.r.from_markers or prev in self.r.weak_markers or prev in self.r.from_fillers
        return True

    def _weapons(self, toks: list[Token], lang: str | None = None) -> list[Match]:
        return self.g.weapons.scan(toks, lang)

    def _negated_before(self, toks: list[Token], i: int, reach: int = 2) -> bool:
        return any(toks[j].low in self.r.negators or toks[j].low.endswith("n't")
                   for j in range(max(0, i - reach), i))

    def _launch_cues(self, toks: list[Token], text: str = "",
                     words: tuple[list[_Word], list[int]] | None = None) -> list[tuple[int, bool]]:
        """(token index, negated) of each word saying that something was fired; "negated"
        also when it is only possible, feared or threatened ("угроза удара")."""
        found = []
        infos, notable = words if words is not None else self._words_of(toks)
        for i in notable:
            w = infos[i]
            hit = w.launch
            if not hit and w.launch_phrases:
                hit = any(_phrase_at(toks, i, p) for p in w.launch_phrases)
            if hit:
                found.append((i, self._negated_clause(toks, i, text) or self._absent_after(toks, i, text)
                              or self._potential(toks, i) or self._threatened(toks, i, text)))
        return found

    def _negated_clause(self, toks: list[Token], i: int, text: str) -> bool:
        """A negator up to three words before, in the same clause: "не запускали", not
        "не зафиксировано, удары"."""
        for j in range(i - 1, max(-1, i - 4), -1):
            if text and _CLAUSE_END.search(text, toks[j].end, toks[j + 1].start):
                return False
            if toks[j].low in self.r.negators or toks[j].low.endswith("n't"):
                return True
        return False

    def _threatened(self, toks: list[Token], i: int, text: str = "") -> bool:
        """"угроза ракетного удара", "загроза ударів", "из-за опасений удара", "threat of strikes":
        the launch word governed by a word of threat or fear is no event."""
        threat = self.r.cues["threat"]
        for j in range(i - 1, max(-1, i - 4), -1):  # "threat of missile strikes": three words back
            if text and _CLAUSE_END.search(text, toks[j].end, toks[j + 1].start):
                return False
            if threat(toks[j].low):
                return True
        return False

    def _absent_after(self, toks: list[Token], i: int, text: str = "") -> bool:
        """"пусков не было", "launches were not recorded", "пусків немає", "пусков ракет с
        территории Беларуси не зафиксировано": the noun, then (in the same sentence) its negation."""
        for j in range(i + 1, min(len(toks), i + 9)):
            if text and _SENTENCE_END.search(text, toks[j - 1].end, toks[j].start):
                return False
            low = toks[j].low
            if low in ("нет", "немає", "няма", "none"):
                return True
            if (low in self.r.negators or low.endswith("n't")) and j + 1 < len(toks) and self.r.absent(toks[j + 1].low):
                return True
        return False

    def _potential(self, toks: list[Token], i: int) -> bool:
        """"возможен пуск", "можливий пуск", "a launch is possible": a threat, not an event."""
        near = [toks[j].low for j in range(max(0, i - 2), min(len(toks), i + 4))]
        return any(w in self.r.potential for w in near)

    def _source(self, toks: list[Token], m: Match, named: frozenset[int] = frozenset()) -> str | None:
        """'from' when a from-marker governs the place, 'into' for a crossing, else None."""
        j = m.first - 1
        fillers = 0
        saw_filler = False
        while j >= 0 and fillers < 8:  # "from the territory of the Republic of Belarus"
            low = toks[j].low
            if low in self.r.from_markers:
                return "from"
            if low in self.r.weak_markers:
                if saw_filler or m.entry.kind in ("adjective",):
                    return "from"
                # bare "з Білорусі" is from; "з Білоруссю" is with
                return None if toks[m.first].low.endswith(self.r.instrumental) else "from"
            if low in self.r.into_markers and not saw_filler:
                return "into" if self._moving(toks, m, named) else None
            if low in self.r.into_fillers and j > 0 and toks[j - 1].low in self.r.into_markers:
                return "into" if self._moving(toks, m, named) or low not in self.r.from_fillers else None
            if low in self.r.from_fillers or self.r.territory_words(low):
                saw_filler = True
                fillers += 1
                j -= 1
                continue
            return None
        return None

    def _unlaunched(self, text: str, toks: list[Token], cues: list[tuple[int, bool]], place_matches: list[Match],
                    places: list[dict[str, Any]], territories: list[str], negated: list[str]) -> list[str]:
        """The territories left once the launch places whose nearest launch word (in the same
        sentence) is negated or only threatened are taken out; a negated one is listed in
        `negated` ("not from")."""
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        commas = [m.end() for m in _CLAUSE_END.finditer(text)]

        def sentence(pos: int) -> int:
            return sum(1 for e in ends if e <= pos)

        def clause(pos: int) -> int:
            return sum(1 for e in commas if e <= pos)

        keep: set[str] = set()
        for m in place_matches:
            place = next(p for p in places if p["span"][0] == toks[m.first].start)
            if place["role"] != "from" or not m.entry.country:
                continue
            here = sentence(toks[m.first].start)
            # the nearest in the same clause, else in the same sentence
            near = [(clause(toks[i].start) != clause(toks[m.first].start), abs(i - m.first), neg, i)
                    for i, neg in cues if sentence(toks[i].start) == here]
            if not near or not min(near)[2]:
                keep.add(m.entry.country)
                continue
            i = min(near)[3]
            place["role"] = "mentioned"
            if not self._potential(toks, i) and not self._threatened(toks, i, text):
                place["role"] = "not from"
                if m.entry.country not in negated:
                    negated.append(m.entry.country)
        return [c for c in territories if c in keep]

    def _moving(self, toks: list[Token], m: Match, named: frozenset[int] = frozenset()) -> bool:
        """A verb of movement in the same stretch: 'flew into Belarus', 'залетел в Беларусь'
        (a word of a place's name is none: "Курской" is no "курс")."""
        lo, hi = max(0, m.first - 8), min(len(toks), m.last + 4)
        return any(self.r.moves(toks[k].low) and k not in named for k in range(lo, hi))

    def _count(self, toks: list[Token], weapon_matches: list[Match],
               not_counts: set[int]) -> tuple[int | None, int | None, Span | None]:
        """The number next to a weapon: "40 ударних БпЛА", "up to 10 missiles", "2-3
        missiles", "Шахеды ..., 12 штук". Times and years are never counts."""
        numbers = self._numbers

        def number(j: int):
            if j in not_counts:
                return None
            t = toks[j]
            if t.text in numbers:
                return numbers[t.text]
            n = self._number(t.text, t.low)
            if len(numbers) < _CACHE_MAX and t.low == t.text.lower():
                numbers[t.text] = n
            return n

        if not weapon_matches:  # both ways below need a weapon
            return None, None, None

        for wm in weapon_matches:
            j = wm.first - 1
            hops = 0
            while j >= 0 and hops < 3:
                t = toks[j]
                n = number(j)
                if n is not None:
                    lo, hi = n
                    if hi is None and j > 0 and toks[j - 1].low in self.r.up_to:
                        return None, lo, _span("count", toks[j - 1].start, t.end, "")
                    return lo, hi, _span("count", t.start, t.end, "")
                if t.low in self.r.from_fillers or t.low in self.r.negators or t.low in self.r.from_markers:
                    break
                hops += 1  # an adjective between: "40 ударних БпЛА", "12 attack drones"
                j -= 1
        for j, t in enumerate(toks[:-1]):  # "12 штук"
            n = number(j)
            if n is not None and self.r.pieces(toks[j + 1].low) and weapon_matches:
                return n[0], n[1], _span("count", t.start, toks[j + 1].end, "")
        return None, None, None

    def _number(self, text: str, low: str) -> tuple[int, int | None] | None:
        m = _RANGE.match(text)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            return (a, b) if a <= b else None
        digits = _DIGITS.match(low)
        if digits:
            return int(digits.group(1)), None
        if low in self.r.numbers:
            return self.r.numbers[low], None
        return None

    def _time(self, text: str, toks: list[Token], posted: datetime | None) -> tuple[str | None, Span | None]:
        if posted is None:
            return None, None
        days = self.r.days
        tm = _TIME.search(text) if _clock_hint(text) else None
        if tm is None and not any(t.low in days for t in toks) and not self._has_date(toks):
            return None, None  # what the rest finds for a text with no time, day word or date
        local = posted.astimezone(LOCAL)
        day = local.date()
        day_span = None
        night = False
        for t in toks:
            kind = days.get(t.low)
            if kind == "yesterday":
                day, day_span = local.date() - timedelta(days=1), t
            elif kind == "today" and day_span is None:
                day_span = t
            elif kind == "night" and day_span is None:
                night, day_span = True, t
        # an explicit date: "24 лютого", "24 February"
        for i, t in enumerate(toks[:-1]):
            if t.low.isdigit() and 1 <= int(t.low) <= 31:
                nxt = toks[i + 1].low
                month = next((m for p, m in self.r.months if nxt.startswith(p)), None) \
                    if nxt.startswith(self._month_prefixes) else None
                if month:
                    year = local.year
                    year_tok = toks[i + 2] if i + 2 < len(toks) and re.fullmatch(r"(19|20)\d\d", toks[i + 2].low) else None
                    if year_tok:
                        year = int(year_tok.low)
                    try:
                        d = datetime(year, month, int(t.low)).date()
                    except ValueError:
                        continue
                    if d > local.date() and not year_tok:
                        d = d.replace(year=year - 1)
                    day = d
                    day_span = Token(t.start, (year_tok or toks[i + 1]).end, "", "", "")
                    night = False
                    break
        if tm:
            hh, mm = int(tm.group(1)), int(tm.group(2))
            dt = datetime(day.year, day.month, day.day, hh, mm, tzinfo=LOCAL)
            if day == local.date() and dt > local + timedelta(minutes=5) and day_span is None:
                dt -= timedelta(days=1)  # "at 23:40" posted at 00:10: the evening before
            off = dt.utcoffset()
            mins = int(off.total_seconds() // 60)
            value = f"{_minutes(dt)}{'+' if mins >= 0 else '-'}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"
            start = day_span.start if day_span and day_span.start < tm.start() else tm.start()
            return value, _span("time", start, tm.end(), text[start:tm.end()])
        if night:
            s = _evening_before(local.date())
            e = f"{_minutes(local)}{_off(local)}"
            return f"{s}/{e}", _span("time", day_span.start, day_span.end, text[day_span.start:day_span.end])
        if day_span is not None:
            return day.isoformat(), _span("time", day_span.start, day_span.end, text[day_span.start:day_span.end])
        return None, None

    def _time_words(self, text: str, toks: list[Token]) -> bool:
        """Whether `text` has a time, a day word or a date: without, _time finds nothing
        whatever the post's time (the test it begins with)."""
        days = self.r.days
        return (_clock_hint(text) and _TIME.search(text) is not None) \
            or any(t.low in days for t in toks) or self._has_date(toks)

    def _has_date(self, toks: list[Token]) -> bool:
        """Whether _time's loop over dates would find a day number and a month ("24 лютого"),
        asking the same of the same tokens in the same order."""
        prefixes = self._month_prefixes
        for i, t in enumerate(toks[:-1]):
            if t.low.isdigit() and 1 <= int(t.low) <= 31 and toks[i + 1].low.startswith(prefixes):
                return True
        return False

    # -- the detector ----------------------------------------------------------------

    def detect(self, text: str, posted: datetime | None = None, language: str | None = None) -> Detection:
        toks, f, _body = self.recall(text, language) or self.remember(text, language)
        found = Detection.from_json(f)
        found.time, time_span = self._time(text, toks, posted) if toks is not None else (None, None)
        if time_span is not None:
            found.spans.append(time_span)
            found.spans.sort(key=_span_order)  # the others are in this order already: the same as one sort
        return found

    def detect_json(self, text: str, posted: datetime | None = None, language: str | None = None) -> dict[str, Any]:
        """detect(...).as_json(), sooner: a remembered text's JSON is copied, not rebuilt."""
        return self.json_of(text, self.recall(text, language) or self.remember(text, language), posted)

    # All but the time depends on the text alone, and texts recur (alerts, forwards,
    # templates): that part is remembered per (text, the language asked for), with its JSON;
    # the time is found per call.

    def recall(self, text: str, language: str | None = None) -> tuple | None:
        """The remembered (tokens where the text has time words, else None; the JSON of the
        detection less the time; that JSON as bytes, less its opening brace, or None where
        orjson cannot write it) of `text`, or None. No Detection object is kept: one as well
        took a quarter more memory (8,000 reports: 68 MB, now 55, 63 with the bytes)."""
        state = (self.g.places.version, self.g.weapons.version, lemmas.lemma_keys, lemmas._analyzer)
        if state != self._seen_state:
            self._seen.clear()
            self._seen_state = state
        return self._seen.get((text, language))

    def remember(self, text: str, language: str | None = None, detected: str | None = None) -> tuple:
        """Detect `text` less its time (in `language`, else in `detected`, else in the language
        it is found to be in) and remember it (`recall`)."""
        lang = language or detected or (detect_language(text) if text.strip() else None)
        toks = tokens(text)
        base = self._detect(text, toks, lang)
        # the tokens are kept only where _time will read them
        f = base.as_json()
        try:
            body = _dumps(f)[1:]  # the row's bytes are then the head's and these (json_bytes)
        except TypeError:  # a lone surrogate in a span's text
            body = None
        seen = (toks if self._time_words(text, toks) else None, f, body)
        if _SEEN_MAX:
            if len(self._seen) >= _SEEN_MAX:  # the oldest goes: a long stream keeps its recent texts
                del self._seen[next(iter(self._seen))]
            self._seen[(text, language)] = seen
        return seen

    def json_of(self, text: str, seen: tuple, posted: datetime | None) -> dict[str, Any]:
        """The JSON of a remembered detection at the post's time: a fresh copy (a caller may
        change it) with the time and its span in place."""
        f = seen[1]
        out = {**f, "launch_territories": f["launch_territories"][:],
               "places": [{**p, "span": p["span"][:]} for p in f["places"]],
               "weapons": [{**w, "span": w["span"][:]} for w in f["weapons"]],
               "negated_territories": f["negated_territories"][:], "crossings": f["crossings"][:],
               "reasons": f["reasons"][:]}
        value, spans = self._timed_spans(text, seen, posted)
        out["time"], out["spans"] = value, spans if spans is not None else [{**s} for s in f["spans"]]
        return out

    def json_bytes(self, head: bytes, text: str, seen: tuple, posted: datetime | None) -> bytes:
        """The row whose first fields are `head` (an object's JSON, open: `{...,`) followed by
        json_of(text, seen, posted), as JSON (orjson), without copying what is remembered: it is
        only read. Raises TypeError where orjson cannot write it."""
        value, spans = self._timed_spans(text, seen, posted)
        if value is None and spans is None:
            return head + (seen[2] or _dumps(seen[1])[1:])
        out = {**seen[1], "time": value}
        if spans is not None:
            out["spans"] = spans
        return head + _dumps(out)[1:]

    def _timed_spans(self, text: str, seen: tuple, posted: datetime | None) -> tuple[str | None, list | None]:
        """The time of a remembered text at the post's time, and where it has one, a new list
        of the remembered spans' JSON with the time's span in its sorted place (else None)."""
        toks, f, _body = seen
        if toks is None:
            return None, None
        value, span = self._time(text, toks, posted)
        if span is None:
            return value, None
        spans, key = [{**s} for s in f["spans"]], (span.start, span.end, span.field)
        at = len(spans)  # after every span that sorts before it or equal (a stable sort's place)
        while at and (spans[at - 1]["start"], spans[at - 1]["end"], spans[at - 1]["field"]) > key:
            at -= 1
        spans.insert(at, span.as_json())
        return value, spans

    def _detect(self, text: str, toks: list[Token], lang: str | None) -> Detection:
        """The detection of `text` less its time (which alone depends on the post's time)."""
        r = self.r
        spans: list[Span] = []
        reasons: list[str] = []
        place_matches = self._places(toks, lang)  # the language picks the lemmatiser (ru, uk; none for be)
        weapon_matches = self._weapons(toks, lang)
        # tokens a weapon took are not places ("Искандер" is no village)
        weapon_tokens = {k for m in weapon_matches for k in range(m.first, m.last + 1)}
        place_matches = [m for m in place_matches if m.first not in weapon_tokens]

        def span(fieldname: str, m: Match) -> Span:
            s, e = toks[m.first].start, toks[m.last].end
            return _span(fieldname, s, e, text[s:e])

        places, territories, negated, crossings = [], [], [], []
        from_spans = []
        named = frozenset(k for m in place_matches for k in range(m.first, m.last + 1))
        from_or_weak = self._from_or_weak
        for m in place_matches:
            src = self._source(toks, m, named)
            sp = span("place", m)
            spans.append(sp)
            places.append({"name": m.entry.name, "country": m.entry.country, "kind": m.entry.kind,
                           "lat": m.entry.lat, "lon": m.entry.lon, "role": src or "mentioned",
                           "span": [sp.start, sp.end], "text": sp.text})
            if src == "from":
                marker_at = m.first - 1
                while marker_at > 0 and toks[marker_at].low not in from_or_weak:
                    marker_at -= 1
                if self._negated_before(toks, marker_at, 2) or self._negated_before(toks, m.first, 1):
                    negated.append(m.entry.country)
                    places[-1]["role"] = "not from"
                    spans.append(_span("negation", toks[max(0, marker_at - 2)].start, sp.end,
                                      text[toks[max(0, marker_at - 2)].start:sp.end]))
                    continue
                if m.entry.country and m.entry.country not in territories:
                    territories.append(m.entry.country)
                from_spans.append(_span("launch_territory", toks[marker_at].start, sp.end,
                                       text[toks[marker_at].start:sp.end]))
            elif src == "into" and m.entry.country:
                places[-1]["role"] = "into"
                if m.entry.country != self.target and m.entry.country not in crossings:
                    crossings.append(m.entry.country)
                    spans.append(_span("crossing", sp.start, sp.end, sp.text))
        # a place joined by "and" to a from-place shares its "from": "из Брянской области и Беларуси"
        for a, b in zip(place_matches, place_matches[1:]):
            pa = next(p for p in places if p["span"][0] == toks[a.first].start)
            pb = next(p for p in places if p["span"][0] == toks[b.first].start)
            if pa["role"] == "from" and pb["role"] == "mentioned" and b.first - a.last == 2 \
                    and toks[a.last + 1].low in ("и", "і", "та", "й", "and", "ды", "or", "или", "або", "ці"):
                pb["role"] = "from"
                if b.entry.country and b.entry.country not in territories:
                    territories.append(b.entry.country)
                from_spans.append(_span("launch_territory", toks[b.first].start, toks[b.last].end,
                                       text[toks[b.first].start:toks[b.last].end]))
        spans += from_spans
        weapons = []
        for m in weapon_matches:
            sp = span("weapon", m)
            spans.append(sp)
            weapons.append({"name": m.entry.name, "kind": m.entry.kind, "span": [sp.start, sp.end], "text": sp.text})
        # directions: "с севера", "з півночі", "from the north" name no territory
        direction = None
        infos, notable = words = self._words_of(toks)
        for i in notable:
            t = toks[i]
            if infos[i].direction and i > 0 and (toks[i - 1].low in from_or_weak
                                                   or (toks[i - 1].low == "the" and i > 1 and toks[i - 2].low == "from")
                                                   or toks[i - 1].low in ("північного", "південного", "напрямку")):
                direction = r.directions[t.low]
                spans.append(_span("direction", toks[i - 1].start, t.end, text[toks[i - 1].start:t.end]))
                break
        cues = self._launch_cues(toks, text, words)
        launch_ok = [i for i, neg in cues if not neg]
        launch_neg = [i for i, neg in cues if neg]
        if launch_neg and territories:
            # a launch place goes with the launch word nearest it in its sentence: "пусков с
            # территории Беларуси не зафиксировано", "не запускали ракеты с территории Беларуси"
            # (not from it), "из-за опасений удара с территории Украины" (no launch at all)
            territories = self._unlaunched(text, toks, cues, place_matches, places, territories, negated)
        for i in launch_ok:
            spans.append(_span("launch", toks[i].start, toks[i].end, toks[i].text))
        for i in launch_neg:
            spans.append(_span("negation", toks[max(0, i - 2)].start, toks[i].end, text[toks[max(0, i - 2)].start:toks[i].end]))
        # each kind's first word or phrase (what _Words.find would list first; only the first
        # and whether there is one are read)
        first: dict[str, Token] = {}
        for i in notable:
            for k, hit, phrases in infos[i].cues:
                if k not in first and (hit or any(_phrase_at(toks, i, p) for p in phrases)):
                    first[k] = toks[i]
        other = {k: [first[k]] if k in first else [] for k in r.cues}
        for k, ts in other.items():
            for t in ts[:1]:
                spans.append(_span(k, t.start, t.end, t.text))
        hedges = [toks[i] for i in notable if infos[i].hedge]
        for t in hedges[:1]:
            spans.append(_span("hedge", t.start, t.end, t.text))
        has_weapon = bool(weapon_matches)
        # aircraft or ships named as where it came from, and no territory: AIR
        air = [toks[i] for i in notable if infos[i].air]
        # --- the decision ---
        is_report = False
        if launch_ok and (has_weapon or territories or air):
            is_report = True
            reasons.append("a weapon was fired")
        elif has_weapon and territories and not crossings:  # drones "into Belarus from Ukraine": a crossing
            is_report = True
            reasons.append("weapons stated to come from a territory")
        if is_report and other["exercise"]:
            is_report = False
            reasons.append("an exercise")
        if is_report and other["statistics"]:
            is_report = False
            reasons.append("statistics")
        if is_report and other["denial"]:
            is_report = False
            reasons.append("a denial")
        if not is_report:
            if launch_neg and not launch_ok:
                reasons.append("the launch is denied or negated")
            if other["denial"]:
                reasons.append("a denial")
            if crossings and not launch_ok:
                reasons.append("a crossing into a state, not a launch from it")
            if other["takeoff"] and not launch_ok:
                reasons.append("a take-off with no launch reported")
            if (other["alert"] or other["threat"]) and not launch_ok:
                reasons.append("an alert or a threat")
            if other["deployment"]:
                reasons.append("a deployment")
            if not reasons:
                reasons.append(NO_LAUNCH if not launch_ok else "no weapon or place with the launch")
        territory = territories[0] if territories else None
        if is_report and territory is None and air and not direction:
            # "from aircraft" with no territory: AIR
            for i, t in enumerate(toks):
                if r.air(t.low) and i > 0 and (toks[i - 1].low in from_or_weak
                                               or toks[i - 1].low in r.from_fillers):
                    territory = "AIR"
                    spans.append(_span("launch_territory", toks[i - 1].start, t.end, text[toks[i - 1].start:t.end]))
                    break
        in_times = [(m.start(), m.end()) for m in _TIME.finditer(text)] if _clock_hint(text) else []
        if in_times:
            not_counts = {k for k, t in enumerate(toks)
                          if any(a <= t.start < b for a, b in in_times) or infos[k].year}
        else:
            not_counts = {k for k in notable if infos[k].year}
        count, count_max, count_span = self._count(toks, weapon_matches, not_counts)
        if count_span is not None:
            spans.append(_span("count", count_span.start, count_span.end, text[count_span.start:count_span.end]))
        spans.sort(key=_span_order)
        return Detection(
            language=lang, is_launch_report=is_report,
            launch_territory=territory if is_report else None,
            launch_territories=(territories or ([territory] if territory else [])) if is_report else [],
            places=places, weapons=weapons, count=count, count_max=count_max, time=None,
            hedged=bool(hedges), negated=negated, crossings=crossings, direction=direction,
            reasons=reasons, spans=spans)


def _minutes(dt: datetime) -> str:
    """f"{dt:%Y-%m-%dT%H:%M}", from isoformat (several times faster) where the year has
    four digits, as both write it then."""
    return dt.isoformat(timespec="minutes")[:16] if dt.year >= 1000 else f"{dt:%Y-%m-%dT%H:%M}"


_EVENINGS: dict[date, str] = {}  # a night's start, per day: posts of a day share it


def _evening_before(day: date) -> str:
    """18:00 local of the day before `day`, as "night" gives it ("2024-02-23T18:00+02:00")."""
    found = _EVENINGS.get(day)
    if found is None:
        start = datetime.combine(day - timedelta(days=1), datetime.min.time()).replace(hour=18)
        found = f"{start:%Y-%m-%d}T18:00{_off(start)}"
        if len(_EVENINGS) < 1 << 16:
            _EVENINGS[day] = found
    return found


def _off(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=LOCAL)
    mins = int(dt.utcoffset().total_seconds() // 60)
    return f"{'+' if mins >= 0 else '-'}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    return Detector()


def detect(text: str, posted: datetime | None = None, language: str | None = None) -> Detection:
    return default_detector().detect(text, posted, language)

