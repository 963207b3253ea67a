"""A detected launch report becomes the channel's launch claim, traceable to its words."""

from __future__ import annotations

from datetime import UTC, datetime

from whopushed.extract.claims import launch_claim
from whopushed.extract.detect import detect

POSTED = datetime(2024, 3, 1, 5, 10, tzinfo=UTC)


def row(text: str) -> dict:
    return detect(text, POSTED).as_json()


def test_a_launch_report_gives_a_launch_claim_with_the_words_it_was_read_from():
    text = "12 шахедів запущено з території Білорусі, курс на Житомир"
    claim = launch_claim(row(text), "tg-1-5", "act-tg-1", POSTED, text, "rules x")
    assert claim is not None and claim.id == "cl-tg-1-5" and claim.kind.value == "launch"
    assert claim.party == "act-tg-1" and claim.captures == ["tg-1-5"]
    assert claim.launch_territory == "BY" and claim.weapons == ["Shahed-136"] and claim.count == 12
    assert "launched from BY" in claim.text and "з території Білорусі" in claim.text  # the span, quoted
    assert claim.quote == text and claim.quote_language == "uk"
    assert claim.credibility.value == "6" and "rules x" in claim.credibility_why
    assert claim.made.value == "2024-03-01T05:10Z"


def test_without_a_time_in_the_text_the_launch_is_placed_before_the_post():
    text = "Шахеды запущены с территории Беларуси"
    claim = launch_claim(row(text), "tg-1-6", "act-tg-1", POSTED, text, "rules x")
    assert claim.when.value.endswith("/2024-03-01T05:10Z") and claim.when.earliest < POSTED and claim.when.approximate


def test_who_fired_is_not_where_and_messages_that_are_not_reports_give_no_claim():
    text = "Ночью Россия запустила 40 дронов"
    claim = launch_claim(row(text), "tg-1-7", "act-tg-1", POSTED, text, "rules x")
    assert claim is not None and claim.launch_territory is None and "not stated" in claim.text
    alert = "Повітряна тривога в Києві"
    assert launch_claim(row(alert), "tg-1-8", "act-tg-1", POSTED, alert, "rules x") is None


def test_an_overlong_message_is_quoted_cut_and_marked():
    text = "Шахеды запущены с территории Беларуси. " + "х" * 9000
    claim = launch_claim(row(text), "tg-1-9", "act-tg-1", POSTED, text, "rules x")
    assert len(claim.quote) < 4200 and claim.quote.endswith("[…]")
