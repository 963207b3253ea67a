"""Text helpers shared by storage and extraction: script- and spelling-blind folding."""

from .fold import Term, fold, fold_word, folded_contains, query_terms, stem, words

__all__ = ["Term", "fold", "fold_word", "folded_contains", "query_terms", "stem", "words"]
