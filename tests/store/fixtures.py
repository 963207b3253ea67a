"""A small hand-built case covering what the store must keep and query: citation-only and
preserved captures, incidents of every kind, launch territories and time precisions (a
range, a month, an offset, an excluded one, a day without a year), claims linked to
incidents, statements in three scripts, a sanctions measure."""

from __future__ import annotations

from typing import Any

from whopushed.model import Case

SHA = "0f" * 32

CASE: dict[str, Any] = {
    "case": {
        "id": "test-by",
        "title": "Launches from Belarus (test)",
        "question": "Who pushed the button?",
        "territorial_state": "BY",
        "target_state": "UA",
        "aggressor_state": "RU",
        "since": "2022-02-24",
    },
    "actors": [
        {"id": "act-belarus", "name": "Republic of Belarus", "kind": "state", "state": "BY",
         "aliases": ["Рэспубліка Беларусь", "Республика Беларусь"]},
        {"id": "act-russia", "name": "Russian Federation", "kind": "state", "state": "RU"},
        {"id": "act-lukashenka", "name": "Alexander Lukashenka", "kind": "person", "state": "BY",
         "role": "President of Belarus",
         "aliases": ["Александр Лукашенко", "Аляксандр Лукашэнка", "Lukashenko"]},
        {"id": "act-uaf", "name": "Air Force of Ukraine", "kind": "force", "state": "UA",
         "aliases": ["Повітряні сили ЗСУ"]},
        {"id": "act-hajun", "name": "Belarusian Hajun", "kind": "monitoring_group",
         "aliases": ["Беларускі Гаюн"]},
    ],
    "sources": [
        {"id": "src-belta", "name": "BelTA", "kind": "state_media", "country": "BY",
         "actor": "act-belarus", "reliability": "C", "reliability_why": "State agency; accurate on what officials said."},
        {"id": "src-hajun", "name": "Belarusian Hajun (Telegram)", "kind": "monitoring_group",
         "actor": "act-hajun", "reliability": "B", "reliability_why": "Usually confirmed later."},
    ],
    "captures": [
        {"id": "cap-001", "source": "src-hajun", "url": "https://t.me/Hajun_BY/1",
         "title": "Пуски ракет из-под Мозыря", "published": "2022-02-24T05:10+03:00", "language": "ru",
         "excerpt": "Около 5 утра из района Мозыря запущены ракеты в сторону Украины."},
        {"id": "cap-002", "source": "src-hajun", "url": "https://t.me/Hajun_BY/2",
         "title": "Аэродром Зябровка: вылеты", "language": "ru", "sha256": SHA, "size": 2048,
         "media_type": "text/html", "collected_at": "2022-03-01T10:00Z", "collector": "tester",
         "method": "browser"},
        {"id": "cap-003", "source": "src-belta", "url": "https://belta.by/x",
         "title": "Лукашэнка: нашы войскі не ўдзельнічаюць", "language": "be",
         "published": "2022-02-24"},
        {"id": "cap-004", "source": "src-hajun", "url": "https://example.org/q",
         "title": 'Odd "quoted" text (NEAR) - with * and AND/OR', "language": "en"},
    ],
    "incidents": [
        {"id": "INC-01", "kind": "launch", "title": "Iskander launches from near Mozyr",
         "when": "2022-02-24T04:00Z/2022-02-24T06:00Z", "launch_territory": "BY",
         "launch_area": {"name": "Мозырь", "country": "BY", "precision": "locality",
                         "lat": 52.05, "lon": 29.25},
         "weapons": ["9M723"], "summary": "A salvo seen over Мазыр at dawn."},
        {"id": "INC-02", "kind": "launch", "title": "Missiles over Homel region",
         "when": "2022-03-10", "launch_territory": "BY",
         "summary": "Launches reported north of Гомель."},
        {"id": "INC-03", "kind": "sortie", "title": "Su-34 take-offs from Ziabrauka",
         "when": "2022-03-10T20:00Z", "launch_territory": "BY"},
        {"id": "INC-04", "kind": "base_activity", "title": "Aircraft build-up at Зябровка",
         "when": "2022-02", "launch_territory": "BY"},
        {"id": "INC-05", "kind": "launch", "title": "Launches from Belgorod",
         "when": "2022-05-01", "launch_territory": "RU"},
        {"id": "INC-06", "kind": "launch", "title": "Reported launch, later disproved",
         "when": "2022-06-25", "launch_territory": "BY",
         "excluded": "The video was from 2021 and from Russia."},
        {"id": "INC-07", "kind": "launch", "title": "A launch remembered without a year",
         "when": "--06-26", "launch_territory": "BY"},
        {"id": "INC-08", "kind": "launch", "title": "Morning launch, local time",
         "when": "2022-10-10T01:30+03:00", "launch_territory": "BY"},
        {"id": "INC-09", "kind": "launch", "title": "Cruise missiles from aircraft",
         "when": "2022-06-25T05:00Z", "launch_territory": "AIR"},
        {"id": "INC-10", "kind": "launch", "title": "Same morning, second salvo",
         "when": "2022-02-24T04:00Z/2022-02-24T06:00Z", "launch_territory": "BY"},
    ],
    "claims": [
        {"id": "CL-01", "kind": "launch", "party": "act-uaf", "captures": ["cap-001"],
         "incidents": ["INC-01", "INC-10"], "made": "2022-02-24",
         "text": "Ukraine's Air Force says ballistic missiles were launched from the Mozyr' area.",
         "credibility": "2", "credibility_why": "Matches the monitoring reports.",
         "launch_territory": "BY", "weapons": ["9M723"], "count": 4},
        {"id": "CL-02", "kind": "launch", "party": "act-hajun", "captures": ["cap-001"],
         "incidents": ["INC-01"],
         "text": "Hajun reports launches near Mazyr before dawn.",
         "quote": "Около 5 утра из района Мозыря запущены ракеты", "quote_language": "ru",
         "credibility": "2", "credibility_why": "Several eyewitness videos."},
        {"id": "CL-03", "kind": "launch", "party": "act-hajun", "captures": ["cap-002"],
         "incidents": ["INC-02"], "text": "Rocket trails over Гомелем at night.",
         "credibility": "3", "credibility_why": "One video, unverified."},
        {"id": "CL-04", "kind": "operator", "party": "act-uaf", "captures": ["cap-001"],
         "incidents": ["INC-01"], "operator_state": "RU",
         "text": "Russian crews operated the launchers.",
         "credibility": "3", "credibility_why": "No evidence given."},
        {"id": "CL-05", "kind": "statement", "party": "act-lukashenka", "captures": ["cap-003"],
         "polarity": "denies", "text": 'Belarus says its troops take no part ("NEAR" the border) - *none*.',
         "credibility": "1", "credibility_why": "Said on state TV."},
    ],
    "statements": [
        {"id": "ST-02", "speaker": "act-lukashenka", "made": "2022-03-01",
         "quote": "Ни одна ракета не была запущена с территории Беларуси.", "language": "ru",
         "stances": ["denies_involvement"], "captures": ["cap-003"], "credibility": "2",
         "credibility_why": "Reported by BelTA."},
        {"id": "ST-01", "speaker": "act-lukashenka", "made": "2022-02-24",
         "quote": "Our troops are taking no part in this operation", "language": "en",
         "is_translation": True, "captures": ["cap-003"],
         "credibility": "1", "credibility_why": "Several outlets relaying BelTA."},
        {"id": "ST-03", "speaker": "act-uaf", "made": "2022-02-25",
         "quote": "Ракети запущені з району Мозира.", "language": "uk", "stances": ["alleges_involvement"],
         "captures": ["cap-001"], "credibility": "2", "credibility_why": "Official channel."},
        {"id": "ST-04", "speaker": "act-lukashenka", "made": "--07-03",
         "quote": "Мы ніколі не ваявалі.", "language": "be", "captures": ["cap-003"],
         "credibility": "6", "credibility_why": "Only one garbled repost."},
    ],
    "sanctions": [
        {"id": "SAN-01", "jurisdiction": "EU", "target_state": "BY", "when": "2022-03-02",
         "title": "EU sanctions on Belarus for its role in the aggression", "captures": ["cap-003"]},
    ],
}


def make_case(**changes: Any) -> Case:
    """The test case; keyword arguments replace whole collections (or `case`)."""
    return Case.model_validate({**CASE, **changes})


def replaced(collection: str, record_id: str, **fields: Any) -> list[dict[str, Any]]:
    """The collection's records with one record's fields changed."""
    return [{**rec, **fields} if rec["id"] == record_id else rec for rec in CASE[collection]]
