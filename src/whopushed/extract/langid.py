"""Language of a message: ru, uk, be or en.

Letters decide first (fast, and right on most posts): ў is only Belarusian; ї, є, ґ only
Ukrainian; і with ы or э is Belarusian, і alone Ukrainian; ы, э, ъ without і Russian; mostly
Latin letters English. A Cyrillic text with none of those letters goes to lingua, restricted
to the four languages (offline, models in the wheel); without lingua it is taken as Russian.
"""

from __future__ import annotations

import re
from functools import lru_cache

LANGUAGES = ("ru", "uk", "be", "en")
_CYR = re.compile(r"[а-яёіїєґўА-ЯЁІЇЄҐЎ]")
_LAT = re.compile(r"[a-zA-Z]")
_CYR_RUN = re.compile(r"[а-яёіїєґўА-ЯЁІЇЄҐЎ]+")  # counting by deleting runs: no list of letters
_LAT_RUN = re.compile(r"[a-zA-Z]+")
_SAID_MAX = 1 << 14  # texts whose model answer is remembered (alerts and forwards recur verbatim)
_said: dict[str, str] = {}
_said_by: list = [None]  # the model the remembered answers are from


@lru_cache(maxsize=1)
def _lingua():
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # a package without lingua still detects by letters
        return None
    langs = {Language.RUSSIAN: "ru", Language.UKRAINIAN: "uk", Language.BELARUSIAN: "be", Language.ENGLISH: "en"}
    return LanguageDetectorBuilder.from_languages(*langs).build(), langs


def by_letters(text: str) -> str | None:
    """The language the letters settle, or None when only a model can tell."""
    low = text.lower()
    if not _CYR.search(low):  # no Cyrillic: English where there is a Latin letter
        return "en" if _LAT.search(low) else None
    ascii_part = low.encode("ascii", "ignore")
    if ascii_part.upper() != ascii_part.lower():  # a Latin letter: the counts decide whether it is English
        cyr = len(low) - len(_CYR_RUN.sub("", low))
        lat = len(low) - len(_LAT_RUN.sub("", low))
        if lat > 2 * cyr:
            return "en"
    if "ў" in low:
        return "be"
    if "ї" in low or "є" in low or "ґ" in low:
        return "uk"
    has_i = "і" in low
    has_ru = "ы" in low or "э" in low or "ъ" in low
    if has_i:
        if has_ru:
            return "be"  # і with ы or э: Belarusian
        return "uk" if "и" in low else None  # і alone: Ukrainian or Belarusian, a model decides
    if has_ru or "ё" in low:
        return "ru"
    return None


def detect_language(text: str) -> str | None:
    found = by_letters(text)
    if found is not None or not _CYR.search(text):
        return found
    model = _lingua()
    if model is None:
        return "ru"
    detector, langs = model
    if _said_by[0] is not detector:  # another model (a test's): forget the old one's answers
        _said.clear()
        _said_by[0] = detector
    found = _said.get(text)
    if found is None:
        try:
            lang = detector.detect_language_of(text)
        except UnicodeEncodeError:  # a lone surrogate (a JSON escape): the model takes UTF-8 only
            lang = detector.detect_language_of(text.encode("utf-8", "replace").decode("utf-8"))
        found = langs.get(lang, "ru") if lang is not None else "ru"
        if len(_said) < _SAID_MAX:
            _said[text] = found
    return found
