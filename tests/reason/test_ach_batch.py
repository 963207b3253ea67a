"""The vectorised scorer gives ach.score's answers, for any matrices, many at a time."""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whopushed.reason.ach import LEVELS, LOG_LIKELIHOOD, Matrix, Row, score
from whopushed.reason.ach_batch import (LEVEL_CODE, RATING_CODE, encode, score_arrays, score_batch,
                                        score_codes)

CELLS = ("CC", "C", "N", "NA", "", "I", "II")


def assert_same(batch, reference):
    """Identical decisions, floats within 1e-12."""
    assert batch.ranking == reference.ranking
    assert [(h.id, h.inconsistency, h.unrated) for h in batch.hypotheses] == \
           [(h.id, h.inconsistency, h.unrated) for h in reference.hypotheses]
    assert [(e.id, e.linchpin, e.top_without) for e in batch.evidence] == \
           [(e.id, e.linchpin, e.top_without) for e in reference.evidence]
    for b, r in zip(batch.hypotheses, reference.hypotheses):
        assert abs(b.posterior - r.posterior) <= 1e-12
        assert abs(b.weighted - r.weighted) <= 1e-12
    for b, r in zip(batch.evidence, reference.evidence):
        assert abs(b.diagnosticity - r.diagnosticity) <= 1e-12


@st.composite
def matrices(draw, cells=st.sampled_from(CELLS)):
    h = draw(st.integers(1, 4))
    n = draw(st.integers(0, 20))
    rows = []
    for i in range(n):
        row = draw(st.lists(cells, min_size=h, max_size=h))
        if h > 1 and draw(st.booleans()):  # duplicate columns now and then: ties
            row[draw(st.integers(1, h - 1))] = row[0]
        rows.append(Row(f"E{i}", tuple(row), draw(st.sampled_from(LEVELS)), draw(st.sampled_from(LEVELS))))
    return Matrix(tuple(f"H{j}" for j in range(1, h + 1)), tuple(rows))


# few distinct ratings make exact ties and tie-decided linchpins common
tie_prone = matrices(cells=st.sampled_from(("C", "I")))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(matrices(), tie_prone), min_size=1, max_size=25))
def test_score_batch_equals_score_on_random_matrices_including_ties(ms):
    for got, m in zip(score_batch(ms), ms, strict=True):
        assert_same(got, score(m))


@settings(max_examples=40, deadline=None)
@given(st.lists(matrices(), min_size=1, max_size=15), st.data())
def test_score_batch_equals_score_with_one_prior_per_matrix(ms, data):
    priors = [data.draw(st.one_of(st.none(), st.fixed_dictionaries(
        {hyp: st.floats(0.01, 100) for hyp in m.hypotheses}))) for m in ms]
    for got, m, p in zip(score_batch(ms, priors), ms, priors, strict=True):
        assert_same(got, score(m, p))


def test_score_batch_applies_one_shared_prior_to_every_matrix():
    ms = [Matrix(("H1", "H2"), (Row("E", (a, b), "high"),)) for a in CELLS for b in CELLS]
    prior = {"H1": 0.2, "H2": 0.8}
    for got, m in zip(score_batch(ms, prior), ms):
        assert_same(got, score(m, prior))


def test_score_batch_keeps_input_order_across_groups_and_padding():
    rng = random.Random(7)
    ms = []
    for k in range(300):
        h = rng.choice((2, 3, 4))
        n = rng.choice((0, 1, 2, 3, 5, 9, 17, 40))
        ms.append(Matrix(tuple(f"X{k}-{j}" for j in range(h)), tuple(
            Row(f"r{k}-{i}", tuple(rng.choice(CELLS) for _ in range(h)), rng.choice(LEVELS), rng.choice(LEVELS))
            for i in range(n))))
    out = score_batch(ms)
    assert len(out) == len(ms)
    for got, m in zip(out, ms):
        assert [x.id for x in got.hypotheses] == list(m.hypotheses)
        assert_same(got, score(m))


def test_score_batch_matches_the_open_source_ach_sample():
    m = Matrix(("H1", "H2"), tuple(Row(i, c) for i, c in
                                   (("A", ("II", "NA")), ("B", ("II", "C")), ("C", ("I", "C")), ("D", ("I", "C")))))
    (got,) = score_batch([m])
    assert [h.inconsistency for h in got.hypotheses] == [6, 0] and got.ranking == ("H2", "H1")


