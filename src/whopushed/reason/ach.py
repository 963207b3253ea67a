"""Analysis of Competing Hypotheses (ACH): three scores side by side, diagnosticity, linchpins.

Pure: no I/O. A `Matrix` holds hypotheses (columns) and evidence rows; each cell rates how
consistent one item of evidence is with one hypothesis (Heuer's CC, C, N, NA, I, II, or
empty for "not rated"). `score()` reports, per hypothesis:

- **inconsistency** (Heuer): the sum over rows of I = 1, II = 2; the lower, the better;
- **weighted** (PARC ACH): the sum of w(credibility) x w(relevance) x c, with
  w(low) = 1/sqrt(2), w(medium) = 1, w(high) = sqrt(2) and c = -2 for II, -1 for I, 0
  otherwise; the closer to 0, the better. The product of two weights is 2^((a+b)/2) with
  a, b in {-1, 0, 1}, computed as such, so II high/high is exactly -4;
- **posterior**: each cell is a likelihood L (CC 0.9, C 0.7, N 0.5, I 0.3, II 0.1),
  discounted by the row's credibility r (high 0.9, medium 0.7, low 0.5) as
  L' = r*L + (1-r)*0.5; rows combine as independent evidence (the product of the L')
  from a uniform prior unless one is given, normalised to sum to 1. Computed in log space
  (sum of ln L' and ln prior, then a stable softmax), so hundreds of rows do not underflow.

NA and empty cells count as N everywhere; a hypothesis with no cell other than NA/empty is
`unrated`. The ranking and the linchpins follow the posterior. Ties (posteriors within
`TIE_TOLERANCE`, 1e-9) go to the earlier column: the ranking is built by repeatedly
taking, among the hypotheses not yet ranked, the first column whose posterior is within
the tolerance of their largest posterior.

Per row: **diagnosticity** = max ln L' - min ln L' over the hypotheses (a row rated alike
for every hypothesis has 0 and changes no ranking; unlike Burton's Open Source ACH, an
all-II row is *not* diagnostic), and whether it is a **linchpin**: without the row another
hypothesis becomes *strictly* the most likely (its posterior exceeds the present top's by
more than the tolerance). `top_without` names the most likely hypothesis without the row,
under the same tie rule; a row whose removal only leaves the top tied with an earlier column
has that column as `top_without` but is not a linchpin.

The grades: credibility is high|medium|low, "credible" (the Open Source ACH word, read as
medium) or an Admiralty code (A,B high; C medium; D,E low; 1,2 high; 3 medium; 4,5 low;
F and 6 "cannot be judged": medium, flagged; a two-part code such as B3 takes the lower of
its parts). Relevance is high|medium|low only. See docs/ach.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

Level = Literal["high", "medium", "low"]
LEVELS: tuple[Level, ...] = ("high", "medium", "low")

#: The cell ratings, normalised, in a fixed order (ach_batch codes them by this index).
RATINGS: tuple[str, ...] = ("CC", "C", "N", "NA", "", "I", "II")
#: Cells that say nothing: they count as N, and a column of only these is unrated.
UNRATED_CELLS = frozenset({"NA", ""})

LIKELIHOOD: dict[str, float] = {"CC": 0.9, "C": 0.7, "N": 0.5, "NA": 0.5, "": 0.5, "I": 0.3, "II": 0.1}
#: r, the weight the row's credibility gives its likelihoods (the rest goes to 0.5).
RELIABILITY: dict[str, float] = {"high": 0.9, "medium": 0.7, "low": 0.5}
#: Heuer's inconsistency points.
INCONSISTENCY: dict[str, int] = {"CC": 0, "C": 0, "N": 0, "NA": 0, "": 0, "I": 1, "II": 2}
#: PARC's consistency value c.
CONSISTENCY: dict[str, int] = {"CC": 0, "C": 0, "N": 0, "NA": 0, "": 0, "I": -1, "II": -2}
#: PARC weights: w = 2^(step/2), step high 1, medium 0, low -1.
_STEP: dict[str, int] = {"high": 1, "medium": 0, "low": -1}
WEIGHT: dict[str, float] = {lvl: 2.0 ** (s / 2) for lvl, s in _STEP.items()}

TIE_TOLERANCE = 1e-9


def weight_product(credibility: Level, relevance: Level) -> float:
    """w(credibility) x w(relevance) = 2^((a+b)/2), exact for high/high (2) and high/low (1)."""
    return 2.0 ** ((_STEP[credibility] + _STEP[relevance]) / 2)


def likelihood(rating: str, credibility: Level) -> float:
    """L' = r*L + (1-r)*0.5 for a normalised rating and a credibility level."""
    r = RELIABILITY[credibility]
    return r * LIKELIHOOD[rating] + (1 - r) * 0.5


