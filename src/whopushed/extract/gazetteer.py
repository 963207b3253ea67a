"""Places and weapons found in text, in any script and inflection.

Names are matched on folded keys (text/fold.py: Мозырь, Мазыр, Mozyr share one key) less an
inflectional ending, so Мозыре, Мозыря, Гомелем and Чернігова find their places. In ru and uk
text a word whose key is no listed name's key is also looked up by its lemmas (lemmas.py,
pymorphy3), which find what stems cannot (Лунинца -> Лунинец, Єйська -> Єйськ) and come first
when the stems are ambiguous; Belarusian has no dictionary and keeps its word forms. The
tables are data: extract/data/places.yaml (countries, seas, border regions, towns, by
hand), every place of geonames_postal_BY.txt (GeoNames, CC BY 4.0), and the weapon lexicon
(reason/rules/weapons.yaml plus extract/data/weapons.yaml).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from ..rulefiles import load_yaml, packaged_yaml
from ..text import WORDS_CACHED, fold_word, stem
from . import lemmas

TOKEN = re.compile(r"[^\W_]+(?:[-‑'’ʼ][^\W_]+)*")
MAX_ENDING = 4  # letters a word may have beyond a name's stem (Гомел|ем, Чернігов|а)
MIN_STEM = 4  # shorter stems match only the whole word (Лида, not лидер)


class Token(NamedTuple):
    """A word of a text. A named tuple, not a dataclass: a corpus makes one per word, and a
    tuple is made several times faster (immutable all the same)."""

    start: int
    end: int
    text: str
    low: str
    key: str  # folded

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper()


@lru_cache(maxsize=WORDS_CACHED)
def _word(w: str) -> tuple[str, str]:
    return w.lower(), fold_word(w)  # words recur across a corpus: fold each spelling once


_new_tuple = tuple.__new__
_new = object.__new__
_set = object.__setattr__
_spellings: dict[str, tuple[str, str, str]] = {}  # word -> (word, low, key): tokens()' own cache


_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")  # split() hands over the words and what lies between


def tokens(text: str) -> list[Token]:
    # what a loop over TOKEN.finditer gives, from split(): no match object per word, the
    # positions summed from the lengths of the pieces
    parts = _TOKEN_SPLIT.split(text)
    out = []
    append = out.append
    spellings = _spellings
    pos = len(parts[0])
    for k in range(1, len(parts), 2):
        w = parts[k]
        end = pos + len(w)
        found = spellings.get(w)
        if found is None:
            found = (w, *_word(w))
            if len(spellings) < WORDS_CACHED:
                spellings[w] = found
        append(_new_tuple(Token, (pos, end) + found))  # Token(pos, end, w, low, key), without the call
        pos = end + len(parts[k + 1])
    return out


def _match(entry: Entry, first: int, last: int) -> Match:
    """Match(entry, first, last) without the frozen dataclass's setattr per field."""
    m = _new(Match)
    _set(m, "__dict__", {"entry": entry, "first": first, "last": last})
    return m


@dataclass(frozen=True)
class Entry:
    name: str  # canonical
    country: str | None  # launch territory: ISO code or SEA
    kind: str  # country, adjective, sea, region, locality, minor, weapon, class
    lat: float | None = None
    lon: float | None = None
    rest: tuple[str, ...] = ()  # stems of the following words of a multi-word name


@dataclass(frozen=True)
class Match:
    entry: Entry
    first: int  # token index
    last: int  # token index (inclusive)


