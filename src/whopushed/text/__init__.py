"""Text helpers shared by storage and extraction: script- and spelling-blind folding."""

from .fold import WORDS_CACHED, Term, fold, fold_word, folded_contains, query_terms, stem, words

__all__ = ["WORDS_CACHED", "Term", "fold", "fold_word", "folded_contains", "query_terms", "stem", "words"]