#: ln L' for every (credibility, rating): the one table both score() and ach_batch use.
LOG_LIKELIHOOD: dict[tuple[str, str], float] = {
    (lvl, rating): math.log(likelihood(rating, lvl)) for lvl in LEVELS for rating in RATINGS}
#: w(credibility) x w(relevance) for every pair.
WEIGHT_PRODUCT: dict[tuple[str, str], float] = {
    (c, r): weight_product(c, r) for c in LEVELS for r in LEVELS}


@dataclass(frozen=True)
class Row:
    id: str
    cells: tuple[str, ...]          # normalised ratings: "CC","C","N","NA","I","II" or "" (one per hypothesis)
    credibility: Level = "medium"
    relevance: Level = "medium"
    description: str = ""
    cannot_be_judged: bool = False


@dataclass(frozen=True)
class Matrix:
    hypotheses: tuple[str, ...]
    rows: tuple[Row, ...]


# --- parsing the words people write -------------------------------------------------------

_RATING_WORDS = {r.lower(): r for r in RATINGS}
_RELIABILITY_LETTER: dict[str, Level | None] = {
    "A": "high", "B": "high", "C": "medium", "D": "low", "E": "low", "F": None}
_CREDIBILITY_DIGIT: dict[str, Level | None] = {
    "1": "high", "2": "high", "3": "medium", "4": "low", "5": "low", "6": None}


def parse_rating(text: str) -> str:
    """A cell as written (any letter case, spaces around) -> "CC", "C", "N", "NA", "I", "II" or ""."""
    rating = _RATING_WORDS.get(text.strip().lower())
    if rating is None:
        raise ValueError(f"unknown rating {text!r}: use CC, C, N, NA, I or II "
                         "(very consistent ... very inconsistent), or leave the cell empty")
    return rating


def parse_credibility(text: str) -> tuple[Level, bool]:
    """A credibility grade -> (level, cannot_be_judged).

    high | medium | low (any case); "credible" (Open Source ACH) = medium; or an Admiralty
    code: a source-reliability letter A-F, an information-credibility digit 1-6, or both
    (B3), which takes the lower of the two. F and 6 mean "cannot be judged": medium, flagged.
    """
    word = text.strip()
    low = word.lower()
    if low in LEVELS:
        return low, False  # type: ignore[return-value]
    if low == "credible":
        return "medium", False
    code = word.upper()
    parts: list[Level | None] = []
    if len(code) == 1 and code in _RELIABILITY_LETTER:
        parts = [_RELIABILITY_LETTER[code]]
    elif len(code) == 1 and code in _CREDIBILITY_DIGIT:
        parts = [_CREDIBILITY_DIGIT[code]]
    elif len(code) == 2 and code[0] in _RELIABILITY_LETTER and code[1] in _CREDIBILITY_DIGIT:
        parts = [_RELIABILITY_LETTER[code[0]], _CREDIBILITY_DIGIT[code[1]]]
    else:
        raise ValueError(f"unknown credibility {text!r}: use high, medium or low, or an Admiralty "
                         "code: a letter A-F (source reliability), a digit 1-6 (information "
                         "credibility) or both, e.g. B2 (F and 6 mean 'cannot be judged')")
    flagged = any(p is None for p in parts)
    levels = [p or "medium" for p in parts]
    return max(levels, key=LEVELS.index), flagged


