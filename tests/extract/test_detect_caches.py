"""The detector's speed structures give what the plain loops they replace give: the words of
a rule set are worked out per Detector (a new rules file, a new Detector, new answers), the
tokenizer, the language letters, the gazetteer's scan and the fast constructors agree with
their straightforward definitions."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from whopushed.extract import detect as detect_module
from whopushed.extract import langid, lemmas
from whopushed.extract.detect import Detector, Rules, Span, _span, _Words, default_detector
from whopushed.extract.gazetteer import TOKEN, Entry, Gazetteer, Index, Match, Token, _match, _word, tokens

LABELLED = Path(__file__).parent / "eval" / "launch_reports.v2.jsonl"
POSTED = datetime(2024, 3, 1, 2, 30, tzinfo=UTC)


def _texts() -> list[str]:
    return [json.loads(line)["text"] for line in LABELLED.read_text("utf-8").splitlines() if line.strip()]


class _Files:
    """importlib.resources.files(...) with rules.yaml replaced."""

    def __init__(self, real, rules_text: str):
        self.real, self.rules_text = real, rules_text

    def joinpath(self, *parts):
        if parts == ("data", "rules.yaml"):
            return _Text(self.rules_text)
        return self.real.joinpath(*parts)


class _Text:
    def __init__(self, text: str):
        self.text = text

    def read_text(self, *_args, **_kwargs) -> str:
        return self.text


def test_a_rules_file_change_through_rules_load_is_honoured_by_a_fresh_detector(monkeypatch):
    text = "Ночью бабахнули с территории Беларуси"
    before = Detector().detect(text, POSTED)
    assert not before.is_launch_report
    made_before = default_detector()
    real_files = detect_module.resources.files
    rules = real_files("whopushed.extract").joinpath("data", "rules.yaml").read_text("utf-8")
    assert "  words: [запуск," in rules
    patched = rules.replace("  words: [запуск,", "  words: [бабахнул, запуск,", 1)

    class _Resources:
        @staticmethod
        def files(package):
            return _Files(real_files(package), patched)

    Rules.load.cache_clear()
    try:
        monkeypatch.setattr(detect_module, "resources", _Resources)
        fresh = Detector()
        found = fresh.detect(text, POSTED)
        assert found.is_launch_report and found.launch_territory == "BY"
        assert any(s.field == "launch" and s.text == "бабахнули" for s in found.spans)
        # the detector made before keeps its rules, and its own cache of words
        assert not made_before.detect(text, POSTED).is_launch_report
    finally:
        monkeypatch.undo()
        Rules.load.cache_clear()
    assert not Detector().detect(text, POSTED).is_launch_report


def test_the_words_of_a_rule_set_are_its_own_detectors():
    base = Rules.load()
    words = [w for w in base.launch.items] + ["бабахнул"]
    more = dataclasses.replace(base, launch=_Words(words), hedges=base.hedges | {"наверняка"})
    plain, custom = Detector(), Detector(rules=more)
    for text in ("Ночью бабахнули с территории Беларуси", "Наверняка ракеты запущены с территории Беларуси"):
        a, b = plain.detect(text, POSTED), custom.detect(text, POSTED)
        assert a.as_json() != b.as_json()
        assert plain.detect(text, POSTED).as_json() == a.as_json()  # the cache changes nothing
    assert custom.detect("Наверняка ракеты запущены с территории Беларуси", POSTED).hedged


def test_a_detector_gives_the_same_rows_with_its_caches_warm_as_cold():
    texts = _texts()
    warm = Detector()
    first = [warm.detect(t, POSTED).as_json() for t in texts]
    assert [warm.detect(t, POSTED).as_json() for t in texts] == first
    cold = [Detector().detect(t, POSTED).as_json() for t in texts[:40]]
    assert cold == first[:40]


def test_phrases_and_words_of_a_cue_list_are_found_as_find_lists_them():
    r = Rules.load()
    det = Detector()
    for text in _texts():
        toks = tokens(text)
        infos, notable = det._words_of(toks)
        for kind, words in r.cues.items():
            listed = words.find(toks)
            hits = [toks[i] for i in notable for k, hit, phrases in infos[i].cues if k == kind and (
                hit or any(detect_module._phrase_at(toks, i, p) for p in phrases))]
            assert hits[:1] == listed[:1] and bool(hits) == bool(listed), (text, kind)


def _finditer_tokens(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(0), *_word(m.group(0))) for m in TOKEN.finditer(text)]


def test_tokens_are_the_matches_of_the_token_pattern():
    rng = random.Random(3)
    alphabet = "аб вгд-ЁёІіЎў'’ʼ_12 x.,:—–İß\u0301\n🚀Ab"
    samples = ["", " ", "Шахед-136", "з-пад Мазыра", "о 23:40", "İstanbul", *_texts()[:50]]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in samples:
        assert tokens(text) == _finditer_tokens(text), text


def test_the_fast_constructors_make_the_dataclasses_own_objects():
    e = Entry("Mazyr", "BY", "locality", 52.0, 29.2)
    assert _match(e, 1, 2) == Match(e, 1, 2) and hash(_match(e, 1, 2)) == hash(Match(e, 1, 2))
    assert _span("place", 0, 5, "Мозыр") == Span("place", 0, 5, "Мозыр")
    assert _span("place", 0, 5, "Мозыр").as_json() == Span("place", 0, 5, "Мозыр").as_json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        _span("place", 0, 5, "x").start = 1  # type: ignore[misc]
    t = tokens("Гомель")[0]
    assert t == Token(0, 6, "Гомель", "гомель", _word("Гомель")[1]) and t.capital


def _find_loop(index: Index, toks: list[Token], lang, accept=None) -> list[Match]:
    out, i = [], 0
    while i < len(toks):
        found = [m for m in index.find(toks, i, lang) if accept is None or accept(m, toks)]
        if found:
            out.append(found[0])
            i = found[0].last + 1
        else:
            i += 1
    return out


def test_the_scan_is_the_loop_of_find_it_replaces():
    g, det = Gazetteer.load(), default_detector()
    for text in _texts()[:200]:
        toks = tokens(text)
        for lang in ("ru", "uk", "be", "en", None):
            assert g.places.scan(toks, lang, det._place_ok) == _find_loop(g.places, toks, lang, det._place_ok)
            assert g.weapons.scan(toks, lang) == _find_loop(g.weapons, toks, lang)


def test_the_scan_forgets_its_words_when_a_name_is_added_or_the_lemmas_change(monkeypatch):
    index = Index(names_are_capitalised=True)
    index.add("Гомель", Entry("Gomel", "BY", "locality"))
    toks = tokens("Ракеты из Ейска")
    assert index.scan(toks, "ru") == []
    index.add("Ейск", Entry("Yeysk", "RU", "locality"))
    assert [m.entry.name for m in index.scan(toks, "ru")] == ["Yeysk"]  # by its lemma
    monkeypatch.setattr(lemmas, "lemma_keys", lambda word, lang: ())
    assert index.scan(toks, "ru") == []  # the lemmas gone: the stems alone do not find it


def _by_letters_reference(text: str) -> str | None:
    low = text.lower()
    cyr = len(re.findall(r"[а-яёіїєґўА-ЯЁІЇЄҐЎ]", low))
    lat = len(re.findall(r"[a-zA-Z]", low))
    if cyr == 0:
        return "en" if lat else None
    if lat > 2 * cyr:
        return "en"
    return langid.by_letters(text) if cyr or lat else None


def test_the_letter_counts_are_the_counts_of_the_letters():
    rng = random.Random(5)
    alphabet = "abcXYZ абвЁЎІїє ы.1İ"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert langid.by_letters(text) == _by_letters_reference(text), text


def test_the_models_answers_are_remembered_per_model(monkeypatch):
    text = "погода на канал курс валют футбол"  # no letter settles it: the model decides
    assert langid.by_letters(text) is None

    class Fake:
        def __init__(self, answer):
            self.answer, self.calls = answer, 0

        def detect_language_of(self, _text):
            self.calls += 1
            return self.answer

    uk, be = Fake("UK"), Fake("BE")
    monkeypatch.setattr(langid, "_lingua", lambda: (uk, {"UK": "uk", "BE": "be"}))
    assert langid.detect_language(text) == "uk" and langid.detect_language(text) == "uk" and uk.calls == 1
    monkeypatch.setattr(langid, "_lingua", lambda: (be, {"UK": "uk", "BE": "be"}))
    assert langid.detect_language(text) == "be" and be.calls == 1  # another model: not the old answer
    monkeypatch.undo()
    assert langid.detect_language(text) in ("ru", "uk", "be")
