"""How well the theme classifier works: k-fold cross-validation on the training examples
(thresholds tuned inside each training fold) and the held-out file, never trained on.

    brukarrost themes evaluate [--folds 5] [--features both|tfidf|e5] [--heldout]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from bot.analytics import theme_data
from bot.analytics.themes import ThemeClassifier, embed, label_matrix

TARGET = 0.80


@dataclass
class ThemeReport:
    ids: list[str]
    per_theme: dict[str, tuple[float, float, float, int]]  # precision, recall, F1, support
    exact: float  # share of texts whose theme set is exactly right
    none_right: tuple[int, int]  # texts without a theme that got none, of all such texts
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, gold, predicted

    @property
    def macro_f1(self) -> float:
        return float(np.mean([f1 for _p, _r, f1, _n in self.per_theme.values()]))

    def lines(self, title: str) -> list[str]:
        out = [title, f"{'theme':<16}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>6}"]
        for theme in self.ids:
            p, r, f1, n = self.per_theme[theme]
            out.append(f"{theme:<16}{p:>10.3f}{r:>8.3f}{f1:>8.3f}{n:>6}")
        right, total = self.none_right
        out += [f"{'macro':<16}{'':>10}{'':>8}{self.macro_f1:>8.3f}",
                f"exact theme set {self.exact:.3f}; no theme kept as none {right} of {total}",
                f"macro-F1 {self.macro_f1:.3f} (target >= {TARGET:.2f})"]
        return out


def report(texts: Sequence[str], gold: Sequence[Sequence[str]],
           predicted: Sequence[Sequence[str]], ids: list[str]) -> ThemeReport:
    truth, guess = label_matrix(gold, ids), label_matrix(predicted, ids)
    per_theme = {}
    for j, theme in enumerate(ids):
        tp = int(np.sum(truth[:, j] & guess[:, j]))
        precision = tp / guess[:, j].sum() if guess[:, j].sum() else 0.0
        recall = tp / truth[:, j].sum() if truth[:, j].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_theme[theme] = (precision, recall, f1, int(truth[:, j].sum()))
    same = np.all(truth == guess, axis=1)
    empty = ~truth.any(axis=1)
    errors = [(text, theme_data.join(g), theme_data.join(p))
              for text, g, p, ok in zip(texts, gold, predicted, same) if not ok]
    return ThemeReport(ids, per_theme, float(same.mean()),
                       (int(np.sum(empty & ~guess.any(axis=1))), int(empty.sum())), errors)


def cross_validate(examples: list[theme_data.Example], ids: list[str], folds: int = 5,
                   features: str = "both") -> ThemeReport:
    """Out-of-fold predictions for every example; each fold trains a fresh classifier
    (its thresholds tuned on that fold's training part only)."""
    from sklearn.model_selection import KFold

    texts = [text for text, _ in examples]
    gold = [list(themes) for _, themes in examples]
    vectors = embed(texts) if features != "tfidf" else None
    predicted: list[list[str]] = [[] for _ in texts]
    for train, test in KFold(folds, shuffle=True, random_state=0).split(texts):
        model = ThemeClassifier.fit(
            [texts[i] for i in train], [gold[i] for i in train], ids, features,
            None if vectors is None else vectors[train],
        )
        found = model.classify([texts[i] for i in test],
                               None if vectors is None else vectors[test])
        for i, themes in zip(test, found):
            predicted[i] = themes
    return report(texts, gold, predicted, ids)


def held_out(model: ThemeClassifier, examples: list[theme_data.Example]) -> ThemeReport:
    texts = [text for text, _ in examples]
    return report(texts, [list(t) for _, t in examples], model.classify(texts), model.ids)