def parse_relevance(text: str) -> Level:
    """A relevance grade: high, medium or low (any case). Admiralty codes grade sources and
    information, not relevance, and are refused."""
    low = text.strip().lower()
    if low in LEVELS:
        return low  # type: ignore[return-value]
    hint = ""
    if low.upper() in _RELIABILITY_LETTER or low in _CREDIBILITY_DIGIT or (
            len(low) == 2 and low[0].upper() in _RELIABILITY_LETTER and low[1] in _CREDIBILITY_DIGIT):
        hint = " (Admiralty codes grade a source or a claim's credibility, not relevance)"
    raise ValueError(f"unknown relevance {text!r}: use high, medium or low{hint}")


def _check_prior(items: Sequence[tuple[str, float]], hypotheses: Sequence[str]) -> dict[str, float]:
    known = list(hypotheses)
    ids = ", ".join(known)
    seen: dict[str, float] = {}
    for name, value in items:
        if name not in known:
            raise ValueError(f"prior names {name!r}, which is not a hypothesis here (hypotheses: {ids})")
        if name in seen:
            raise ValueError(f"prior names {name!r} twice; name every hypothesis once")
        if not (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value) and value > 0):
            raise ValueError(f"prior for {name!r} is {value!r}; it must be a positive number")
        seen[name] = float(value)
    missing = [h for h in known if h not in seen]
    if missing:
        raise ValueError(f"prior does not name {', '.join(missing)}; name every hypothesis once "
                         f"with a positive number, e.g. " + ",".join(f"{h}=1" for h in known))
    total = sum(seen[h] for h in known)
    return {h: seen[h] / total for h in known}


def parse_prior(text: str, hypotheses: Sequence[str]) -> dict[str, float]:
    """`H1=0.2,H2=0.8` -> {"H1": 0.2, "H2": 0.8}, in column order, normalised to sum 1.

    Every hypothesis must be named exactly once with a positive number; anything else is a
    ValueError that says what is wrong.
    """
    items: list[tuple[str, float]] = []
    for part in text.split(","):
        name, eq, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not value:
            raise ValueError(f"prior part {part.strip()!r} is not of the form ID=NUMBER "
                             f"(e.g. {','.join(f'{h}=1' for h in hypotheses)})")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"prior for {name!r} is {value!r}; it must be a positive number") from None
        items.append((name, number))
    return _check_prior(items, hypotheses)


# --- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class HypothesisScore:
    id: str
    inconsistency: int
    weighted: float
    posterior: float
    unrated: bool


@dataclass(frozen=True)
class EvidenceScore:
    id: str
    diagnosticity: float
    linchpin: bool
    top_without: str


@dataclass(frozen=True)
class AchResult:
    hypotheses: tuple[HypothesisScore, ...]   # in column order
    evidence: tuple[EvidenceScore, ...]       # in row order
    ranking: tuple[str, ...]                  # most likely first

    def to_json(self) -> dict:
        return {
            "hypotheses": [{"id": h.id, "inconsistency": h.inconsistency, "weighted": h.weighted,
                            "posterior": h.posterior, "unrated": h.unrated} for h in self.hypotheses],
            "evidence": [{"id": e.id, "diagnosticity": e.diagnosticity, "linchpin": e.linchpin,
                          "top_without": e.top_without} for e in self.evidence],
            "ranking": list(self.ranking),
        }


# --- the reference scorer ----------------------------------------------------------------

def _level(value: str, what: str, row: str) -> Level:
    low = value.lower() if isinstance(value, str) else value
    if low not in LEVELS:
        raise ValueError(f"row {row!r}: {what} {value!r} is not high, medium or low")
    return low


def check_matrix(matrix: Matrix) -> None:
    """ValueError unless the matrix has at least one hypothesis, no duplicate hypothesis,
    one cell per hypothesis in every row, known ratings and high/medium/low grades."""
    hyps = matrix.hypotheses
    if not hyps:
        raise ValueError("a matrix needs at least one hypothesis")
    if len(set(hyps)) != len(hyps):
        dup = sorted({h for h in hyps if hyps.count(h) > 1})
        raise ValueError(f"hypothesis ids must be unique; repeated: {', '.join(dup)}")
    for row in matrix.rows:
        if len(row.cells) != len(hyps):
            raise ValueError(f"row {row.id!r} has {len(row.cells)} cells for {len(hyps)} hypotheses")


