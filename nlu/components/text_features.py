"""Features shared by the intent classifier and the scale reader: TF-IDF over character
n-grams of folded text (robust to typos and missing å/ä/ö), joined with a weighted
multilingual-e5 sentence embedding (which carries meaning across wordings and languages)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip()


def char_vectorizer(min_ngram: int = 2, max_ngram: int = 5) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", preprocessor=fold, sublinear_tf=True,
                           ngram_range=(min_ngram, max_ngram))


def joined(sparse, embeddings: np.ndarray, embedding_weight: float):
    """Character n-grams and the weighted sentence embedding side by side."""
    return hstack([sparse, csr_matrix(np.asarray(embeddings) * embedding_weight)])