class Index:
    """Folded-stem index of names, single and multi-word.

    `names_are_capitalised`: the index of places asks for lemmas only for capitalised words (a
    place name is written so); the index of weapons, whose words are often lowercase, only for
    words its stems miss that begin like one of its keys. Either way most tokens never reach
    pymorphy3.
    """

    def __init__(self, names_are_capitalised: bool = False) -> None:
        self.by_key: dict[str, list[Entry]] = {}
        self._cache: dict[str, tuple[Entry, ...]] = {}  # key -> candidates (keys recur)
        self.names_are_capitalised = names_are_capitalised
        self._heads: frozenset[str] | None = None  # the first three letters of its keys: the weapons gate
        # (key, lemma keys) -> candidates with the lemmas' entries first; cleared by add()
        self._merged: dict[tuple[str, tuple[str, ...]], tuple[Entry, ...]] = {}
        # scan(): language -> word as written -> the entries that may start at it. It skips
        # lemma_keys, so it holds while lemmas.lemma_keys and lemmas._analyzer are the ones
        # it was filled with (a test swaps them); cleared by add()
        self._starts: dict[str | None, dict[str, tuple[Entry, ...]]] = {}
        self._starts_by: tuple = ()
        self.version = 0  # how many times add() has changed it: what caches of its answers check

    def add(self, name_as_written: str, entry: Entry) -> None:
        words = [w for w in TOKEN.findall(name_as_written)]
        if not words:
            return
        keys = [fold_word(w) for w in words]
        if not all(keys):
            return
        first = keys[0]
        rest = tuple(stem(k) for k in keys[1:])
        e = Entry(entry.name, entry.country, entry.kind, entry.lat, entry.lon, rest)
        variants = {first}
        s = stem(first)
        if len(s) >= MIN_STEM:
            variants.add(s)
        if first.endswith("iu") and len(first) > 5:  # uk -ів / -ов: Чернігів, Чернігова
            variants.add(first[:-2])
        self._cache.clear()
        self._merged.clear()
        self._starts.clear()
        self.version += 1
        self._heads = None
        for v in variants:
            bucket = self.by_key.setdefault(v, [])
            if e not in bucket:
                bucket.append(e)

    def candidates(self, key: str) -> tuple[Entry, ...]:
        """Entries whose key, or stem, begins `key` with at most MAX_ENDING letters left."""
        found = self._cache.get(key)
        if found is None:
            found = self._candidates(key)
            if len(self._cache) < WORDS_CACHED:
                self._cache[key] = found
        return found

    def _candidates(self, key: str) -> tuple[Entry, ...]:
        if not key:
            return ()
        out: dict[int, Entry] = {}
        for n in range(len(key), max(len(key) - MAX_ENDING, 1) - 1, -1):
            for e in self.by_key.get(key[:n], ()):
                if n < len(key) and n < MIN_STEM:
                    continue
                out.setdefault(id(e), e)
        return tuple(out.values())

    def _lemma_candidates(self, tok: Token, lang: str) -> tuple[Entry, ...]:
        """Entries named by a lemma of `tok`, hand-listed places before postal villages; ()
        where the lemmas add nothing: a key that is a listed name's own, or (weapons) a word
        that begins like none of the index's keys. The caller has checked the language and
        the capital (places) or that the stems found nothing (weapons)."""
        if not tok.key or tok.key in self.by_key:
            return ()
        if not self.names_are_capitalised:
            if self._heads is None:
                self._heads = frozenset(k[:3] for k in self.by_key)
            if tok.key[:3] not in self._heads:
                return ()
        out: dict[int, Entry] = {}
        for k in lemmas.lemma_keys(tok.low, lang):
            for e in self.by_key.get(k, ()):
                out.setdefault(id(e), e)
        return tuple(sorted(out.values(), key=lambda e: e.kind == "minor"))

    def find(self, toks: list[Token], i: int, lang: str | None = None) -> list[Match]:
        """The entries that start at token i (longest first; among equals, those a lemma named)."""
        cands = self._start_candidates(toks[i], lang)
        return self._matches(toks, i, cands) if cands else []

    def scan(self, toks: list[Token], lang: str | None = None, accept=None) -> list[Match]:
        """Left to right, at each position the first of find()'s matches that `accept(match,
        toks)` takes (any, without it); a match skips the tokens it covers. The loop of find()
        it replaces, with the entries that may start at a word remembered per spelling."""
        by = (lemmas.lemma_keys, lemmas._analyzer)
        if by != self._starts_by:
            self._starts.clear()
            self._starts_by = by
        starts = self._starts.get(lang)
        if starts is None:
            starts = self._starts[lang] = {}
        out: list[Match] = []
        i, n = 0, len(toks)
        while i < n:
            tok = toks[i]
            cands = starts.get(tok.text)
            if cands is None:
                cands = self._start_candidates(tok, lang)
                # a token whose parts are not those tokens() makes of its text is not remembered
                if len(starts) < WORDS_CACHED and type(tok.key) is str and _word(tok.text) == (tok.low, tok.key):  # noqa: E721
                    starts[tok.text] = cands
            if cands:
                for m in self._matches(toks, i, cands):
                    if accept is None or accept(m, toks):
                        out.append(m)
                        i = m.last + 1
                        break
                else:
                    i += 1
            else:
                i += 1
        return out

    def _start_candidates(self, tok: Token, lang: str | None) -> tuple[Entry, ...]:
        key = tok.key
        cands = self._cache.get(key)
        if cands is None:
            cands = self.candidates(key)
        # the cheap gates inline: this runs for every token of a corpus
        if lang in lemmas.LANGUAGES and (tok.text[:1].isupper() if self.names_are_capitalised else not cands):
            cands = self._with_lemmas(tok, lang, cands)
        return cands

    @staticmethod
    def _matches(toks: list[Token], i: int, cands: tuple[Entry, ...]) -> list[Match]:
        found = []
        n = len(toks)
        for e in cands:
            j = i
            ok = True
            for rs in e.rest:
                j += 1
                if j >= n:
                    ok = False
                    break
                k = toks[j].key
                if not (k.startswith(rs) or _near_word(k, rs)):
                    ok = False
                    break
            if ok:
                found.append(_match(e, i, j))
        if len(found) > 1:
            found.sort(key=lambda m: -(m.last - m.first))
        return found

    def _with_lemmas(self, tok: Token, lang: str, cands: tuple[Entry, ...]) -> tuple[Entry, ...]:
        """`cands` with the entries a lemma of `tok` names first, duplicates dropped: what
        tuple(dict.fromkeys(self._lemma_candidates(tok, lang) + cands)) gives, with the
        merge cached per (key, lemma keys). The lemmas are asked for on every call (lemma_keys
        caches per word), so its gates and its cache stay the only ones."""
        key = tok.key
        if not key or key in self.by_key:
            lk: tuple[str, ...] = ()
        elif not self.names_are_capitalised and key[:3] not in self._key_heads():
            lk = ()
        else:
            lk = tuple(lemmas.lemma_keys(tok.low, lang))
        if type(key) is not str:  # noqa: E721 - a str subclass (prefilter's wild key) is not cached
            return tuple(dict.fromkeys(self._entries_of(lk) + cands))
        merged = self._merged.get((key, lk))
        if merged is None:
            merged = tuple(dict.fromkeys(self._entries_of(lk) + cands))
            if len(self._merged) < WORDS_CACHED:
                self._merged[(key, lk)] = merged
        return merged

    def _key_heads(self) -> frozenset[str]:
        if self._heads is None:
            self._heads = frozenset(k[:3] for k in self.by_key)
        return self._heads

    def _entries_of(self, lemma_keys: tuple[str, ...]) -> tuple[Entry, ...]:
        out: dict[int, Entry] = {}
        for k in lemma_keys:
            for e in self.by_key.get(k, ()):
                out.setdefault(id(e), e)
        return tuple(sorted(out.values(), key=lambda e: e.kind == "minor"))