def softmax(values: Sequence[float]) -> list[float]:
    """exp(v) / sum exp(v), stably (the largest value is subtracted first)."""
    m = max(values)
    exps = [math.exp(v - m) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def ranking_order(posterior: Sequence[float], tolerance: float = TIE_TOLERANCE) -> list[int]:
    """Column indices, most likely first: repeatedly the first remaining column whose
    posterior is within `tolerance` of the largest remaining posterior."""
    remaining = list(range(len(posterior)))
    order: list[int] = []
    while remaining:
        m = max(posterior[j] for j in remaining)
        pick = next(j for j in remaining if posterior[j] >= m - tolerance)
        order.append(pick)
        remaining.remove(pick)
    return order


def top_index(posterior: Sequence[float], tolerance: float = TIE_TOLERANCE) -> int:
    """The first column whose posterior is within `tolerance` of the largest."""
    m = max(posterior)
    return next(j for j, p in enumerate(posterior) if p >= m - tolerance)


def log_prior(hypotheses: Sequence[str], prior: Mapping[str, float] | None) -> list[float]:
    """ln of the prior, normalised, in column order (uniform when None)."""
    if prior is None:
        return [math.log(1.0 / len(hypotheses))] * len(hypotheses)
    checked = _check_prior(list(prior.items()), hypotheses)
    return [math.log(checked[h]) for h in hypotheses]


def score(matrix: Matrix, prior: Mapping[str, float] | None = None) -> AchResult:
    """Score an ACH matrix: the reference implementation, in plain Python.

    `prior` maps every hypothesis to a positive number (normalised here); None is uniform.
    A matrix with no rows is scored too: the posterior is the prior, every hypothesis is
    unrated and there is no evidence. Cells are normalised with parse_rating (any case);
    credibility and relevance must be high, medium or low (any case). ValueError otherwise.
    """
    check_matrix(matrix)
    hyps = matrix.hypotheses
    h = len(hyps)
    lp = log_prior(hyps, prior)

    rows = []
    for row in matrix.rows:
        cells = tuple(c if c in LIKELIHOOD else parse_rating(c) for c in row.cells)
        cred = _level(row.credibility, "credibility", row.id)
        rel = _level(row.relevance, "relevance", row.id)
        rows.append((row.id, cells, cred, rel))

    loglik = [[LOG_LIKELIHOOD[(cred, c)] for c in cells] for _, cells, cred, _ in rows]
    totals = [lp[j] + sum(ll[j] for ll in loglik) for j in range(h)]
    posterior = softmax(totals)
    order = ranking_order(posterior)
    top = order[0]

    hyp_scores = []
    for j, name in enumerate(hyps):
        inconsistency = sum(INCONSISTENCY[cells[j]] for _, cells, _, _ in rows)
        weighted = sum((WEIGHT_PRODUCT[(cred, rel)] * CONSISTENCY[cells[j]] for _, cells, cred, rel in rows), 0.0)
        unrated = all(cells[j] in UNRATED_CELLS for _, cells, _, _ in rows)
        hyp_scores.append(HypothesisScore(name, inconsistency, weighted, posterior[j], unrated))

    evidence = []
    for i, (row_id, _, _, _) in enumerate(rows):
        diagnosticity = max(loglik[i]) - min(loglik[i])
        without = [lp[j] + sum(ll[j] for k, ll in enumerate(loglik) if k != i) for j in range(h)]
        post_without = softmax(without)
        top_without = top_index(post_without)
        linchpin = top_without != top and post_without[top_without] > post_without[top] + TIE_TOLERANCE
        evidence.append(EvidenceScore(row_id, diagnosticity, linchpin, hyps[top_without]))

    return AchResult(tuple(hyp_scores), tuple(evidence), tuple(hyps[j] for j in order))
