"""ACH scoring: the published fixtures, hand-computed numbers, the grades, and properties
that must hold for any matrix (the reference implementation, whopushed.reason.ach)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whopushed.ingest.achcsv import read_matrix
from whopushed.reason.ach import (LEVELS, LOG_LIKELIHOOD, Matrix, Row, likelihood, parse_credibility,
                                  parse_prior, parse_rating, parse_relevance, score)

FIXTURES = Path(__file__).parent / "fixtures"
CELLS = ("CC", "C", "N", "NA", "", "I", "II")


def matrix(hyps, *rows):
    """rows: (id, cells, credibility="medium", relevance="medium")."""
    return Matrix(tuple(hyps), tuple(Row(r[0], tuple(r[1]), *r[2:]) for r in rows))


def by_id(result):
    return {h.id: h for h in result.hypotheses}


# --- published fixtures ------------------------------------------------------------------

def test_open_source_ach_sample_scores_6_and_0_with_h2_on_top():
    m = read_matrix(FIXTURES / "osach_sample.csv")
    assert m.hypotheses == ("H1", "H2")
    assert [r.id for r in m.rows] == ["A", "B", "C", "D"]
    assert all(r.credibility == "medium" for r in m.rows)  # "Credible" reads as medium
    result = score(m)
    h = by_id(result)
    assert (h["H1"].inconsistency, h["H2"].inconsistency) == (6, 0)
    assert result.ranking == ("H2", "H1")
    assert h["H2"].posterior > h["H1"].posterior
    assert not h["H1"].unrated and not h["H2"].unrated


def test_heuer_iraq_rows_rank_h2_first_by_column_order_over_tied_h3():
    m = matrix(("H1", "H2", "H3"),
               ("Saddam's public statement", ("C", "C", "C")),
               ("Increased agent radio traffic", ("I", "C", "C")),
               ("Failure to retaliate = loss of face", ("II", "C", "C")))
    result = score(m)
    h = by_id(result)
    assert result.ranking == ("H2", "H3", "H1")  # TC 2-33.4: H2, then H3, finally H1
    assert h["H2"].posterior == h["H3"].posterior
    assert [h[x].inconsistency for x in ("H1", "H2", "H3")] == [3, 0, 0]
    statement = result.evidence[0]
    assert statement.diagnosticity == 0 and not statement.linchpin and statement.top_without == "H2"


# --- hand-computed numbers ---------------------------------------------------------------

def test_weighted_score_for_II_high_high_is_minus_4():
    result = score(matrix(("H1", "H2"), ("E", ("II", "C"), "high", "high")))
    assert by_id(result)["H1"].weighted == -4.0
    assert by_id(result)["H2"].weighted == 0.0


def test_weighted_score_for_I_medium_low_is_minus_one_over_root_two():
    result = score(matrix(("H1", "H2"), ("E", ("I", "C"), "medium", "low")))
    assert by_id(result)["H1"].weighted == pytest.approx(-0.70710678118654752, abs=1e-15)


def test_weighted_score_sums_rows_and_ignores_consistent_cells():
    result = score(matrix(("H1", "H2"),
                          ("E1", ("II", "CC"), "high", "high"),   # -4
                          ("E2", ("I", "I"), "low", "low"),       # -0.5 each
                          ("E3", ("C", "N"), "high", "low")))
    h = by_id(result)
    assert h["H1"].weighted == pytest.approx(-4.5, abs=1e-15)
    assert h["H2"].weighted == pytest.approx(-0.5, abs=1e-15)


def test_discounted_likelihoods_match_the_formula():
    assert likelihood("CC", "high") == pytest.approx(0.86)
    assert likelihood("C", "high") == pytest.approx(0.68)
    assert likelihood("II", "medium") == pytest.approx(0.22)
    assert likelihood("I", "low") == pytest.approx(0.40)
    for lvl in LEVELS:
        assert likelihood("N", lvl) == likelihood("NA", lvl) == likelihood("", lvl) == 0.5


# 2x2 by hand: E1 (high): C, I -> L' 0.68, 0.32; E2 (low): II, N -> L' 0.30, 0.50.
# H1: 0.68 * 0.30 = 0.204; H2: 0.32 * 0.50 = 0.16.
HAND = (("H1", "H2"), ("E1", ("C", "I"), "high"), ("E2", ("II", "N"), "low"))


def test_posterior_of_a_2x2_matrix_equals_the_hand_computation():
    result = score(matrix(*HAND))
    h = by_id(result)
    assert h["H1"].posterior == pytest.approx(0.204 / 0.364, abs=1e-14)  # 51/91
    assert h["H2"].posterior == pytest.approx(0.16 / 0.364, abs=1e-14)
    assert result.ranking == ("H1", "H2")


def test_posterior_of_a_2x2_matrix_with_a_prior_equals_the_hand_computation():
    result = score(matrix(*HAND), parse_prior("H1=0.2,H2=0.8", ("H1", "H2")))
    h = by_id(result)
    assert h["H1"].posterior == pytest.approx(0.0408 / 0.1688, abs=1e-14)  # 51/211
    assert result.ranking == ("H2", "H1")


def test_linchpin_and_top_without_of_a_2x2_matrix_by_hand():
    result = score(matrix(*HAND))
    e1, e2 = result.evidence
    # without E1 only E2 is left: 0.30 vs 0.50 -> H2 on top, so E1 is the linchpin
    assert (e1.linchpin, e1.top_without) == (True, "H2")
    assert (e2.linchpin, e2.top_without) == (False, "H1")
    assert e1.diagnosticity == pytest.approx(math.log(0.68 / 0.32), abs=1e-14)
    assert e2.diagnosticity == pytest.approx(math.log(0.5 / 0.3), abs=1e-14)


def test_prior_weighs_on_linchpins_too():
    result = score(matrix(*HAND), {"H1": 0.2, "H2": 0.8})
    assert [e.linchpin for e in result.evidence] == [False, False]
    assert [e.top_without for e in result.evidence] == ["H2", "H2"]


# --- diagnosticity: not Burton's --------------------------------------------------------

@pytest.mark.parametrize("rating", CELLS)
def test_a_row_rated_alike_everywhere_has_zero_diagnosticity_even_all_II(rating):
    result = score(matrix(("H1", "H2", "H3"), ("same", (rating,) * 3, "high", "high"),
                          ("split", ("C", "I", "II"), "high", "high")))
    assert result.evidence[0].diagnosticity == 0.0
    assert result.evidence[1].diagnosticity > 0


def test_the_row_that_separates_hypotheses_most_is_the_most_diagnostic():
    result = score(matrix(("H1", "H2"), ("all-II", ("II", "II")), ("CC-vs-II", ("CC", "II")),
                          ("C-vs-I", ("C", "I"))))
    d = {e.id: e.diagnosticity for e in result.evidence}
    assert d["all-II"] == 0 < d["C-vs-I"] < d["CC-vs-II"]


def test_credibility_shrinks_diagnosticity():
    d = [score(matrix(("H1", "H2"), ("E", ("CC", "II"), lvl))).evidence[0].diagnosticity for lvl in LEVELS]
    assert d[0] > d[1] > d[2] > 0


# --- unrated, NA, empty ------------------------------------------------------------------

def test_a_hypothesis_with_only_NA_or_empty_cells_is_unrated():
    result = score(matrix(("H1", "H2", "H3"), ("E1", ("NA", "C", "")), ("E2", ("", "NA", ""))))
    assert [h.unrated for h in result.hypotheses] == [True, False, True]


def test_NA_and_empty_count_as_N_in_every_score():
    rows = [("E1", ("II", "N")), ("E2", ("C", "N"))]
    base = score(matrix(("H1", "H2"), *rows))
    for blank in ("NA", ""):
        other = score(matrix(("H1", "H2"), *[(i, (c[0], blank)) for i, c in rows]))
        assert [h.posterior for h in other.hypotheses] == [h.posterior for h in base.hypotheses]
        assert [h.inconsistency for h in other.hypotheses] == [h.inconsistency for h in base.hypotheses]
        assert [h.weighted for h in other.hypotheses] == [h.weighted for h in base.hypotheses]
        assert other.evidence == base.evidence


def test_cells_in_any_letter_case_score_like_upper_case():
    lower = score(matrix(("H1", "H2"), ("E", ("ii", "cC"))))
    upper = score(matrix(("H1", "H2"), ("E", ("II", "CC"))))
    assert lower == upper


# --- zero rows, many rows ----------------------------------------------------------------

def test_a_matrix_without_rows_returns_the_prior_all_unrated_and_no_evidence():
    m = Matrix(("H1", "H2", "H3"), ())
    result = score(m)
    assert all(h.unrated and h.inconsistency == 0 and h.weighted == 0 for h in result.hypotheses)
    assert [h.posterior for h in result.hypotheses] == pytest.approx([1 / 3] * 3, abs=1e-15)
    assert result.evidence == () and result.ranking == ("H1", "H2", "H3")
    with_prior = score(m, {"H1": 1, "H2": 3, "H3": 4})
    assert [h.posterior for h in with_prior.hypotheses] == pytest.approx([0.125, 0.375, 0.5], abs=1e-15)
    assert with_prior.ranking == ("H3", "H2", "H1")


def test_hundreds_of_rows_do_not_underflow():
    rows = [(f"E{i}", ("II", "C", "I"), "high") for i in range(800)]
    result = score(matrix(("H1", "H2", "H3"), *rows))
    post = [h.posterior for h in result.hypotheses]
    assert all(math.isfinite(p) for p in post) and sum(post) == pytest.approx(1)
    assert post[1] == 1.0 and result.ranking[0] == "H2"
    assert 0.14 ** 800 == 0.0  # a product of likelihoods would underflow to 0/0 here


def test_hundreds_of_identical_rows_leave_identical_columns_tied():
    rows = [(f"E{i}", ("I", "I"), "low") for i in range(500)]
    result = score(matrix(("H1", "H2"), *rows))
    assert [h.posterior for h in result.hypotheses] == [0.5, 0.5]
    assert result.ranking == ("H1", "H2")


# --- ties ---------------------------------------------------------------------------------

def test_ties_go_to_the_earlier_column():
    result = score(matrix(("B", "A", "C"), ("E", ("C", "C", "I"))))
    assert result.ranking == ("B", "A", "C")
    result = score(matrix(("A", "B"), ("E1", ("C", "I")), ("E2", ("I", "C"))))
    assert result.ranking == ("A", "B")
    # without E1 (for A), B leads: E1 decides the tie-break; without E2, A leads anyway
    assert [e.linchpin for e in result.evidence] == [True, False]
    assert [e.top_without for e in result.evidence] == ["B", "A"]


# --- grades -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("high", ("high", False)), ("MEDIUM", ("medium", False)), (" Low ", ("low", False)),
    ("Credible", ("medium", False)), ("credible", ("medium", False)),
    ("A", ("high", False)), ("B", ("high", False)), ("C", ("medium", False)), ("D", ("low", False)),
    ("E", ("low", False)), ("F", ("medium", True)),
    ("1", ("high", False)), ("2", ("high", False)), ("3", ("medium", False)), ("4", ("low", False)),
    ("5", ("low", False)), ("6", ("medium", True)),
    ("B3", ("medium", False)), ("A5", ("low", False)), ("A1", ("high", False)), ("b2", ("high", False)),
    ("F1", ("medium", True)), ("A6", ("medium", True)), ("E6", ("low", True)), ("F6", ("medium", True)),
    ("D1", ("low", False)),
])
def test_credibility_maps_words_and_admiralty_codes(text, expected):
    assert parse_credibility(text) == expected


@pytest.mark.parametrize("text", ["", "G", "7", "0", "3B", "B33", "very high", "AB", "credibility"])
def test_credibility_refuses_unknown_grades_with_a_hint(text):
    with pytest.raises(ValueError, match="Admiralty"):
        parse_credibility(text)


def test_F_and_6_are_not_graded_below_E_and_5():
    # "cannot be judged" is not "worse than E": F counts as medium, above E's low
    assert LEVELS.index(parse_credibility("F")[0]) < LEVELS.index(parse_credibility("E")[0])
    assert LEVELS.index(parse_credibility("6")[0]) < LEVELS.index(parse_credibility("5")[0])


def test_admiralty_1_is_the_most_credible_not_6():
    assert parse_credibility("1")[0] == "high"
    assert parse_credibility("6") == ("medium", True)
    assert parse_credibility("5")[0] == "low"


@pytest.mark.parametrize("text, expected", [("high", "high"), ("Medium", "medium"), ("LOW", "low")])
def test_relevance_takes_high_medium_low(text, expected):
    assert parse_relevance(text) == expected


@pytest.mark.parametrize("text", ["A", "B3", "2", "F", "credible", "", "very"])
def test_relevance_refuses_admiralty_codes_and_other_words(text):
    with pytest.raises(ValueError, match="relevance"):
        parse_relevance(text)


def test_relevance_error_explains_that_admiralty_codes_do_not_grade_relevance():
    with pytest.raises(ValueError, match="not relevance"):
        parse_relevance("B2")


@pytest.mark.parametrize("text, expected", [
    ("CC", "CC"), ("c", "C"), (" n ", "N"), ("na", "NA"), ("Na", "NA"), ("i", "I"), ("iI", "II"),
    ("", ""), ("  ", "")])
def test_ratings_normalise_case_and_spaces(text, expected):
    assert parse_rating(text) == expected


@pytest.mark.parametrize("text", ["X", "III", "CCC", "+", "consistent", "N/A", "0"])
def test_unknown_ratings_are_refused_with_the_valid_ones_listed(text):
    with pytest.raises(ValueError, match="CC, C, N, NA, I or II"):
        parse_rating(text)


# --- priors -------------------------------------------------------------------------------

def test_prior_is_normalised_and_in_column_order():
    assert parse_prior("H2=3, H1=1", ("H1", "H2")) == {"H1": 0.25, "H2": 0.75}
    assert list(parse_prior("H2=3,H1=1", ("H1", "H2"))) == ["H1", "H2"]


@pytest.mark.parametrize("text, message", [
    ("H1=0.5", "does not name H2"),
    ("H1=0.5,H2=0.5,H3=1", "'H3', which is not a hypothesis"),
    ("H1=0.5,H1=0.5", "twice"),
    ("H1=0,H2=1", "positive"),
    ("H1=-1,H2=1", "positive"),
    ("H1=x,H2=1", "positive number"),
    ("H1=nan,H2=1", "positive"),
    ("H1=inf,H2=1", "positive"),
    ("H1 0.5,H2=0.5", "ID=NUMBER"),
    ("", "ID=NUMBER"),
    ("H1=,H2=1", "ID=NUMBER"),
])
def test_bad_priors_are_refused_clearly(text, message):
    with pytest.raises(ValueError, match=message):
        parse_prior(text, ("H1", "H2"))


def test_score_checks_a_mapping_prior_like_parse_prior():
    m = matrix(("H1", "H2"), ("E", ("C", "I")))
    with pytest.raises(ValueError, match="does not name H2"):
        score(m, {"H1": 1.0})
    with pytest.raises(ValueError, match="positive"):
        score(m, {"H1": 1.0, "H2": 0.0})


def test_score_refuses_malformed_matrices():
    with pytest.raises(ValueError, match="2 cells for 3 hypotheses"):
        score(matrix(("H1", "H2", "H3"), ("E", ("C", "I"))))
    with pytest.raises(ValueError, match="unique"):
        score(matrix(("H1", "H1"), ("E", ("C", "I"))))
    with pytest.raises(ValueError, match="at least one hypothesis"):
        score(Matrix((), ()))
    with pytest.raises(ValueError, match="unknown rating"):
        score(matrix(("H1", "H2"), ("E", ("C", "X"))))
    with pytest.raises(ValueError, match="credibility 'B2'"):
        score(matrix(("H1", "H2"), ("E", ("C", "I"), "B2")))


def test_to_json_has_the_documented_shape():
    data = score(matrix(*HAND)).to_json()
    assert list(data) == ["hypotheses", "evidence", "ranking"]
    assert list(data["hypotheses"][0]) == ["id", "inconsistency", "weighted", "posterior", "unrated"]
    assert list(data["evidence"][0]) == ["id", "diagnosticity", "linchpin", "top_without"]
    assert data["ranking"] == ["H1", "H2"]


# --- properties for any matrix ------------------------------------------------------------

@st.composite
def matrices(draw, max_h=4, max_rows=12, cells=st.sampled_from(CELLS)):
    h = draw(st.integers(1, max_h))
    n = draw(st.integers(0, max_rows))
    rows = []
    for i in range(n):
        row = draw(st.lists(cells, min_size=h, max_size=h))
        if h > 1 and draw(st.booleans()):  # copy a column now and then, for ties
            row[-1] = row[0]
        rows.append(Row(f"E{i}", tuple(row), draw(st.sampled_from(LEVELS)), draw(st.sampled_from(LEVELS))))
    return Matrix(tuple(f"H{j}" for j in range(1, h + 1)), tuple(rows))


def priors_for(m):
    return st.one_of(st.none(), st.fixed_dictionaries(
        {hyp: st.floats(0.01, 100) for hyp in m.hypotheses}))


@settings(max_examples=150, deadline=None)
@given(matrices(), st.data())
def test_posteriors_sum_to_one_for_any_matrix(m, data):
    result = score(m, data.draw(priors_for(m)))
    post = [h.posterior for h in result.hypotheses]
    assert sum(post) == pytest.approx(1, abs=1e-12)
    assert all(0 <= p <= 1 for p in post)
    assert sorted(result.ranking) == sorted(m.hypotheses)


@settings(max_examples=150, deadline=None)
@given(matrices(max_h=4).filter(lambda m: len(m.hypotheses) > 1), st.sampled_from(CELLS),
       st.sampled_from(LEVELS), st.integers(0, 12))
def test_adding_a_row_rated_alike_everywhere_changes_no_ranking_and_no_posterior(m, cell, cred, at):
    at = min(at, len(m.rows))
    alike = Row("alike", (cell,) * len(m.hypotheses), cred)
    bigger = Matrix(m.hypotheses, m.rows[:at] + (alike,) + m.rows[at:])
    before, after = score(m), score(bigger)
    assert after.evidence[at].diagnosticity == 0
    assert not after.evidence[at].linchpin
    assert after.ranking == before.ranking
    for a, b in zip(after.hypotheses, before.hypotheses):
        assert a.posterior == pytest.approx(b.posterior, abs=1e-12)
    rest = after.evidence[:at] + after.evidence[at + 1:]
    assert [(e.linchpin, e.top_without) for e in rest] == [(e.linchpin, e.top_without) for e in before.evidence]


@settings(max_examples=150, deadline=None)
@given(matrices(max_rows=10).filter(lambda m: m.rows), st.data())
def test_removing_a_row_gives_its_top_without_and_a_non_linchpin_keeps_the_top(m, data):
    prior = data.draw(priors_for(m))
    result = score(m, prior)
    for i, ev in enumerate(result.evidence):
        reduced = score(Matrix(m.hypotheses, m.rows[:i] + m.rows[i + 1:]), prior)
        assert reduced.ranking[0] == ev.top_without
        post = {h.id: h.posterior for h in reduced.hypotheses}
        strictly_ahead = post[ev.top_without] > post[result.ranking[0]] + 1e-9
        # a linchpin makes another hypothesis strictly the most likely; a mere tie does not
        assert ev.linchpin == (ev.top_without != result.ranking[0] and strictly_ahead)


@settings(max_examples=100, deadline=None)
@given(matrices())
def test_inconsistency_counts_I_as_one_and_II_as_two(m):
    result = score(m)
    for j, hs in enumerate(result.hypotheses):
        assert hs.inconsistency == sum({"I": 1, "II": 2}.get(r.cells[j], 0) for r in m.rows)
        assert hs.weighted <= 0
        assert (hs.weighted == 0) == (hs.inconsistency == 0)


@settings(max_examples=100, deadline=None)
@given(matrices())
def test_diagnosticity_is_the_spread_of_log_likelihoods(m):
    result = score(m)
    for row, ev in zip(m.rows, result.evidence):
        logs = [LOG_LIKELIHOOD[(row.credibility, c)] for c in row.cells]
        assert ev.diagnosticity == max(logs) - min(logs) >= 0
