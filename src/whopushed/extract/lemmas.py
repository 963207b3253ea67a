"""Dictionary forms of Russian and Ukrainian words (pymorphy3), as folded keys.

The gazetteer matches names by their folded stem (gazetteer.py). That fails where a word's
stem changes in inflection (Лунинец / Лунинца, Київ / Києві, Орёл / Орла) or is too short to
match by prefix (Ейск / Ейска, Ліда / Ліди). For those words the gazetteer asks here for the
lemmas. pymorphy3 has dictionaries for ru and uk only: Belarusian is never sent here, and
keeps its word forms (listed in places.yaml where they differ).

Cost: the analyzers load once per process, on first use (about 0.2 s with both), and each
distinct (word, language) is parsed once, so a corpus pays per distinct word, not per token.
Without pymorphy3 installed, no lemmas are found and matching falls back to the stems.
"""

from __future__ import annotations

from functools import lru_cache

from ..text import WORDS_CACHED, fold_word

LANGUAGES = ("ru", "uk")


@lru_cache(maxsize=None)
def _analyzer(lang: str):
    try:
        import pymorphy3
    except ImportError:  # an install without the extra still matches by stems
        return None
    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=WORDS_CACHED)
def lemma_keys(word: str, lang: str | None) -> tuple[str, ...]:
    """The folded keys of `word`'s possible dictionary forms, place names first.

    `word` should be lowercased (one cache entry per spelling). () for a language other than
    ru and uk, or when pymorphy3 is absent.
    """
    if lang not in LANGUAGES:
        return ()
    morph = _analyzer(lang)
    if morph is None:
        return ()
    parses = morph.parse(word)
    # a geographical reading first: "Орла" is the city of Орёл before the bird
    parses = sorted(parses, key=lambda p: "Geox" not in p.tag.grammemes)
    out: list[str] = []
    for p in parses:
        key = fold_word(p.normal_form)
        if key and key not in out:
            out.append(key)
    return tuple(out)
