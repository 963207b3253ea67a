"""The second speed pass's structures give what they replace: the remembered detection of a
text (all but the time), the prefilter's sets of whole-chunk spellings, the language letters
counted only where both scripts occur, and the time's string helpers."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

from whopushed.extract import langid
from whopushed.extract.detect import LOCAL, Detector, _evening_before, _minutes, _off, default_detector
from whopushed.extract.gazetteer import Entry, tokens
from whopushed.extract.prefilter import _ANCHOR, _DAY, _DIGITS, _MARKER, _MINOR, _MONTH, EMPTY, FULL, TIME_ONLY, \
    Prefilter, _chunks
from whopushed.pipeline.synthetic import message_text

POSTED = datetime(2024, 3, 1, 2, 30, tzinfo=UTC)
REPORT = "Ночью 12 шахедов запущены с территории Беларуси, курс на Житомир"


def test_a_remembered_text_gives_the_detection_of_a_fresh_detector_at_any_post_time():
    det = Detector()
    for posted in (POSTED, None, POSTED - timedelta(hours=3), POSTED + timedelta(days=40)):
        assert det.detect(REPORT, posted).as_json() == Detector().detect(REPORT, posted).as_json()
    assert len(det._seen) == 1


def test_a_result_changed_by_its_caller_leaves_the_next_one_alone():
    det = Detector()
    first = det.detect(REPORT, POSTED)
    want = Detector().detect(REPORT, POSTED).as_json()
    first.places[0]["role"] = "changed"
    first.places[0]["span"].append(99)
    first.weapons[0]["span"][0] = -1
    first.reasons.append("changed")
    first.launch_territories.append("XX")
    first.spans.clear()
    assert det.detect(REPORT, POSTED).as_json() == want


def test_the_remembered_detections_are_dropped_when_the_gazetteer_changes():
    det = Detector()
    text = "Дроны запущены из Зюзюкино"
    assert det.detect(text, POSTED).places == []
    det.g.places.add("Зюзюкино", Entry("Зюзюкино", "RU", "locality", 52.0, 34.0))
    try:
        assert [p["name"] for p in det.detect(text, POSTED).places] == ["Зюзюкино"]
    finally:  # the gazetteer is shared (Gazetteer.load is cached): take the name out again
        by_key = det.g.places.by_key
        for v in list(by_key):
            kept = [e for e in by_key[v] if e.name != "Зюзюкино"]
            if kept:
                by_key[v] = kept
            else:
                del by_key[v]
        det.g.places.add("Беларусь", Entry("BY", "BY", "country"))  # clears its caches


def _level_by_loop(pf: Prefilter, text: str, lang) -> int:
    """Prefilter.level as the plain loop over every token."""
    from whopushed.extract.detect import _TIME
    from whopushed.extract.gazetteer import TOKEN

    found = TIME_ONLY if _TIME.search(text) else EMPTY
    prev = 0
    for w in TOKEN.findall(text):
        v = pf.cache.get((w, lang))
        if v is None:
            v = pf._classify(w, lang)
        if v & _ANCHOR or (v & _MINOR and prev & _MARKER):
            return FULL
        if v & _DAY or (v & _MONTH and prev & _DIGITS):
            found = TIME_ONLY
        prev = v
    return found


def test_the_quick_level_agrees_with_the_loop_and_the_chunks_with_the_tokens():
    pf = Prefilter(default_detector())
    rng = random.Random(3)
    texts = [message_text(rng, kind, lang) for kind in ("chatter", "near", "launch")
             for lang in ("ru", "uk", "be", "en") for _ in range(40)]
    texts += ["сегодня, погода", "погода сегодня", "сегодня сегодня  погода\nсегодня", "из Мозыря сегодня",
              "на Мозырь сегодня", "сегодня 24 февраля", "today at 05:10", "сегодня-завтра", "  сегодня ",
              "сегодняшний сегодня"]
    for t in texts * 2:  # the second time, every word is classified: the quick way is taken
        lang = langid.detect_language(t) if t.strip() else None
        assert pf.level(t, lang) == _level_by_loop(pf, t, lang), t
        level, days = pf._level(t, lang)
        if days is not None:
            want = [k for k in tokens(t) if k.low in pf.days]
            assert _chunks(t, days) == [(k.start, k.end, k.text) for k in want], t
            assert all(not (pf.cache[(k.text, lang)] & (_DIGITS | _MONTH | _ANCHOR | _MINOR)) for k in tokens(t))


def test_the_prefilter_rows_equal_the_detector_rows_on_repeated_chatter():
    pf, det = Prefilter(default_detector()), Detector()
    rng = random.Random(8)
    texts = [message_text(rng, "chatter", lang) for lang in ("ru", "uk", "be", "en") for _ in range(60)]
    for t in texts * 2:
        for posted in (POSTED, None):
            assert pf.detect(t, posted).as_json() == det.detect(t, posted).as_json(), t


def _by_letters_counted(text: str):
    """by_letters counting both scripts every time (the earlier way)."""
    low = text.lower()
    cyr = len(low) - len(re.sub(r"[а-яёіїєґўА-ЯЁІЇЄҐЎ]+", "", low))
    lat = len(low) - len(re.sub(r"[a-zA-Z]+", "", low))
    if cyr == 0:
        return "en" if lat else None
    if lat > 2 * cyr:
        return "en"
    if "ў" in low:
        return "be"
    if "ї" in low or "є" in low or "ґ" in low:
        return "uk"
    has_i, has_ru = "і" in low, "ы" in low or "э" in low or "ъ" in low
    if has_i:
        return "be" if has_ru else ("uk" if "и" in low else None)
    if has_ru or "ё" in low:
        return "ru"
    return None


def test_the_language_letters_agree_with_counting_both_scripts():
    for t in ["", "123", "hello", "Привет", "hello привет world", "Iskander Искандер", "ok ы", "abc abc abc ы",
              "İstanbul", "Київ Kyiv Kyiv Kyiv", "ўўў abcdefg", "MiG-31K у Беларусі"]:
        assert langid.by_letters(t) == _by_letters_counted(t), t
    rng = random.Random(2)
    for _ in range(3000):  # scripts mixed in any proportion, digits, accents, other scripts
        t = "".join(rng.choice("абвгыэъёіїєґўиaBcdeXyZ0 9.éßİ日") for _ in range(rng.randint(0, 25)))
        assert langid.by_letters(t) == _by_letters_counted(t), t


def test_the_time_strings_are_those_of_strftime():
    for dt in (datetime(2024, 2, 24, 3, 5, tzinfo=LOCAL), datetime(1999, 12, 31, 23, 59),
               datetime(999, 1, 2, 3, 4), datetime(5, 6, 7, 8, 9), datetime(1900, 3, 1, 0, 0, tzinfo=LOCAL)):
        assert _minutes(dt) == f"{dt:%Y-%m-%dT%H:%M}"
    for day in (date(2024, 2, 24), date(2024, 3, 31), date(2023, 10, 30), date(1910, 5, 5)):
        start = datetime.combine(day - timedelta(days=1), datetime.min.time()).replace(hour=18)
        assert _evening_before(day) == f"{start:%Y-%m-%d}T18:00{_off(start)}"


def test_a_text_without_time_words_has_no_time_at_any_post_time():
    import json
    from pathlib import Path

    det = Detector()
    labelled = Path(__file__).parent / "eval" / "launch_reports.v2.jsonl"
    texts = [json.loads(line)["text"] for line in labelled.read_text("utf-8").splitlines() if line.strip()]
    texts += ["24 лютого", "о 23:40", "вчора", "31 February", "32 лютого", "12.30", "1.5 ракеты", "today"]
    for t in texts:
        toks = tokens(t)
        if not det._time_words(t, toks):
            for posted in (POSTED, POSTED - timedelta(hours=3), None):
                assert det._time(t, toks, posted) == (None, None), t
    assert det._time_words("вчора о 23:40", tokens("вчора о 23:40"))
    assert not det._time_words("пуски ракет", tokens("пуски ракет"))


def test_a_full_memo_drops_its_oldest_text_and_keeps_the_recent_ones(monkeypatch):
    import whopushed.extract.detect as detect_mod

    monkeypatch.setattr(detect_mod, "_SEEN_MAX", 3)
    det = Detector()
    texts = [f"Шахеды запущены с территории Беларуси, {n} штук" for n in range(5)]
    for t in texts:
        det.detect(t, language="ru")
    assert [k[0] for k in det._seen] == texts[2:]  # the newest three, oldest first
    assert det.detect(texts[0], language="ru").as_json() == Detector().detect(texts[0], language="ru").as_json()


def test_the_day_words_time_is_the_detectors_time():
    """Prefilter._day_time (texts whose only words the time reads are day words) gives what
    Detector._time gives over the same words: the night first, the last "yesterday", the
    span, across days, years and the clock changes of Europe/Kyiv."""
    pf, det = Prefilter(default_detector()), default_detector()
    rng = random.Random(12)
    day_words = ["сегодня", "Сегодня", "вчера", "Вчора", "ночью", "Уначы", "tonight", "yesterday", "сёння", "вранці"]
    filler = ["погода", "канал", "курс", "friends", "news"]
    posts = [datetime(2024, 3, 31, 0, 30, tzinfo=UTC), datetime(2024, 10, 27, 0, 59, tzinfo=UTC),
             datetime(2023, 12, 31, 22, 10, tzinfo=UTC), datetime(2022, 2, 24, 3, 40, tzinfo=UTC)]
    posts += [datetime(2022, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(3 * 525600)) for _ in range(40)]
    checked = 0
    for _ in range(400):
        words = [rng.choice(day_words + filler) for _ in range(rng.randint(1, 7))]
        text = " ".join(words)
        days = {w for w in words if w.lower() in det.r.days}
        if not days:
            continue
        posted = rng.choice(posts)
        want = det._time(text, tokens(text), posted)
        assert pf._day_time(text, days, posted) == want, (text, posted)
        assert pf._day_time(text, days, int(posted.timestamp())) == want, (text, posted)  # by the hour's dates
        checked += 1
    assert checked > 300


def test_an_hours_local_dates_hold_for_each_of_its_seconds():
    from whopushed.extract.prefilter import LOCAL, _local_dates

    rng = random.Random(4)
    hours = [int(datetime(2024, 3, 31, h, tzinfo=UTC).timestamp()) for h in range(4)]  # the clock changes at 01:00
    hours += [int(datetime(2024, 10, 27, h, tzinfo=UTC).timestamp()) for h in range(4)]
    hours += [int(datetime(2023, 12, 31, h, tzinfo=UTC).timestamp()) for h in range(20, 24)]  # local midnight
    hours += [rng.randrange(1_500_000_000, 1_900_000_000) // 3600 * 3600 for _ in range(300)]
    kept = 0
    for hour in hours:
        dates = _local_dates(hour)
        kept += dates is not None
        for sec in (0, 1, 1799, 3598, 3599, rng.randrange(3600)):
            local = datetime.fromtimestamp(hour + sec, tz=UTC).astimezone(LOCAL).date()
            if dates is not None:
                assert dates == (local.isoformat(), (local - timedelta(days=1)).isoformat()), (hour, sec)
    assert kept > 250


def test_json_rows_are_the_rows():
    """A worker sends rows as JSON (stages.detect_batch_framed): read back they are the rows of
    detect_batch, keys in the same order, for reports, near misses, chatter, remembered texts
    (with and without time words) and other message types."""
    import orjson

    from whopushed.pipeline.stages import detect_batch, detect_batch_framed, json_twin

    rng = random.Random(4)
    texts = [message_text(rng, kind, lang) for kind in ("launch", "near", "chatter") for lang in ("ru", "uk", "be", "en")
             for _ in range(15)]
    texts += [REPORT, "Вчора о 23:40 ракети з боку Білорусі", "24 лютого 2022 ракети з Білорусі", "", "  ", "12:30"]
    items = [(7, i, "", "message", t, d, e) for i, t in enumerate(texts * 2)
             for d, e in ((1_700_000_000 + 977 * i, None), (None, None), (1_646_000_000, 1_646_000_100))]
    items += [(7, 1, "", "service", "", 1_700_000_000, None)]
    rows = detect_batch(items)
    back = orjson.loads(detect_batch_framed(items)[0])
    assert back == rows and all(list(a) == list(b) for a, b in zip(back, rows))
    assert json_twin(detect_batch) is detect_batch_framed and json_twin(len) is None
    assert detect_batch_framed([])[0] == b"[]"


def test_a_remembered_texts_json_changed_by_its_caller_leaves_the_next_one_alone():
    pf = Prefilter(Detector())
    first = pf.detect_json(REPORT, POSTED)
    want = Detector().detect(REPORT, POSTED).as_json()
    assert first == want
    first["places"][0]["span"].append(9)
    first["spans"][0]["start"] = -5
    first["spans"].clear()
    first["reasons"].append("changed")
    assert pf.detect_json(REPORT, POSTED) == want


def test_the_utc_time_strings_are_those_of_isoformat():
    import orjson

    from whopushed.pipeline.stages import iso_utc, json_utc

    rng = random.Random(6)
    for unix in [0, -1, 59, 86399, 86400, 1_700_000_000, 253402300799] + [rng.randint(-2 * 10**9, 4 * 10**9)
                                                                       for _ in range(5000)]:
        want = datetime.fromtimestamp(unix, tz=UTC).isoformat()
        assert iso_utc(unix) == want, unix
        assert json_utc(unix) == orjson.dumps(want), unix
