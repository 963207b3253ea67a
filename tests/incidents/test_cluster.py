"""Clustering launch reports into incidents, and reposts into dependent reports."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from whopushed.incidents.cluster import Report, cluster, dependents

T0 = datetime(2024, 11, 10, 2, 0, tzinfo=UTC)


def rep(rid, hours=0.0, span=0.5, territory=None, weapons=(), text="", **kw):
    start = T0 + timedelta(hours=hours)
    return Report(rid, start, start + timedelta(hours=span), territory, frozenset(weapons), text, **kw)


def test_reports_of_one_salvo_make_one_incident_and_another_night_another():
    reports = [rep("a", 0, territory="BY", weapons=["Shahed-136"]), rep("b", 0.5, weapons=["UAV"]),
               rep("c", 1.0, territory="BY"), rep("d", 30, territory="BY", weapons=["Shahed-136"])]
    found = cluster(reports)
    assert [sorted(i.reports) for i in found] == [["a", "b", "c"], ["d"]]
    assert found[0].territory == "BY" and found[0].weapons == ["Shahed-136", "UAV"]


def test_different_territories_or_weapon_kinds_stay_apart():
    found = cluster([rep("a", 0, territory="BY", weapons=["Shahed-136"]),
                     rep("b", 0, territory="RU", weapons=["Shahed-136"]),
                     rep("c", 0, territory="BY", weapons=["Kalibr"])])
    assert len(found) == 3


def test_grouping_does_not_depend_on_the_order_of_the_reports():
    reports = [rep(f"r{i}", hours=i * 0.7, territory=random.Random(i).choice(["BY", None]),
                   weapons=["UAV"]) for i in range(30)]
    expected = sorted(sorted(i.reports) for i in cluster(reports))
    for seed in range(5):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(sorted(i.reports) for i in cluster(shuffled)) == expected


def test_forwards_and_near_identical_texts_are_dependent_on_the_first():
    text = "Шахеды запущены с территории Беларуси, курс на Житомир, около 10 штук"
    reports = [rep("orig", 0, text=text, published=T0),
               rep("copy", 0.1, text=text.replace("около", "до"), published=T0 + timedelta(minutes=5)),
               rep("fwd", 0.2, text="whatever", forward_of="orig", published=T0 + timedelta(minutes=9)),
               rep("other", 0.3, text="Ракеты летят с севера, пуски зафиксированы", published=T0 + timedelta(minutes=1))]
    assert dependents(reports) == {"copy": "orig", "fwd": "orig"}
    (incident,) = cluster(reports)
    assert incident.dependent == {"copy": "orig", "fwd": "orig"}