def _same_word(key: str, name_stem: str) -> bool:
    """A following word of a multi-word name, in any case: моря / море, области / область."""
    if key.startswith(name_stem):
        return True
    return _near_word(key, name_stem)


@lru_cache(maxsize=1 << 16)
def _near_word(key: str, name_stem: str) -> bool:
    """_same_word less its prefix test (the caller has made it), cached: the pairs of a word
    and a name's next stem recur."""
    common = len(os.path.commonprefix([key, name_stem]))
    return common >= max(3, min(len(key), len(name_stem)) - 2)


def _territory(lat: float | None, lon: float | None, listed: str) -> str:
    if lat is None or lon is None:
        return listed
    from .borders import decide

    return decide(lat, lon, listed) or listed


def _data(name: str) -> str:
    return resources.files("whopushed.extract").joinpath("data", name).read_text(encoding="utf-8")


@dataclass
class Gazetteer:
    places: Index
    weapons: Index

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> Gazetteer:
        places = Index(names_are_capitalised=True)
        data = packaged_yaml(_data("places.yaml"))
        for code, spec in data["countries"].items():
            for n in spec["names"]:
                places.add(n, Entry(code, code, "country"))
            for a in spec.get("adjectives", ()):
                places.add(a, Entry(code, code, "adjective"))
        for name, spec in data["seas"].items():
            for n in spec["names"]:
                places.add(n, Entry(name, "SEA", "sea"))
        for p in data["places"]:
            # the polygons decide the territory (borders.py); the listed country only within the map's error
            e = Entry(p["name"], _territory(p.get("lat"), p.get("lon"), p["country"]), p["kind"], p.get("lat"), p.get("lon"))
            for n in [p["name"], *p["names"]]:
                places.add(n, e)
        known = {fold_word(n) for p in data["places"] for n in p["names"]}
        for row in csv.reader(_data("geonames_postal_BY.txt").splitlines(), delimiter="\t"):
            if len(row) < 11 or not row[2]:
                continue
            if len(TOKEN.findall(row[2])) == 1 and fold_word(row[2]) in known:
                continue
            lat, lon = float(row[9]), float(row[10])
            places.add(row[2], Entry(row[2], _territory(lat, lon, "BY"), "minor", lat, lon))
        weapons = Index()
        base = load_yaml("weapons.yaml").get("weapons") or {}
        extra = packaged_yaml(_data("weapons.yaml"))
        for name, aliases in {**base}.items():
            for a in [name, *(aliases or ())]:
                weapons.add(str(a), Entry(name, None, "weapon"))
        for name, aliases in (extra.get("weapons") or {}).items():
            for a in [name, *(aliases or ())]:
                weapons.add(str(a), Entry(name, None, "weapon"))
        for name, aliases in (extra.get("classes") or {}).items():
            for a in aliases:
                weapons.add(str(a), Entry(name, None, "class"))
        return cls(places, weapons)
