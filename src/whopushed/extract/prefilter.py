"""A cheap test that a message cannot give the detector anything to say, so that most
chatter skips the full detector and still gets the very row the detector would give.

The detector's output grows only from "anchor" words: a launch cue, another cue (alert,
threat, exercise, ...), a hedge, a direction, a place or a weapon of the gazetteer. Every
other word list of the rules (negators, "from" markers, numbers, ...) is read only next to
an anchor, except the time words ("сьогодні", "24 лютого", "о 23:40"), which give only the
time. A message with no anchor therefore gets the empty detection (its language, not a
launch report, nothing found) plus, where it has time words, the detector's own time.

The vocabulary is taken at load time from the detector's own Rules and Gazetteer (so from
rules.yaml, places.yaml, the weapon lists): nothing is copied here. What is written here is
which Rules fields are anchors; a Rules field this module does not know disables the
prefilter (every message then goes to the full detector) until it is classified.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from ..text import WORDS_CACHED
from .detect import (_TIME, LOCAL, NO_LAUNCH, Detection, Detector, Rules, Span, _clock_hint, _dumps, _evening_before,
                     _minutes, _off, _span)
from .gazetteer import TOKEN, Token, _word, tokens
from .langid import detect_language

# Rules fields whose words can put something in the output on their own
ANCHORS = {"launch", "launch_exact", "launch_phrases", "cues", "hedges", "directions"}
# Rules fields that only give the time ("сьогодні", "24 лютого"): computed without the rest
TIME = {"days", "months"}
# Rules fields read only around an anchor (a cue, a place, a weapon)
DEPENDENT = {"potential", "absent", "from_markers", "weak_markers", "from_fillers", "territory_words",
             "instrumental", "into_markers", "into_fillers", "moves", "negators", "air", "sea", "numbers",
             "pieces", "up_to"}

# what a word can be (bits, cached per spelling)
_ANCHOR, _MONTH, _DIGITS, _MINOR, _MARKER, _DAY = 1, 2, 4, 8, 16, 32
_CACHE_MAX = WORDS_CACHED  # words recur across a corpus: classify each spelling once
EMPTY, TIME_ONLY, FULL = 0, 1, 2


class _AnyKey(str):
    """A key every name's next word matches: with it, Index.find answers "can a name
    begin with this word?" by the index's own rules (stems, lemmas, gates)."""

    def startswith(self, *_args) -> bool:
        return True


_WILD_TOKEN = Token(0, 0, "", "", _AnyKey(""))


def _strings(value) -> set[str]:
    """The words of one Rules field, whatever its shape."""
    if hasattr(value, "items") and isinstance(value.items, tuple):  # detect._Words
        return set(value.items)
    if isinstance(value, dict):
        out: set[str] = set()
        for k, v in value.items():
            out |= _strings(v) if not isinstance(v, (str, int)) else {k}
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        out = set()
        for v in value:
            out |= {v} if isinstance(v, str) else _strings(v)
        return out
    return {value} if isinstance(value, str) else set()


