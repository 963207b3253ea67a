"""ACH scoring for very many matrices at once (one per incident), vectorised with numpy.

`score_batch(matrices)` gives the same answers as `ach.score` on each matrix:

- rankings, linchpins, top_without, unrated and inconsistency are identical;
- posterior, weighted and diagnosticity agree within 1e-12 (absolute): both read ln L'
  and the weights from the same tables (ach.LOG_LIKELIHOOD, ach.WEIGHT_PRODUCT), so
  diagnosticity is in fact bit-identical; sums and exponentials may be done in another
  order, and the leave-one-out here is "total minus the row" rather than a fresh sum, which
  moves the last bits only. The tie rule (posteriors within 1e-9 go to the earlier column)
  absorbs those last bits, so exact ties decide alike.

How: matrices are grouped by hypothesis count and by row count rounded up to a power of
two, padded into 3-D arrays of ln L' (held hypothesis x row x matrix inside, so that
reductions run over contiguous planes) where padding rows count 0, and scored in
whole-array operations: sums, a stable softmax, per-row diagnosticity,
the top hypothesis and, per row, the top without it (leave-one-out = total - row). No
Python loop runs per row or per cell in the scoring; building the arrays from the
dataclasses and the result objects back is a lean pass over them.

Lower levels, for callers that already hold arrays:
- `score_codes(codes, credibility, relevance, mask, logprior)`: integer-coded cells and
  grades -> every score (`CodeScores`);
- `score_arrays(loglik, mask, logprior)`: ln L' -> posterior, ranking, diagnosticity,
  top_without and linchpin (`ArrayScores`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import chain
from operator import attrgetter
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from ..gcpause import collector_paused
from .ach import (CONSISTENCY, INCONSISTENCY, LEVELS, LOG_LIKELIHOOD, RATINGS, TIE_TOLERANCE,
                  UNRATED_CELLS, WEIGHT_PRODUCT, AchResult, EvidenceScore, HypothesisScore,
                  Matrix, check_matrix, log_prior, parse_rating)

#: Cell codes: the index in ach.RATINGS ("CC","C","N","NA","","I","II").
RATING_CODE: dict[str, int] = {r: i for i, r in enumerate(RATINGS)}
#: Grade codes: 0 high, 1 medium, 2 low.
LEVEL_CODE: dict[str, int] = {lvl: i for i, lvl in enumerate(LEVELS)}
PAD_CODE = RATING_CODE[""]

#: ln L' by [credibility code, rating code].
LOGLIK_TABLE = np.array([[LOG_LIKELIHOOD[(lvl, r)] for r in RATINGS] for lvl in LEVELS])
INCONSISTENCY_TABLE = np.array([INCONSISTENCY[r] for r in RATINGS], dtype=np.int64)
CONSISTENCY_TABLE = np.array([CONSISTENCY[r] for r in RATINGS], dtype=np.float64)
RATED_TABLE = np.array([r not in UNRATED_CELLS for r in RATINGS])
#: w(credibility) x w(relevance) by [credibility code, relevance code].
WEIGHT_TABLE = np.array([[WEIGHT_PRODUCT[(c, r)] for r in LEVELS] for c in LEVELS])

# Lookups that accept any letter case, so the common path needs no parse_rating call.
_CELL_ANY_CASE: dict[str, int] = {}
for _r, _code in RATING_CODE.items():
    for _n in range(1 << len(_r)):
        _CELL_ANY_CASE["".join(ch.lower() if _n >> k & 1 else ch for k, ch in enumerate(_r))] = _code
_LEVEL_ANY_CASE: dict[str, int] = {}
for _lvl, _code in LEVEL_CODE.items():
    for _v in (_lvl, _lvl.upper(), _lvl.capitalize()):
        _LEVEL_ANY_CASE[_v] = _code

_cells_of = attrgetter("cells")
_credibility_of = attrgetter("credibility")
_relevance_of = attrgetter("relevance")

#: Elements (matrices x padded rows x hypotheses) scored per chunk, to bound memory.
CHUNK_ELEMENTS = 1 << 18


class ArrayScores(NamedTuple):
    posterior: np.ndarray      # (n, h) float
    ranking: np.ndarray        # (n, h) column indices, most likely first
    diagnosticity: np.ndarray  # (n, rows) float; 0 on padding rows
    top_without: np.ndarray    # (n, rows) column index; the top itself on padding rows
    linchpin: np.ndarray       # (n, rows) bool; False on padding rows


class CodeScores(NamedTuple):
    posterior: np.ndarray
    ranking: np.ndarray
    diagnosticity: np.ndarray
    top_without: np.ndarray
    linchpin: np.ndarray
    inconsistency: np.ndarray  # (n, h) int
    weighted: np.ndarray       # (n, h) float
    unrated: np.ndarray        # (n, h) bool


# Inside, arrays are laid out hypothesis-first, (h, rows, n), so that every reduction over
# hypotheses or rows adds whole contiguous planes: fast, and in the same order as the plain
# Python sums of ach.score (left to right).

def _softmax0(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=0))
    return e / e.sum(axis=0)


def _first_true0(cand: np.ndarray) -> np.ndarray:
    """Index of the first True along axis 0 (one must be True; h passes, not a loop per cell)."""
    idx = np.full(cand.shape[1:], cand.shape[0] - 1, dtype=np.intp)
    for j in range(cand.shape[0] - 2, -1, -1):
        np.putmask(idx, cand[j], j)
    return idx


def _top0(p: np.ndarray, tolerance: float) -> np.ndarray:
    """The first hypothesis whose posterior is within `tolerance` of the largest."""
    return _first_true0(p >= p.max(axis=0) - tolerance)


def _ranking0(p: np.ndarray, tolerance: float) -> np.ndarray:
    """(h, n) posteriors -> (h, n) column indices by rank, as ach.ranking_order."""
    h, n = p.shape
    remaining = np.ones((h, n), dtype=bool)
    order = np.empty((h, n), dtype=np.intp)
    cols = np.arange(n)
    for k in range(h):  # one pass per rank, over all matrices at once
        m = np.where(remaining, p, -np.inf).max(axis=0)
        pick = _first_true0(remaining & (p >= m - tolerance))
        order[k] = pick
        remaining[pick, cols] = False
    return order


def _score0(ll: np.ndarray, mask: np.ndarray, lp: np.ndarray, tolerance: float):
    """ll (h, rows, n) with 0 on padding rows; mask (rows, n); lp (h, n) or (h, 1)."""
    total = lp + ll.sum(axis=1)
    posterior = _softmax0(total)
    ranking = _ranking0(posterior, tolerance)
    diagnosticity = ll.max(axis=0) - ll.min(axis=0)
    post_without = _softmax0(total[:, None, :] - ll)
    top_without = _top0(post_without, tolerance)
    # a linchpin makes another hypothesis strictly more likely than the present top
    p_new = np.take_along_axis(post_without, top_without[None], axis=0)[0]
    p_top = np.take_along_axis(post_without, np.broadcast_to(ranking[0], top_without.shape)[None], axis=0)[0]
    linchpin = (top_without != ranking[0]) & (p_new > p_top + tolerance) & mask
    return posterior, ranking, diagnosticity, top_without, linchpin


def _log_prior0(logprior, n: int, h: int) -> np.ndarray:
    if logprior is None:
        return np.full((h, 1), math.log(1.0 / h))
    lp = np.asarray(logprior, dtype=np.float64)
    return lp.reshape(h, 1) if lp.ndim == 1 else np.ascontiguousarray(lp.T)


def _check_shapes(n: int, rows: int, h: int, mask, logprior) -> None:
    if h < 1:
        raise ValueError("at least one hypothesis is needed")
    if mask is not None and mask.shape != (n, rows):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, rows)}")
    if logprior is not None and np.shape(logprior) not in ((h,), (n, h)):
        raise ValueError(f"logprior has shape {np.shape(logprior)}, expected {(h,)} or {(n, h)}")


def score_arrays(loglik: np.ndarray, mask: np.ndarray | None = None,
                 logprior: np.ndarray | None = None, *,
                 tolerance: float = TIE_TOLERANCE) -> ArrayScores:
    """Posterior, ranking, diagnosticity, top_without and linchpin from ln L'.

    loglik: (n, rows, h) ln L' per cell. mask: (n, rows) bool, True for real rows (None:
    all real); padding rows contribute 0 whatever loglik holds there. logprior: (h,) or
    (n, h) ln prior (None: uniform); it need not be normalised. The arrays returned are
    indexed as documented in ArrayScores (they may be transposed views).
    """
    loglik = np.asarray(loglik, dtype=np.float64)
    n, rows, h = loglik.shape
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    _check_shapes(n, rows, h, mask, logprior)
    mask0 = np.ones((rows, n), dtype=bool) if mask is None else mask.T
    ll = loglik.transpose(2, 1, 0)
    ll = np.ascontiguousarray(ll) if mask is None else np.where(mask0, ll, 0.0)  # padding -> 0
    post, rank, diag, top_without, linchpin = _score0(ll, mask0, _log_prior0(logprior, n, h), tolerance)
    return ArrayScores(post.T, rank.T, diag.T, top_without.T, linchpin.T)


def score_codes(codes: np.ndarray, credibility: np.ndarray, relevance: np.ndarray,
                mask: np.ndarray | None = None, logprior: np.ndarray | None = None, *,
                tolerance: float = TIE_TOLERANCE) -> CodeScores:
    """Every score from integer codes.

    codes: (n, rows, h) cell codes (RATING_CODE: index in ach.RATINGS). credibility,
    relevance: (n, rows) grade codes (LEVEL_CODE: 0 high, 1 medium, 2 low). mask and
    logprior as in score_arrays.
    """
    codes = np.asarray(codes)
    n, rows, h = codes.shape
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    _check_shapes(n, rows, h, mask, logprior)
    mask0 = np.ones((rows, n), dtype=bool) if mask is None else np.ascontiguousarray(mask.T)
    codes0 = np.where(mask0, codes.transpose(2, 1, 0), PAD_CODE)  # padding: no points, not rated
    cred0 = np.asarray(credibility, dtype=np.intp).T
    rel0 = np.asarray(relevance, dtype=np.intp).T
    ll = np.where(mask0, LOGLIK_TABLE[cred0[None, :, :], codes0], 0.0)
    post, rank, diag, top_without, linchpin = _score0(ll, mask0, _log_prior0(logprior, n, h), tolerance)
    inconsistency = INCONSISTENCY_TABLE[codes0].sum(axis=1)
    weighted = (WEIGHT_TABLE[cred0, rel0] * CONSISTENCY_TABLE[codes0]).sum(axis=1)
    unrated = ~RATED_TABLE[codes0].any(axis=1)
    return CodeScores(post.T, rank.T, diag.T, top_without.T, linchpin.T,
                      inconsistency.T, weighted.T, unrated.T)


def _bucket(rows: int) -> int:
    return 0 if rows == 0 else 1 << (rows - 1).bit_length()


def _cell_codes(cells: list[str]) -> np.ndarray:
    try:
        return np.fromiter(map(_CELL_ANY_CASE.__getitem__, cells), dtype=np.int8, count=len(cells))
    except KeyError:  # spaces or an unknown rating: the slow path, with parse_rating's message
        return np.array([RATING_CODE[parse_rating(c)] for c in cells], dtype=np.int8)


def _level_codes(values: list[str], what: str) -> np.ndarray:
    try:
        return np.fromiter(map(_LEVEL_ANY_CASE.__getitem__, values), dtype=np.int8, count=len(values))
    except (KeyError, TypeError):
        for v in values:
            if not isinstance(v, str) or v.lower() not in LEVEL_CODE:
                raise ValueError(f"{what} {v!r} is not high, medium or low") from None
        return np.array([LEVEL_CODE[v.lower()] for v in values], dtype=np.int8)


def encode(matrices: Sequence[Matrix], rows: int | None = None):
    """(codes, credibility, relevance, mask) arrays for matrices with one hypothesis count,
    padded to `rows` rows (default: the most any of them has)."""
    h = len(matrices[0].hypotheses)
    counts = np.fromiter((len(m.rows) for m in matrices), dtype=np.intp, count=len(matrices))
    width = int(counts.max(initial=0)) if rows is None else rows
    flat = [r for m in matrices for r in m.rows]
    row_cells = list(map(_cells_of, flat))
    if flat and set(map(len, row_cells)) != {h}:
        bad = next(r for r in flat if len(r.cells) != h)
        raise ValueError(f"row {bad.id!r} has {len(bad.cells)} cells for {h} hypotheses")
    n = len(matrices)
    codes = np.full((n, width, h), PAD_CODE, dtype=np.int8)
    cred = np.ones((n, width), dtype=np.int8)
    rel = np.ones((n, width), dtype=np.int8)
    mask = np.zeros((n, width), dtype=bool)
    if flat:
        which = np.repeat(np.arange(n), counts)
        starts = np.cumsum(counts) - counts
        where = np.arange(len(flat)) - np.repeat(starts, counts)
        codes[which, where] = _cell_codes(list(chain.from_iterable(row_cells))).reshape(len(flat), h)
        cred[which, where] = _level_codes(list(map(_credibility_of, flat)), "credibility")
        rel[which, where] = _level_codes(list(map(_relevance_of, flat)), "relevance")
        mask[which, where] = True
    return codes, cred, rel, mask


def _log_priors(matrices: Sequence[Matrix], prior) -> list[tuple[float, ...]]:
    """ln prior per matrix, computed once per distinct (prior, hypotheses) pair."""
    if prior is None or isinstance(prior, Mapping):
        priors = [prior] * len(matrices)
    else:
        priors = list(prior)
        if len(priors) != len(matrices):
            raise ValueError(f"{len(priors)} priors for {len(matrices)} matrices")
    cache: dict[tuple[int, tuple[str, ...]], tuple[float, ...]] = {}
    out = []
    for m, p in zip(matrices, priors):
        key = (id(p), m.hypotheses)
        if key not in cache:
            cache[key] = tuple(log_prior(m.hypotheses, p))
        out.append(cache[key])
    return out


def score_batch(matrices: Sequence[Matrix],
                prior: Mapping[str, float] | Sequence[Mapping[str, float] | None] | None = None,
                ) -> list[AchResult]:
    """ach.score for every matrix, vectorised; results in the order given.

    prior: None (uniform), one mapping for all matrices (it must name each matrix's
    hypotheses), or a sequence of one mapping-or-None per matrix.

    Equal to ach.score on each matrix: rankings, linchpins, top_without, unrated and
    inconsistency identical; posterior, weighted and diagnosticity within 1e-12.
    """
    matrices = list(matrices)
    for m in matrices:
        if not m.hypotheses or len(set(m.hypotheses)) != len(m.hypotheses):
            check_matrix(m)  # raises with the message
    logpriors = _log_priors(matrices, prior)

    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, m in enumerate(matrices):
        groups[(len(m.hypotheses), _bucket(len(m.rows)))].append(i)

    results: list[AchResult | None] = [None] * len(matrices)
    # millions of small acyclic results: paused, decoding runs about three times faster
    with collector_paused():
        _score_groups(matrices, groups, logpriors, results)
    return results  # type: ignore[return-value]


def _score_groups(matrices, groups, logpriors, results) -> None:
    for (h, width), members in groups.items():
        step = max(1, CHUNK_ELEMENTS // max(1, width * h))
        for start in range(0, len(members), step):
            idx = members[start:start + step]
            chunk = [matrices[i] for i in idx]
            codes, cred, rel, mask = encode(chunk, width)
            lp = np.array([logpriors[i] for i in idx], dtype=np.float64).reshape(len(idx), h)
            s = score_codes(codes, cred, rel, mask, lp)
            _decode(chunk, idx, s, results)


def _decode(chunk: list[Matrix], idx: list[int], s: CodeScores, results: list) -> None:
    """AchResults from the arrays: flat lists first (real rows only), then one slice per matrix."""
    n, h = s.posterior.shape
    names = [hyp for m in chunk for hyp in m.hypotheses]
    base = np.arange(n)[:, None] * h
    counts = [len(m.rows) for m in chunk]
    width = s.diagnosticity.shape[1]
    mask = np.arange(width)[None, :] < np.array(counts, dtype=np.intp)[:, None]
    hyp_scores = list(map(HypothesisScore, names, s.inconsistency.ravel().tolist(), s.weighted.ravel().tolist(),
                          s.posterior.ravel().tolist(), s.unrated.ravel().tolist()))
    ranked = list(map(names.__getitem__, (s.ranking + base).ravel().tolist()))
    row_ids = [r.id for m in chunk for r in m.rows]
    tops = list(map(names.__getitem__, (s.top_without + base)[mask].tolist()))
    ev_scores = list(map(EvidenceScore, row_ids, s.diagnosticity[mask].tolist(), s.linchpin[mask].tolist(), tops))
    start = 0
    for k, (i, nr) in enumerate(zip(idx, counts)):
        lo = k * h
        results[i] = AchResult(tuple(hyp_scores[lo:lo + h]), tuple(ev_scores[start:start + nr]),
                               tuple(ranked[lo:lo + h]))
        start += nr