def test_score_batch_of_nothing_is_an_empty_list():
    assert score_batch([]) == []


def test_score_batch_accepts_cells_and_grades_in_any_case():
    m = Matrix(("H1", "H2"), (Row("E", ("ii", " c "), "High", "LOW"),))
    assert_same(score_batch([m])[0], score(m))


def test_score_batch_refuses_what_score_refuses():
    with pytest.raises(ValueError, match="2 cells for 3 hypotheses"):
        score_batch([Matrix(("H1", "H2", "H3"), (Row("E", ("C", "I")),))])
    with pytest.raises(ValueError, match="unknown rating"):
        score_batch([Matrix(("H1", "H2"), (Row("E", ("C", "X")),))])
    with pytest.raises(ValueError, match="credibility 'B2'"):
        score_batch([Matrix(("H1", "H2"), (Row("E", ("C", "I"), "B2"),))])
    with pytest.raises(ValueError, match="unique"):
        score_batch([Matrix(("H1", "H1"), ())])
    with pytest.raises(ValueError, match="does not name H2"):
        score_batch([Matrix(("H1", "H2"), ())], {"H1": 1})
    with pytest.raises(ValueError, match="2 priors for 1 matrices"):
        score_batch([Matrix(("H1", "H2"), ())], [None, None])


def test_score_arrays_padding_rows_contribute_nothing_whatever_they_hold():
    ll = np.log(np.array([[[0.68, 0.32], [0.3, 0.5], [1e-300, 5.0]]]))
    mask = np.array([[True, True, False]])
    s = score_arrays(ll, mask)
    assert s.posterior[0] == pytest.approx([0.204 / 0.364, 0.16 / 0.364], abs=1e-14)
    assert s.ranking.tolist() == [[0, 1]]
    assert s.linchpin.tolist() == [[True, False, False]]
    assert s.top_without.tolist() == [[1, 0, 0]]
    assert s.diagnosticity[0, 2] == 0.0


def test_score_arrays_takes_a_per_matrix_log_prior():
    ll = np.log(np.array([[[0.68, 0.32], [0.3, 0.5]]] * 2))
    lp = np.log(np.array([[0.5, 0.5], [0.2, 0.8]]))
    s = score_arrays(ll, None, lp)
    assert s.posterior[:, 0] == pytest.approx([51 / 91, 51 / 211], abs=1e-14)
    assert s.ranking[:, 0].tolist() == [0, 1]


def test_score_codes_reads_the_documented_codes():
    m = Matrix(("H1", "H2"), (Row("E1", ("C", "I"), "high", "high"), Row("E2", ("II", "N"), "low", "medium")))
    codes, cred, rel, mask = encode([m])
    assert codes[0, 0].tolist() == [RATING_CODE["C"], RATING_CODE["I"]]
    assert cred[0].tolist() == [LEVEL_CODE["high"], LEVEL_CODE["low"]]
    s = score_codes(codes, cred, rel, mask)
    assert s.inconsistency[0].tolist() == [2, 1]
    assert s.weighted[0] == pytest.approx([-2 / math.sqrt(2), -2.0], abs=1e-15)
    assert s.unrated[0].tolist() == [False, False]
    assert s.diagnosticity[0, 0] == LOG_LIKELIHOOD[("high", "C")] - LOG_LIKELIHOOD[("high", "I")]


def test_score_batch_scores_many_incidents_quickly():
    rng = random.Random(1)
    ms = [Matrix(("H1", "H2", "H3"), tuple(
        Row(f"c{i}", tuple(rng.choice(CELLS) for _ in range(3)), rng.choice(LEVELS), rng.choice(LEVELS))
        for i in range(rng.randint(1, 12)))) for _ in range(20_000)]
    t0 = time.perf_counter()
    out = score_batch(ms)
    batch_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = [score(m) for m in ms[:2000]]
    ref_s = (time.perf_counter() - t0) * 10
    for k in range(0, 2000, 97):
        assert_same(out[k], ref[k])
    assert batch_s < ref_s / 2, (batch_s, ref_s)  # generous: typically 10x+ faster
