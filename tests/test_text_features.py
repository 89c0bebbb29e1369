"""The block-by-block probabilities of the intent classifier and the scale reader equal
scikit-learn's predict_proba over the joined feature matrix."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nlu.components.text_features import char_vectorizer, joined, probabilities

TEXTS = ["stämmer ganska bra", "nej inte alls", "vet inte", "ja absolut", "typ hälften",
         "aldrig", "oftast", "sådär", "helt och hållet", "ganska dåligt", "kanske", "nej"]


@pytest.mark.parametrize("classes", [5, 2])
def test_probabilities_equal_predict_proba(classes):
    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(len(TEXTS), 16))
    labels = [str(i % classes) for i in range(len(TEXTS))]
    vectorizer = char_vectorizer().fit(TEXTS)
    model = LogisticRegression(C=10, max_iter=3000).fit(
        joined(vectorizer.transform(TEXTS), embeddings, 2.0), labels)
    new = ["ganska bra tycker jag", "inte riktigt", "🙂"]
    new_embeddings = rng.normal(size=(len(new), 16))
    expected = model.predict_proba(joined(vectorizer.transform(new), new_embeddings, 2.0))
    got = probabilities(model, vectorizer.transform(new), new_embeddings, 2.0)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert got.shape == (len(new), classes)
