"""The launch-report detector: the conventions of docs/conventions.md, in ru, uk, be and en,
with every extracted field traced to its span of text."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whopushed.cli import app
from whopushed.extract.detect import detect
from whopushed.extract.gazetteer import Gazetteer, tokens
from whopushed.extract.langid import detect_language

POSTED = datetime(2024, 11, 10, 6, 0, tzinfo=UTC)  # 08:00 in Kyiv
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "telegram_export_sample.json"


def d(text: str):
    return detect(text, POSTED)


@pytest.mark.parametrize("text", [
    "Шахеды запущены с территории Беларуси",
    "Шахеды летят со стороны Беларуси",
    "Ворог запустив ударні БпЛА з території Білорусі",
    "Шахеди з боку Білорусі",
    "Расейцы запусцілі шахеды з тэрыторыі Беларусі",
    "Drones launched from the territory of Belarus",
    "Iskander missiles fired from Belarusian territory",
    "Ракеты выпущены из-под Мозыря",
    "Ракети запущені з Гомельщини",
])
def test_from_the_territory_of_belarus_is_a_launch_from_by_in_every_language(text):
    found = d(text)
    assert found.is_launch_report and found.launch_territory == "BY", found.reasons
    ts = [s for s in found.spans if s.field == "launch_territory"]
    assert ts and all(text[s.start:s.end] == s.text for s in ts)


def test_who_fired_is_not_where():
    for text in ("Russia launched 40 drones", "Россия запустила 40 дронов", "Росія запустила 40 дронів"):
        found = d(text)
        assert found.is_launch_report and found.launch_territory is None and found.count == 40


@pytest.mark.parametrize("text", [
    "Два шахеда залетели в Беларусь",
    "Шахеди залетіли на територію Білорусі",
    "A Shahed drone flew into Belarusian airspace",
    "Шахед заляцеў на тэрыторыю Беларусі",
])
def test_a_drone_flying_into_belarus_is_a_crossing_not_a_launch_from_it(text):
    found = d(text)
    assert not found.is_launch_report and found.launch_territory is None
    assert found.crossings == ["BY"]


def test_negation_states_no_territory_and_hedging_is_marked():
    neg = d("The missiles were not launched from Belarus, the ministry said")
    assert neg.launch_territory is None and neg.negated == ["BY"]
    assert not d("Лукашенко: с территории Беларуси никто не стрелял").is_launch_report
    assert not d("No launches from Belarus were recorded").is_launch_report
    hedged = d("Presumably launched from Belarus: 5 Shaheds")
    assert hedged.launch_territory == "BY" and hedged.hedged and hedged.count == 5
    assert d("Шахеди, ймовірно, запущені з Білорусі").hedged


@pytest.mark.parametrize("text", [
    "Воздушная тревога в Киеве",
    "Загроза «Шахедів» з південного напрямку.",
    "МиГ-31К взлетел, угроза Кинжалов",
    "В Беларуси начались учения, учебные пуски ракет С-300",
    "Belarus hosts joint exercises with Russian troops",
    "Лукашенко заявил, что Беларусь не воюет",
    "✈️БПЛА→Захід через Київщину/Житомирщину",
])
def test_alerts_threats_take_offs_exercises_and_mentions_are_not_launch_reports(text):
    assert not d(text).is_launch_report


def test_seas_aircraft_crimea_and_directions_follow_the_de_jure_convention():
    assert d("Kalibr missiles launched from the Black Sea").launch_territory == "SEA"
    assert d("Ракети запущені з акваторії Чорного моря").launch_territory == "SEA"
    assert d("Drones fired from aircraft").launch_territory == "AIR"
    assert d("Шахеди запущені з Криму").launch_territory == "UA"
    assert d("Ракеты запущены из Брянской области").launch_territory == "RU"
    north = d("Шахеды атаковали Житомир с севера")
    assert north.is_launch_report and north.launch_territory is None and north.direction == "north"


def test_inflected_place_names_are_found():
    g = Gazetteer.load()
    for word, name in [("Мозырь", "Mazyr"), ("Мозыре", "Mazyr"), ("Мозыря", "Mazyr"), ("Мазыр", "Mazyr"),
                       ("Гомелем", "Gomel"), ("Чернігова", "Chernihiv"), ("Чернигова", "Chernihiv"),
                       ("Mozyr", "Mazyr")]:
        found = g.places.find(tokens(word), 0)
        assert found and found[0].entry.name == name, word


def test_every_belarusian_postal_place_is_in_the_gazetteer():
    g = Gazetteer.load()
    text = resources.files("whopushed.extract").joinpath("data", "geonames_postal_BY.txt").read_text("utf-8")
    names = {row[2] for row in csv.reader(text.splitlines(), delimiter="\t") if len(row) > 10 and row[2]}
    missing = [n for n in names if not any(m.entry.country == "BY" for m in g.places.find(tokens(n), 0))]
    assert len(names) > 2500 and missing == []


def test_weapons_in_every_spelling_map_to_one_name():
    for text in ("Шахеды", "Шахедів", "Герань-2", "Shaheds", "шахедаў", "Герані"):
        assert [w["name"] for w in d(text + " запущены").weapons][:1] == ["Shahed-136"], text
    assert d("Кінжал").weapons[0]["name"] == "Kh-47M2 Kinzhal"
    assert d("Х-101").weapons[0]["name"] == d("Kh-101").weapons[0]["name"] == "Kh-101"


def test_counts_ranges_and_upper_bounds():
    assert (d("Iskander launched from near Mozyr, 2-3 missiles").count,
            d("Iskander launched from near Mozyr, 2-3 missiles").count_max) == (2, 3)
    up = d("Запущено до 10 ракет")
    assert up.count is None and up.count_max == 10
    assert d("Шахеды запущены с территории Беларуси, 12 штук").count == 12
    assert d("Вчера в 23:40 шахеды атаковали Житомир").count is None  # a time is not a count


def test_times_are_read_relative_to_the_posts_date():
    assert d("Вчера в 23:40 шахеды атаковали Житомир").time == "2024-11-09T23:40+02:00"
    assert d("Сьогодні о 05:10 ракети запущені з Білорусі").time == "2024-11-10T05:10+02:00"
    assert d("24 лютого 2022 року ракети запущені з території Білорусі").time == "2022-02-24"
    assert d("Вночі шахеди атакували Київ").time.startswith("2024-11-09T18:00")


def test_every_span_is_the_text_it_names():
    text = "Сёння ўначы расейцы запусцілі 20 шахедаў з тэрыторыі Беларусі на Чарнігаў"
    found = d(text)
    assert found.is_launch_report and found.launch_territory == "BY" and found.count == 20
    assert {s.field for s in found.spans} >= {"launch", "weapon", "place", "launch_territory", "count", "time"}
    for s in found.spans:
        assert text[s.start:s.end] == s.text


@pytest.mark.parametrize("text,lang", [
    ("Шахеды летят на Киев", "ru"), ("Шахеди летять на Київ", "uk"), ("Шахеды ляцяць на Кіеў", "be"),
    ("Шахеди з боку Білорусі", "uk"), ("Drones from Belarus", "en"), ("Запуск з тэрыторыі Беларусі", "be"),
])
def test_language_of_ru_uk_be_and_en(text, lang):
    assert detect_language(text) == lang


@pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the repository")
def test_detect_on_the_sample_reports_the_malformed_duplicate_and_reads_the_rest():
    result = CliRunner().invoke(app, ["detect", str(SAMPLE), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [m["id"] for m in data["messages"]] == [1, 192]
    assert data["messages"][1]["is_launch_report"] is False and data["messages"][1]["language"] == "uk"
    assert {"id", "is_launch_report", "launch_territory", "places", "weapons", "count", "time",
            "spans"} <= set(data["messages"][1])
    (issue,) = data["issues"]
    assert issue["position"] == "messages[2]" and "first is kept" in issue["message"]


@pytest.mark.parametrize("text,territory", [
    ("Ракеты запушчаныя з Растоўскай вобласці", "RU"),  # the be adjective of a Russian oblast
    ("Шахеды запушчаныя са Смаленскай вобласці", "RU"),  # be "са" before a place
    ("Ракеты выпушчаныя з акупаванай Херсоншчыны", "UA"),  # occupied is de jure UA
    ("Ракети випущені з окупованої Херсонщини", "UA"),
    ("Ракеты выпущены из оккупированной Херсонщины", "UA"),
])
def test_belarusian_and_occupied_region_forms_give_the_territory(text, territory):
    found = d(text)
    assert found.is_launch_report and found.launch_territory == territory, found.reasons


@pytest.mark.parametrize("text", [
    "Кінжалы запушчаныя з бартоў МіГ-31К",
    "Кінжалы запушчаныя з бортоў МіГ-31К",
    "Кинджали запущені з бортів МіГ-31К",
    "Кинжалы запущены с бортов МиГ-31К",
])
def test_fired_from_the_boards_of_aircraft_plural_is_air(text):
    found = d(text)
    assert found.is_launch_report and found.launch_territory == "AIR", found.reasons


def test_a_ukrainian_denial_in_the_past_tense_is_not_a_report():
    found = d("Міноборони Білорусі спростувало пуски ракет зі своєї території")
    assert not found.is_launch_report and "a denial" in found.reasons


@pytest.mark.parametrize("text", [
    "Вночі три «шахеди» з України вторглися в Білорусь і впали біля Мозиря",
    "Двенадцать «Гераней» из Украины залетели на территорию Беларуси под утро",
    "Уначы з Украіны ў Беларусь уварваліся два шахеды",
    "Four Shahed drones intruded into Belarus from Ukraine overnight",
])
def test_drones_crossing_into_belarus_from_ukraine_are_a_crossing_not_a_launch_from_ua(text):
    found = d(text)
    assert not found.is_launch_report and found.launch_territory is None, found.reasons
    assert found.crossings == ["BY"]


def test_a_place_name_is_not_a_verb_of_movement():
    # "Курской" begins like "курс" (a heading): the place is no crossing into Russia
    found = d("В Курской области сбиты три беспилотника, запущенные из Украины")
    assert found.is_launch_report and found.launch_territory == "UA" and found.crossings == []


@pytest.mark.parametrize("text", [
    "Ракет с территории Беларуси никто не запускал",
    "Запусков шахедов со стороны Беларуси этой ночью не зафиксировано",
    "Запусків ракет з території Білорусі за добу не зафіксовано",
    "Пускаў шахедаў з тэрыторыі Беларусі ўначы не зафіксавана",
])
def test_a_negated_launch_takes_its_territory_with_it(text):
    found = d(text)
    assert not found.is_launch_report and found.launch_territory is None, found.reasons
    assert found.negated == ["BY"]


def test_a_negated_launch_leaves_the_stated_one():
    found = d("Пусков с территории Беларуси не было, удары нанесены из Брянской области")
    assert found.is_launch_report and found.launch_territories == ["RU"] and found.negated == ["BY"]


@pytest.mark.parametrize("text", [
    "Сохраняется угроза ракетного удара с территории Беларуси",
    "Через побоювання удару з території Білорусі у Волинській області оголосили тривогу",
    "Пагроза ракетнага ўдару з тэрыторыі Беларусі захоўваецца",
    "The threat of missile strikes from Belarus remains",
])
def test_a_feared_or_threatened_strike_is_no_launch(text):
    found = d(text)
    assert not found.is_launch_report and found.launch_territory is None, found.reasons


@pytest.mark.parametrize("text", [
    "На полигоне в Брестской области расчёты выполнили боевые пуски ракет С-300",
    "Білоруські військові провели бойові пуски ракет «Полонез»",
    "Разлікі выканалі баявыя пускі ракет на палігоне",
    "Росія провела випробування нової ракети, запущеної з Астраханської області",
    "Russia test-fired a hypersonic missile from the Barents Sea",
])
def test_test_and_live_firings_at_a_range_are_not_launch_reports(text):
    found = d(text)
    assert not found.is_launch_report and "an exercise" in found.reasons, found.reasons


def test_a_launch_from_a_range_is_still_a_launch():
    found = d("Баллистическая ракета запущена с полигона Капустин Яр по Днепру")
    assert found.is_launch_report and found.launch_territory == "RU"


@pytest.mark.parametrize("text,territory", [
    ("Крылатые ракеты выпущены из воздушного пространства Беларуси", "BY"),
    ("Літаки Ту-22М3 з повітряного простору Білорусі випустили ракети по Києву", "BY"),
    ("Missiles were fired at Kyiv from the territory of the Republic of Belarus", "BY"),
])
def test_airspace_and_long_from_phrases_give_the_territory(text, territory):
    found = d(text)
    assert found.is_launch_report and found.launch_territory == territory, found.reasons


@pytest.mark.parametrize("text", [
    "Над Брянской областью перехвачены два беспилотных летательных аппарата",
    "Силами ППО знищено безпілотний літальний апарат над Сумщиною",
    "An unmanned aerial vehicle was intercepted over Kursk",
])
def test_the_long_name_of_a_drone_is_a_weapon(text):
    found = d(text)
    assert found.is_launch_report and found.weapons and found.weapons[0]["name"] == "UAV", found.reasons


@pytest.mark.parametrize("text", [
    "Шахеды, которые Россия использует для ударов по Украине, снова упали в Беларуси",
    "Дрони «Шахед», які Росія використовує для атак на Україну, знову впали в Молдові",
    "Shahed drones, which Russia uses to strike Ukraine, crashed in Romania",
])
def test_a_weapon_described_by_its_habitual_use_is_no_launch(text):
    assert not d(text).is_launch_report


def test_a_past_use_for_an_attack_is_still_a_launch():
    found = d("Для атаки ворог використав 40 ударних БпЛА типу Shahed з Брянщини")
    assert found.is_launch_report and found.launch_territory == "RU" and found.count == 40


@pytest.mark.parametrize("text", [
    "Информация о ракетном ударе по белорусскому селу — бред",
    "Повідомлення про ракетний удар з Білорусі — маячня, заявили в Мінську",
    "Reports of a missile strike from Belarus are disinformation, Minsk said",
])
def test_a_report_called_nonsense_is_a_denial(text):
    found = d(text)
    assert not found.is_launch_report and "a denial" in found.reasons


def test_a_lone_surrogate_in_a_text_is_read_not_a_crash():
    """JSON may escape half a surrogate pair ("\\ud83d"); the standard reader keeps it as is."""
    from whopushed.extract.langid import detect_language

    text = "\ud83d Вночі з території Білорусі запущено 5 шахедів"
    assert detect_language("\ud83d привет как дела") in ("ru", "uk", "be")
    found = detect(text)
    assert found.is_launch_report and found.launch_territory == "BY"