class Prefilter:
    def __init__(self, detector: Detector):
        self.detector = detector
        r, g = detector.r, detector.g
        self.places, self.weapons = g.places, g.weapons
        longest = max((len(e.rest) for ix in (g.places, g.weapons) for es in ix.by_key.values() for e in es), default=0)
        self.wild = [_WILD_TOKEN] * (longest + 1)  # enough for any multi-word name to match
        names = {f.name for f in dataclasses.fields(Rules)}
        self.enabled = names == ANCHORS | TIME | DEPENDENT  # an unknown field: be safe, filter nothing
        prefixes = _strings(r.launch) | _strings(r.cues) | {p[0] for p in r.launch_phrases if p}
        if "" in prefixes:  # an empty word begins every word: every message is a maybe
            self.enabled = False
        self.exact = frozenset(r.launch_exact) | frozenset(r.hedges) | frozenset(r.directions)
        # word beginnings, by first letter: a short tuple for str.startswith to try
        self.by_first: dict[str, tuple[str, ...]] = {}
        for p in prefixes:
            self.by_first[p[:1]] = (*self.by_first.get(p[:1], ()), p)
        self.days = frozenset(r.days)
        self.months = tuple(p for p, _m in r.months)
        # a village of the postal list counts only after these (Detector._place_ok)
        self.markers = frozenset(r.from_markers) | frozenset(r.weak_markers) | frozenset(r.from_fillers)
        self.cache: dict[tuple[str, str | None], int] = {}
        # per language, what _classify said of each spelling, and the spellings it found to be
        # nothing at all or only a day word (leaving aside _MARKER, which matters only before
        # a _MINOR word): most chatter is made of those alone
        self.by_lang: dict[str | None, dict[str, int]] = {}
        self.nothing: dict[str | None, set[str]] = {}
        self.day_only: dict[str | None, set[str]] = {}
        self.anchors: dict[str | None, set[str]] = {}  # spellings that make a text FULL alone

    def _classify(self, w: str, lang: str | None) -> int:
        low, key = _word(w)
        v = 0
        pre = self.by_first.get(low[:1])
        tok = [Token(0, len(w), w, low, key), *self.wild]
        if low in self.exact or (pre and low.startswith(pre)) or self.weapons.find(tok, 0, lang):
            v |= _ANCHOR
        for e in {m.entry for m in self.places.find(tok, 0, lang)}:
            if e.kind == "minor":
                v |= _MINOR if w[:1].isupper() else 0
            elif e.kind in ("adjective", "sea", "country") or w[:1].isupper():
                v |= _ANCHOR  # the rest of Detector._place_ok is left to the detector
        if low in self.days:
            v |= _DAY
        if low.isdigit():
            v |= _DIGITS
        if low.startswith(self.months):
            v |= _MONTH  # a date only after a day number: "24 лютого"
        if low in self.markers:
            v |= _MARKER
        if len(self.cache) < _CACHE_MAX:
            self.cache[(w, lang)] = v
            self.by_lang.setdefault(lang, {})[w] = v
            if v & ~_MARKER == 0:  # a marker matters only before a village (_MINOR), to level
                self.nothing.setdefault(lang, set()).add(w)
            elif v & ~_MARKER == _DAY:
                self.day_only.setdefault(lang, set()).add(w)
            if v & _ANCHOR:
                self.anchors.setdefault(lang, set()).add(w)
        return v

    def level(self, text: str, lang: str | None) -> int:
        """FULL when the detector may find something other than the time in `text` (of
        language `lang`), TIME_ONLY when only the time, EMPTY when nothing."""
        return self._level(text, lang)[0]

    def _level(self, text: str, lang: str | None) -> tuple[int, set[str] | None]:
        """level(), and where every word is nothing to the detector or only a day word, the
        day words among the text's whitespace-separated chunks (each then one whole token):
        all that Detector._time reads of its tokens."""
        if not self.enabled:
            return FULL, None
        timed = _clock_hint(text) and _TIME.search(text) is not None
        # the quick way: the chunks between spaces, each a word already classified (a chunk
        # with punctuation is no spelling of the sets, and takes the slow way)
        rest = set(text.split())
        rest.difference_update(self.nothing.get(lang, ()))
        if not rest:
            return (TIME_ONLY if timed else EMPTY), rest
        if rest.issubset(self.day_only.get(lang, ())):
            return TIME_ONLY, rest
        if not rest.isdisjoint(self.anchors.get(lang, ())):  # a chunk that is a whole anchor word
            return FULL, None
        cache = self.by_lang.get(lang) or {}
        found = TIME_ONLY if timed else EMPTY
        prev = 0
        for w in TOKEN.findall(text):
            v = cache.get(w)
            if v is None:
                v = self._classify(w, lang)
            if v & _ANCHOR or (v & _MINOR and prev & _MARKER):
                return FULL, None
            if v & _DAY or (v & _MONTH and prev & _DIGITS):
                found = TIME_ONLY
            prev = v
        return found, None

    def detect(self, text: str, posted: datetime | None = None) -> Detection:
        """detector.detect(text, posted), skipping the full detector where it would find
        nothing but the time."""
        lang = detect_language(text) if text.strip() else None
        level, days = self._level(text, lang)
        if level == FULL:
            return self.detector.detect(text, posted, lang)
        return self._quick(text, posted, lang, level, days)

    def detect_json(self, text: str, posted: datetime | None = None) -> dict:
        """detect(text, posted).as_json(), sooner: a text the detector remembers is neither
        identified nor filtered again."""
        seen, quick = self._read(text)
        if seen is not None:
            return self.detector.json_of(text, seen, posted)
        return self._quick(text, posted, *quick).as_json()

    def detect_bytes(self, head: bytes, text: str, date: int | None = None) -> bytes:
        """The row whose first fields are `head` (an object's JSON, open: `{...,`) followed by
        detect_json(text, the post's time), as JSON (orjson); `date`: the post's time in unix
        seconds, made a datetime only where a time is read (most texts have none). Raises
        TypeError where orjson cannot write it."""
        seen, quick = self._read(text)
        if seen is not None:
            posted = None if seen[0] is None or date is None else datetime.fromtimestamp(date, tz=UTC)
            return self.detector.json_bytes(head, text, seen, posted)
        lang, level, days = quick  # written at once: nothing of it is kept, so nothing is copied
        parts = _EMPTY_BODY.get(lang) or _empty_body(lang)
        value, span = self._quick_time(text, date, level, days)
        if span is None:
            return head + parts[0]
        return b"".join((head, parts[1], _dumps(value), parts[2], _dumps([span.as_json()]), parts[3]))

    def _read(self, text: str) -> tuple[tuple | None, tuple | None]:
        """(what the detector remembers of `text`, None), remembering it first where it needs
        the full detector; else (None, (its language, level, day words)) for _quick."""
        det = self.detector
        seen = det.recall(text)
        if seen is not None:
            return seen, None
        lang = detect_language(text) if text.strip() else None
        level, days = self._level(text, lang)
        if level == FULL:  # remembered as asked for here: with no language given
            return det.remember(text, None, lang), None
        return None, (lang, level, days)

    def _quick(self, text: str, posted: datetime | None, lang: str | None, level: int,
               days: set[str] | None) -> Detection:
        """The detection of a text below FULL: empty but for its language and time."""
        found = Detection.nothing(lang, NO_LAUNCH)
        found.time, span = self._quick_time(text, posted, level, days)
        if span is not None:
            found.spans.append(span)
        return found

    def _quick_time(self, text: str, posted: datetime | int | None, level: int,
                    days: set[str] | None) -> tuple[str | None, Span | None]:
        """The time of a text below FULL; `posted` a datetime or unix seconds (_day_time)."""
        if level != TIME_ONLY or posted is None:
            return None, None
        if days:
            return self._day_time(text, days, posted)
        if type(posted) is int:
            posted = datetime.fromtimestamp(posted, tz=UTC)
        # no day word (days == set()): the clock time alone, which _time finds in the text
        return self.detector._time(text, [] if days is not None else tokens(text), posted)

    def _day_time(self, text: str, days: set[str], posted: datetime | int) -> tuple[str, Span]:
        """Detector._time of a text whose only words it reads are day words (`days`, whole
        chunks, no digits: no date, no clock time), without its tokens: a night word first
        gives the night, else the last "yesterday" (else the first day word) gives the day;
        the span is the last "yesterday", else the first day word. `posted`: a datetime, or
        unix seconds (the day then comes from the hour's cached local dates, _local_dates)."""
        kinds = self.detector.r.days
        found = _chunks(text, days)
        first = found[0]
        yesterdays = [c for c in found if kinds[c[2].lower()] == "yesterday"]
        start, end, _w = yesterdays[-1] if yesterdays else first
        span = _span("time", start, end, text[start:end])
        night = kinds[first[2].lower()] == "night"
        if type(posted) is int:
            dates = None if night else _local_dates(posted)
            if dates is not None:
                return dates[1] if yesterdays else dates[0], span
            posted = datetime.fromtimestamp(posted, tz=UTC)
        local = posted.astimezone(LOCAL)
        if night:
            value = f"{_evening_before(local.date())}/{_minutes(local)}{_off(local)}"
        else:
            value = (local.date() - timedelta(days=1) if yesterdays else local.date()).isoformat()
        return value, span


