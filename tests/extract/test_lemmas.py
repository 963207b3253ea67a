"""Lemmas (pymorphy3) for Russian and Ukrainian place and weapon words, word forms for
Belarusian: inflected names find their places, what the stems cannot find the lemmas do,
Belarusian never reaches pymorphy3, and a corpus pays per distinct word."""

from __future__ import annotations

import pytest

from whopushed.extract import lemmas
from whopushed.extract.detect import Detector, detect
from whopushed.extract.gazetteer import Gazetteer, tokens


def place(word: str, lang: str):
    toks = tokens(word)
    found = [m for m in Gazetteer.load().places.find(toks, 0, lang) if m.last == 0]
    return (found[0].entry.name, found[0].entry.country) if found else None


@pytest.fixture
def no_lemmas(monkeypatch):
    """The detector as it was before lemmas: stems only."""
    monkeypatch.setattr(lemmas, "lemma_keys", lambda word, lang: ())


class Spy:
    """A MorphAnalyzer that counts the words it is asked to parse."""

    def __init__(self, lang):
        import pymorphy3

        self.real = pymorphy3.MorphAnalyzer(lang=lang)
        self.words: list[str] = []

    def parse(self, word):
        self.words.append(word)
        return self.real.parse(word)


@pytest.fixture
def spies(monkeypatch):
    made = {lang: Spy(lang) for lang in lemmas.LANGUAGES}
    monkeypatch.setattr(lemmas, "_analyzer", lambda lang: made[lang])
    lemmas.lemma_keys.cache_clear()
    yield made
    lemmas.lemma_keys.cache_clear()


@pytest.mark.parametrize("lang,word,name,country", [
    ("ru", "Гомелем", "Gomel", "BY"),
    ("uk", "Гомелем", "Gomel", "BY"),
    ("uk", "Чернігова", "Chernihiv", "UA"),
    ("ru", "Мозыре", "Mazyr", "BY"),
    ("ru", "Мозыря", "Mazyr", "BY"),
    ("ru", "Мозырь", "Mazyr", "BY"),
    ("uk", "Мозирі", "Mazyr", "BY"),
    ("be", "Мазыры", "Mazyr", "BY"),
])
def test_inflected_names_find_their_place(lang, word, name, country):
    assert place(word, lang) == (name, country)


@pytest.mark.parametrize("text,territory,name", [
    ("Ракеты выпущены из Ейска", "RU", "Yeysk"),  # ru: Ейск is too short a stem to match by prefix
    ("Ракети запущені з району Ліди", "BY", "Lida"),  # uk: nor is Ліда
])
def test_a_place_only_its_lemma_finds(text, territory, name, monkeypatch):
    found = detect(text)
    assert found.is_launch_report and found.launch_territory == territory, found.reasons
    assert [p["name"] for p in found.places] == [name]
    # without lemmas the stems find nothing: the territory is lost (if this starts passing,
    # the place's form was listed in places.yaml and the case no longer tests lemmas)
    monkeypatch.setattr(lemmas, "lemma_keys", lambda word, lang: ())
    without = detect(text)
    assert without.launch_territory is None and without.places == []


def test_the_lemma_settles_a_stem_that_finds_the_wrong_place(no_lemmas):
    # Лунинца is Лунинец with its vowel dropped; the stem finds the village Лунин instead
    assert [p["name"] for p in detect("Ракеты выпущены из-под Лунинца").places] == ["Лунин"]


def test_the_lemma_finds_luninets_before_the_village():
    assert [p["name"] for p in detect("Ракеты выпущены из-под Лунинца").places] == ["Luninets"]
    assert place("Лунинця", "uk") == ("Luninets", "BY")


def test_a_weapon_word_only_its_lemma_finds(monkeypatch):
    found = detect("Удары КАБами по Харькову")
    assert [w["name"] for w in found.weapons] == ["KAB"] and found.is_launch_report
    monkeypatch.setattr(lemmas, "lemma_keys", lambda word, lang: ())
    assert detect("Удары КАБами по Харькову").weapons == []


def test_belarusian_text_never_calls_pymorphy3(spies):
    det = Detector()
    for text in ("Шахеды запушчаныя з тэрыторыі Беларусі, курс на Жытомір",
                 "Ракеты выпушчаныя з-пад Мазыра і Ліды, удар па Кіеве"):
        det.detect(text, language="be")
    assert det.detect("Шахеды запушчаныя з тэрыторыі Беларусі").language == "be"
    assert spies["ru"].words == [] and spies["uk"].words == []
    # the spies do see ru and uk: the assertion above could fail
    det.detect("Ракеты выпущены из Ейска", language="ru")
    det.detect("Ракети запущені з району Ліди", language="uk")
    assert "ейска" in spies["ru"].words and "ліди" in spies["uk"].words


def test_a_corpus_parses_each_distinct_word_once_and_only_candidate_words(spies):
    det = Detector()
    for _ in range(50):
        det.detect("Ракеты выпущены из Ейска, курс на Киев", language="ru")
        det.detect("погода сегодня хорошая, друзья, подписывайтесь на канал", language="ru")
    words = spies["ru"].words
    assert sorted(words) == sorted(set(words))  # once per distinct word, not per token
    assert "ейска" in words and "ракеты" in words  # capitalised: a candidate place name
    # lowercase words the stems settle or that begin like no weapon never reach pymorphy3
    assert not {"выпущены", "погода", "подписывайтесь", "курс"} & set(words)


def test_the_analyzers_load_once_per_process():
    lemmas._analyzer.cache_clear()
    first = lemmas._analyzer("uk")
    assert first is not None and lemmas._analyzer("uk") is first
    assert lemmas._analyzer("ru") is not first


def test_no_lemmas_for_belarusian_or_english():
    assert lemmas.lemma_keys("ліды", "be") == () and lemmas.lemma_keys("lida", "en") == ()
    assert "lida" in lemmas.lemma_keys("ліди", "uk")
