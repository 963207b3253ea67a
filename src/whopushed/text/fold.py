"""Folding: one phonetic key per word, the same for the Russian, Belarusian, Ukrainian and
Latin spellings of a name, so that search finds Мозырь, Мазыр, Мозир, Mozyr and Mazyr alike.

A word is transliterated letter by letter (translit.json: cyrillic, latin), lowercased,
stripped of diacritics, soft and hard signs and apostrophes, then reduced to a key by the
ordered rules of the table: g/h merge, glides drop (я, ia -> a), в after a vowel is ў,
vowels fall into three classes (a o -> a; e i y -> i; u), doubled letters collapse.

    fold("Мозырь, Мазыр, Mozyr'")  == "mazir mazir mazir"
    fold("Гомель / Homel / Gomel") == "gamil gamil gamil"
    fold("Зябровка Ziabrauka")     == "zabrauka zabrauka"

Keys are lowercase ASCII letters and digits only, safe to hand to any full-text engine.
A query word may also lose an inflectional ending (query_terms), and is then matched as a
prefix: «Мозыре» -> "mazir"*, «Гомелем» -> "gamil"*. Keys are for matching, not display.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

TABLE = "translit.json"
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class _Table:
    letters: dict[int, str | None]
    rules: tuple[tuple[re.Pattern[str], str, str | None], ...]  # (pattern, replacement, the literal pattern)
    word: re.Pattern[str]
    endings: tuple[str, ...]  # folded, longest first
    min_stem: int


# Distinct spellings that each per-word cache (here and in extract/) holds. Words recur, so a
# cache spares most of the work; a big corpus's vocabulary does not end, so each cache stops
# growing here (first come, first kept: the frequent words come early). At 2**15 two workers
# and their parent stay near 410 MB on an open vocabulary (bench/corpus.py --vocabulary);
# at 2**16, near 480 MB.
WORDS_CACHED = 1 << 15


@lru_cache(maxsize=1)
def _table() -> _Table:
    data = json.loads(resources.files(__package__).joinpath(TABLE).read_text(encoding="utf-8"))
    letters: dict[int, str | None] = {ord(k): v for k, v in {**data["cyrillic"], **data["latin"]}.items()}
    letters.update({ord(a): None for a in data["apostrophes"]})
    # a rule without regular-expression syntax is applied by str.replace: the same, several times sooner
    rules = tuple((re.compile(rule[0]), rule[1],
                   rule[0] if re.escape(rule[0]) == rule[0] and "\\" not in rule[1] else None)
                  for rule in data["rules"])
    apos = re.escape(data["apostrophes"])
    letter = r"(?:[^\W_]|[\u0300-\u036f])"  # letters, digits, combining accents (decomposed й)
    word = re.compile(rf"{letter}+(?:[{apos}]{letter}+)*[{apos}]?")
    table = _Table(letters, rules, word, (), int(data["min_stem"]))
    endings = {_raw_key(e, table) for e in data["endings"]} - {""}
    return _Table(letters, rules, word, tuple(sorted(endings, key=lambda e: (-len(e), e))),
                  table.min_stem)


@lru_cache(maxsize=WORDS_CACHED)
def _key(word: str) -> str:
    return _raw_key(word, _table())  # words recur across a corpus: key each spelling once


def _raw_key(word: str, table: _Table) -> str:
    w = unicodedata.normalize("NFC", word).lower().translate(table.letters)
    if not w.isascii():  # what transliteration left: accents off, or nothing to do
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    w = _NOT_KEY.sub("", w)
    for pattern, repl, literal in table.rules:
        w = w.replace(literal, repl) if literal is not None else pattern.sub(repl, w)
    return w


def fold_word(word: str) -> str:
    """The key of one word ('' when nothing of it is Latin, Cyrillic or a digit)."""
    return _key(word)


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of each word of `text` that has a key, positions in `text`."""
    table = _table()
    out = []
    for m in table.word.finditer(text):
        key = _key(m.group())
        if key:
            out.append((m.start(), m.end(), key))
    return out


def fold(text: str) -> str:
    """The keys of the words of `text`, separated by single spaces."""
    return " ".join(key for _, _, key in words(text))


def stem(key: str) -> str:
    """`key` less the longest inflectional ending that leaves at least min_stem letters."""
    table = _table()
    for ending in table.endings:
        if key.endswith(ending) and len(key) - len(ending) >= table.min_stem:
            return key[: -len(ending)]
    return key


@dataclass(frozen=True)
class Term:
    """A query word: its full key, and the stem that is matched as a prefix."""

    key: str
    stem: str


def query_terms(text: str) -> list[Term]:
    """The distinct words of a query, in order, as terms to match."""
    seen: dict[str, Term] = {}
    for _, _, key in words(text):
        seen.setdefault(key, Term(key, stem(key)))
    return list(seen.values())


def folded_contains(text: str, part: str) -> bool:
    """Whether `part` occurs in `text` once both are folded (case- and script-blind)."""
    needle = fold(part)
    return bool(needle) and needle in fold(text)