_HOURS: dict[int, tuple[str, str] | None] = {}  # unix hour -> _local_dates


def _local_dates(unix: int) -> tuple[str, str] | None:
    """(the local date, the day before), ISO, of every second of unix's UTC hour, or None where
    the hour holds a local midnight or a clock change. Posts share hours: one reckoning an hour."""
    hour = unix // 3600
    found = _HOURS.get(hour, False)
    if found is False:
        a = datetime.fromtimestamp(hour * 3600, tz=UTC).astimezone(LOCAL)
        b = datetime.fromtimestamp(hour * 3600 + 3599, tz=UTC).astimezone(LOCAL)
        found = None
        if a.date() == b.date() and a.utcoffset() == b.utcoffset():  # local time runs straight within one day
            found = (a.date().isoformat(), (a.date() - timedelta(days=1)).isoformat())
        if len(_HOURS) < 1 << 16:
            _HOURS[hour] = found
    return found


_EMPTY_JSON = Detection.nothing(None, NO_LAUNCH).as_json()  # only read: written into rows as it is
_EMPTY_BODY: dict[str | None, tuple[bytes, ...]] = {}  # language -> _empty_body(language)


def _empty_body(lang: str | None) -> tuple[bytes, ...]:
    """The JSON of an empty detection in `lang`, less its opening brace: whole (no time), and cut
    where its time and its spans go (a row is then a few joins, not a dict written anew)."""
    whole = _dumps({**_EMPTY_JSON, "language": lang})[1:]
    before, rest = _dumps({**_EMPTY_JSON, "language": lang, "time": "@T", "spans": "@S"})[1:].split(b'"@T"')
    between, after = rest.split(b'"@S"')
    _EMPTY_BODY[lang] = found = (whole, before, between, after)
    return found


def _chunks(text: str, words: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, word) of each whitespace-separated chunk of `text` spelled as one of
    `words`, in order."""
    out = []
    n = len(text)
    for w in words:
        k, size = text.find(w), len(w)
        while k >= 0:
            end = k + size
            if (k == 0 or text[k - 1].isspace()) and (end == n or text[end].isspace()):
                out.append((k, end, w))
            k = text.find(w, end)
    if len(words) > 1:
        out.sort()
    return out
