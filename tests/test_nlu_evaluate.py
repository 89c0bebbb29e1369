"""`brukarrost nlu evaluate`: held-out figures with the real model, and the k-fold path."""

from __future__ import annotations

import re

from bot.config import PROJECT_ROOT
from nlu.evaluate import folds, load_examples
from tests.test_cli import brukarrost

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


def test_held_out_and_scale_evaluation_print_the_figures(model_path):
    scale = PROJECT_ROOT / "nlu" / "heldout" / "scale_answers.yml"
    if not scale.exists():  # while the held-out file is being replaced, a dev file shows the path
        scale = PROJECT_ROOT / "nlu" / "dev" / "scale_dev_session3.yml"
    result = brukarrost("nlu", "evaluate", "--folds", "0", "--scale", str(scale))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Held-out test (nlu_heldout.yml" in out
    for intent in ("greet", "crisis", "feedback", "stop"):
        assert re.search(rf"^{intent}\s+[01]\.\d{{3}}\s+[01]\.\d{{3}}\s+[01]\.\d{{3}}\s+\d+$",
                         out, re.M), intent
    assert re.search(r"held-out macro-F1 [01]\.\d{3} \(target >= 0\.95\); crisis recall", out)
    assert re.search(r"scale exact [01]\.\d{3} \(target >= 0\.90\); within one [01]\.\d{3}", out)


def test_cross_validation_trains_each_fold_and_reports(tmp_path):
    result = brukarrost("nlu", "evaluate", "--folds", "2", "--heldout", "-", "--scale", "-",
                        "--data", str(FIXTURES / "tiny_nlu"),
                        "--config", str(FIXTURES / "tiny_config.yml"))
    assert result.returncode == 0, result.stderr
    assert "fold 1/2: 9 examples" in result.stdout and "fold 2/2: 9 examples" in result.stdout
    assert "2-fold cross-validation" in result.stdout
    assert re.search(r"^macro\s+[01]\.\d{3}\s+18$", result.stdout, re.M)


def test_folds_are_stratified_and_disjoint():
    examples = load_examples([FIXTURES / "tiny_nlu"])
    parts = folds(examples, 3)
    tests = [test for _train, test in parts]
    assert sorted(e for t in tests for e in t) == sorted(examples)
    for training, test in parts:
        assert not set(training) & set(test)
        assert sorted(i for _t, i in test) == ["crisis"] * 2 + ["goodbye"] * 2 + ["greet"] * 2


def test_bad_fold_count_is_refused():
    result = brukarrost("nlu", "evaluate", "--folds", "1")
    assert result.returncode == 2 and "--folds" in result.stderr
